"""Who is signed in, for every route: the session cookie, the CSRF check, the role
gate of the administration, and a safe place to return to after signing in.

Anonymous visitors get no cookie at all: the cookie is set only when the second
factor was right (``sign_in.py``), and nothing here sets one. Routes learn who asks
through ``current_user(request)``, and whom the read gate serves through
``audience_of(request)``: the one place that turns an account or a token into an
audience.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import parse_qsl, urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from sozialmonitor.access import sessions, tokens
from sozialmonitor.access.accounts import Account
from sozialmonitor.access.roles import Action, Role, may
from sozialmonitor.config import setting
from sozialmonitor.domain.access import Audience
from sozialmonitor.errors import ConfigurationError
from sozialmonitor.web.i18n import language_of
from sozialmonitor.web.nul_refusal import refuse_nul_fields
from sozialmonitor.web.uploads.receive import uploaded_form
from sozialmonitor.web.urls import href

SECURE_COOKIE = "__Host-sozialmonitor"
"""Over https: the ``__Host-`` prefix makes the browser insist on Secure, Path=/
and no Domain, so no other host can set or read it."""
DEVELOPMENT_COOKIE = "sozialmonitor-session"
"""Plain http on one's own computer only (``--cookies development``)."""
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 16_384
"""A sign-in or administration form is small; a larger body is refused."""
DEFAULT_NEXT = "/verwaltung"
_UNKNOWN = object()
R = TypeVar("R", bound=Response)


@dataclass(frozen=True, kw_only=True)
class CookiePolicy:
    secure: bool
    """Secure and ``__Host-`` (production) or neither (development on http)."""
    max_age: int
    """Seconds: the session's absolute lifetime (the server ends it then anyway)."""

    @property
    def name(self) -> str:
        return SECURE_COOKIE if self.secure else DEVELOPMENT_COOKIE


@dataclass(frozen=True, kw_only=True)
class AccessSettings:
    """The session settings a running portal uses (``serve`` flags, else the
    environment, else the defaults: see ``config.SETTINGS``)."""

    timeouts: sessions.Timeouts
    cookie: CookiePolicy

    @classmethod
    def from_settings(
        cls,
        *,
        idle_minutes: str | None = None,
        max_hours: str | None = None,
        cookies: str | None = None,
    ) -> AccessSettings:
        timeouts = sessions.Timeouts.from_settings(idle_minutes, max_hours)
        mode = setting("cookies", cookies)
        if mode not in ("secure", "development"):
            raise ConfigurationError(
                f"'{mode}' is not a cookie setting. Use secure or development."
            )
        return cls(
            timeouts=timeouts,
            cookie=CookiePolicy(
                secure=mode == "secure",
                max_age=int(timeouts.absolute.total_seconds()),
            ),
        )


@dataclass(frozen=True, kw_only=True)
class SignedIn:
    """The signed-in account of a request."""

    account: Account
    csrf_token: str
    session_id: str

    @property
    def role(self) -> Role:
        return self.account.role

    @property
    def area_code(self) -> str | None:
        return self.account.area_code


def access_settings(request: Request) -> AccessSettings:
    """The settings ``serve`` put on the app, else those of the environment."""
    found = getattr(request.app.state, "access", None)
    if isinstance(found, AccessSettings):
        return found
    return AccessSettings.from_settings()


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def client_address(request: Request) -> str:
    """The address the request came from (a proxy in front must pass it on as the
    client address, e.g. uvicorn's ``--proxy-headers``; headers are not trusted)."""
    return request.client.host if request.client else ""


def current_user(request: Request) -> SignedIn | None:
    """The signed-in account, or None for an anonymous visitor (no cookie, or one
    whose session has ended or timed out). Read once per request."""
    known = getattr(request.state, "signed_in", _UNKNOWN)
    if known is None or isinstance(known, SignedIn):
        return known
    settings = access_settings(request)
    raw = request.cookies.get(settings.cookie.name)
    user = None
    if raw:
        with engine_of(request).begin() as conn:
            session = sessions.current(conn, raw, settings.timeouts)
        if session is not None:
            user = SignedIn(
                account=session.account, csrf_token=session.csrf_token, session_id=raw
            )
    request.state.signed_in = user
    return user


def audience_of(request: Request) -> Audience:
    """Whom the read gate serves this request: the administration (within the
    account's area scope) for a signed-in account or an API token allowed to read
    internal values; else the public. A token that is unknown, revoked or not
    allowed to read internal values is refused (401/403), never read as public
    quietly. Decided once per request."""
    known = getattr(request.state, "audience", None)
    if isinstance(known, Audience):
        return known
    audience = Audience.PUBLIC
    if request.headers.get("authorization"):
        caller = api_caller(Action.READ_INTERNAL)(request)
        audience = caller.account.audience
    else:
        user = current_user(request)
        if user is not None and may(user.role, Action.READ_INTERNAL):
            audience = user.account.audience
    request.state.audience = audience
    return audience


