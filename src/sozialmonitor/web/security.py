"""The headers every response carries: what the browser may load and run on our
pages, who may frame them, and what it may tell other sites about them.

Only the embeddable views under ``EMBED_PREFIX`` (``/einbetten/…``, public read-only
pages without forms that change anything) may be framed, by the sites the
``frame-ancestors`` setting names; every other page keeps ``frame-ancestors 'none'``
and ``X-Frame-Options: DENY`` whatever the setting says, so that no other site can
frame the sign-in or the administration (clickjacking).

One ASGI middleware, wrapped around the whole app (outside Starlette's error
handling, so that a 500 carries the headers too). Pages load scripts, styles and
images only from the portal itself; there is no inline script or style to allow,
and vega draws charts with its CSP-safe expression interpreter instead of ``new
Function`` (``static/js/chart.js``), so neither ``'unsafe-inline'`` nor
``'unsafe-eval'`` is needed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sozialmonitor.errors import ConfigurationError

DEFAULT_FRAME_ANCESTORS = "'none'"
"""No site may show the portal in a frame (clickjacking)."""
EMBED_PREFIX = "/einbetten/"
"""The paths of the embeddable views: the only ones the ``frame-ancestors`` setting
opens to other sites."""

_SOURCE = re.compile(
    r"'none'|'self'|(?:https?://)?(?:\*\.)?[A-Za-z0-9.-]+(?::(?:\d+|\*))?(?:/[^\s;,']*)?"
    r"|https?:"
)
"""One frame-ancestors source expression (CSP Level 3): a keyword, a scheme or a
host with optional scheme, wildcard subdomain, port and path."""


def frame_ancestors(value: str) -> str:
    """The ``frame-ancestors`` sources from a setting's value, checked.

    Examples
    --------
    >>> frame_ancestors("'self' https://www.hannover.de")
    "'self' https://www.hannover.de"
    >>> frame_ancestors("")
    "'none'"

    Raises
    ------
    ConfigurationError
        For a value that is not a list of source expressions (it would end up in a
        header, so a ``;`` or a line break must not pass).
    """
    sources = value.split()
    if not sources:
        return DEFAULT_FRAME_ANCESTORS
    for source in sources:
        if not _SOURCE.fullmatch(source):
            raise ConfigurationError(
                f"The frame-ancestors setting '{value}' has '{source}', which is not "
                "a source: give 'none', 'self' or addresses such as "
                "https://www.example.org, separated by spaces."
            )
    if "'none'" in sources and len(sources) > 1:
        raise ConfigurationError(
            f"The frame-ancestors setting '{value}' combines 'none' with other "
            "sources: give either 'none' or the sites that may embed the portal."
        )
    return " ".join(sources)


def content_security_policy(ancestors: str = DEFAULT_FRAME_ANCESTORS) -> str:
    """The Content-Security-Policy of every response.

    Examples
    --------
    >>> content_security_policy().split("; ")[:3]
    ["default-src 'self'", "script-src 'self'", "style-src 'self'"]
    """
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors(ancestors)}",
        )
    )


def security_headers(ancestors: str = DEFAULT_FRAME_ANCESTORS) -> dict[str, str]:
    """Header name → value for every response."""
    headers = {
        "Content-Security-Policy": content_security_policy(ancestors),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), "
        "payment=(), usb=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if frame_ancestors(ancestors) == DEFAULT_FRAME_ANCESTORS:
        # For browsers without CSP Level 2; with an allow-list there is no
        # equivalent (ALLOW-FROM is gone), and frame-ancestors decides.
        headers["X-Frame-Options"] = "DENY"
    return headers


def base_url(value: str) -> str:
    """The portal's public address from a setting's value, without a trailing
    slash; empty when not configured (then the portal writes relative URLs).

    Examples
    --------
    >>> base_url("https://sozialmonitor.hannover.de/")
    'https://sozialmonitor.hannover.de'
    >>> base_url("")
    ''

    Raises
    ------
    ConfigurationError
        For anything but an http(s) address without query or fragment.
    """
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or parts.username
        or any(c.isspace() for c in value)
    ):
        raise ConfigurationError(
            f"The base_url setting '{value}' is not the portal's public address: "
            "give it as https://HOST or https://HOST/PATH, without query or user."
        )
    return value.rstrip("/")


def relative_location(location: str, host: str) -> str:
    """A redirect target built from the request's own address (Starlette's
    trailing-slash redirect is one), made relative, so that a forged ``Host``
    header never comes back in a ``Location``. Other targets are left alone.

    Examples
    --------
    >>> relative_location("http://evil.example/thema?lang=en", "evil.example")
    '/thema?lang=en'
    >>> relative_location("/gebiet/03241", "evil.example")
    '/gebiet/03241'
    """
    parts = urlsplit(location)
    if parts.scheme in ("http", "https") and parts.netloc.lower() == host.lower():
        return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    return location


PRIVATE = (b"cache-control", b"private, no-store")
"""What a response to a signed-in request (session cookie or API token) may be
cached as: not at all, so that no browser or proxy cache keeps an internal value
or hands it to the next visitor."""
CREDENTIAL_COOKIES = (b"__Host-sozialmonitor=", b"sozialmonitor-session=")
"""The session cookies (``web/session.py``: production and development names)."""


def carries_credentials(headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a request comes with a session cookie or an ``Authorization`` header.

    Examples
    --------
    >>> carries_credentials([(b"cookie", b"theme=x; sozialmonitor-session=abc")])
    True
    >>> carries_credentials([(b"host", b"example.org")])
    False
    """
    for name, value in headers:
        if name == b"authorization":
            return True
        if name == b"cookie" and any(c in value for c in CREDENTIAL_COOKIES):
            return True
    return False


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in headers.items()
    ]


class SecurityHeaders:
    """ASGI middleware: sets ``security_headers`` on every HTTP response, replacing
    any value a route gave (a route cannot loosen the policy) — with the configured
    ``ancestors`` on the embeddable views (``EMBED_PREFIX``), with
    ``DEFAULT_FRAME_ANCESTORS`` everywhere else —, makes redirects
    to the request's own host relative (``relative_location``), and forbids caching
    the answer to any request that carries credentials (``PRIVATE``)."""

    def __init__(self, app: ASGIApp, ancestors: str = DEFAULT_FRAME_ANCESTORS) -> None:
        self.app = app
        self.headers = _encoded(security_headers())
        self.embed_headers = _encoded(security_headers(ancestors))
        self.names = {name for name, _ in self.headers + self.embed_headers}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        host = next(
            (v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), ""
        )
        private = carries_credentials(scope["headers"])
        own = (
            self.embed_headers
            if scope.get("path", "").startswith(EMBED_PREFIX)
            else self.headers
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = []
                for name, value in message.get("headers", []):
                    if name.lower() in self.names:
                        continue
                    if name.lower() == b"location":
                        location = relative_location(value.decode("latin-1"), host)
                        value = location.encode("latin-1")
                    if private and name.lower() == b"cache-control":
                        continue
                    kept.append((name, value))
                message["headers"] = kept + own
                if private:
                    message["headers"].append(PRIVATE)
            await send(message)

        await self.app(scope, receive, send_with_headers)