def set_session_cookie(request: Request, response: Response, session_id: str) -> None:
    policy = access_settings(request).cookie
    response.set_cookie(
        policy.name,
        session_id,
        max_age=policy.max_age,
        path="/",
        secure=policy.secure,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    policy = access_settings(request).cookie
    response.delete_cookie(
        policy.name, path="/", secure=policy.secure, httponly=True, samesite="strict"
    )


def no_store(response: R) -> R:
    """Pages with a person's data or a form token are never cached."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _content_kind(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def form_of(request: Request) -> dict[str, str]:
    """The request's url-encoded form (first value of each field), read once and
    at most ``MAX_FORM_BYTES`` of it. Other bodies have no fields here: a file
    upload is read by ``uploads.receive.uploaded_form``. A field with a NUL
    character is refused (400, ``web/nul_refusal.py``)."""
    cached: dict[str, str] | None = getattr(request.state, "form", None)
    if cached is not None:
        return cached
    fields: dict[str, str] = {}
    if _content_kind(request) != "application/x-www-form-urlencoded":
        request.state.form = fields  # a multipart body is read by ``uploaded_form``
        return fields
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise HTTPException(status_code=413, detail="Form too large.")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise HTTPException(status_code=413, detail="Form too large.")
    if body:
        for key, value in parse_qsl(body.decode("utf-8", "replace"), True):
            fields.setdefault(key, value)
    refuse_nul_fields(fields)
    request.state.form = fields
    return fields


def same_origin(request: Request) -> bool:
    """Whether a state-changing request comes from our own pages, by the browser's
    ``Sec-Fetch-Site`` and ``Origin`` headers (a client sending neither is no
    browser, and is held to the CSRF token alone)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None:
        return True
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own


async def csrf_protected(request: Request) -> None:
    """Dependency for every router with state-changing routes: a POST (PUT, PATCH,
    DELETE) must come from our own origin and, when signed in, carry the session's
    CSRF token (form field ``csrf`` or header ``X-CSRF-Token``). Refused: 403,
    before the route runs, so nothing changes."""
    if request.method not in STATE_CHANGING:
        return
    if not same_origin(request):
        raise HTTPException(status_code=403, detail="Cross-site request refused.")
    if request.url.path == "/anmelden":
        return  # no session yet; the second step carries its pending id instead
    user = current_user(request)
    if user is None:  # refused before any of the body is read
        raise HTTPException(status_code=403, detail="Missing or wrong CSRF token.")

    def check(fields: Mapping[str, str]) -> None:
        sent = request.headers.get(CSRF_HEADER) or fields.get(CSRF_FIELD, "")
        if not hmac.compare_digest(sent.encode(), user.csrf_token.encode()):
            raise HTTPException(status_code=403, detail="Missing or wrong CSRF token.")

    if _content_kind(request) == "multipart/form-data":
        # A file upload: the token (header, or the field before the file) is checked
        # before the file is stored, and the file never passes through memory.
        check((await uploaded_form(request, before_file=check)).fields)
    else:
        check(await form_of(request))


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site, else ``/verwaltung``.

    Examples
    --------
    >>> safe_next("/verwaltung/konten?lang=en")
    '/verwaltung/konten?lang=en'
    >>> [safe_next(v) for v in ("//evil.example", "https://evil.example", "/\\\\x")]
    ['/verwaltung', '/verwaltung', '/verwaltung']
    """
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return DEFAULT_NEXT
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return DEFAULT_NEXT
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return DEFAULT_NEXT
    return value


def sign_in_redirect(request: Request) -> RedirectResponse:
    """Anonymous visitors of the administration go to the sign-in form, which
    brings them back afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    lang = language_of(request.query_params.get("lang"))
    return RedirectResponse(href("/anmelden", lang, weiter=target), status_code=303)


def api_caller(action: Action) -> Callable[[Request], tokens.TokenCaller]:
    """Dependency for an API route scripts call with a token
    (``Authorization: Bearer smt_…``) to do ``action``: the caller, or 401 without
    a token and 403 with one that is unknown, revoked or not allowed ``action``.
    Every use is in the audit log. Such routes need no CSRF token: a browser never
    adds this header on its own."""

    def caller(request: Request) -> tokens.TokenCaller:
        scheme, _, raw = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise HTTPException(
                status_code=401,
                detail="An API token is needed: Authorization: Bearer TOKEN.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        with engine_of(request).begin() as conn:
            found = tokens.authenticate(
                conn, raw.strip(), action, address=client_address(request)
            )
        if found is None:
            raise HTTPException(
                status_code=403,
                detail=f"This token may not do '{action.value}' (or is revoked).",
            )
        return found

    return caller
