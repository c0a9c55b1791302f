"""What a public answer tells browsers, proxies and other sites: an ``ETag``, a
``Cache-Control`` that lets any cache keep it but ask again before each use, a
``304 Not Modified`` when the asker holds the same answer already, and CORS open on
the JSON API.

Only for a ``GET`` without credentials that the app answers ``200`` without setting a
cookie or its own caching headers: a signed-in answer is ``private, no-store``
(``web/security.py``), and static files carry their own validators. The tag is a
hash of the body, so it changes exactly when the answer does (a new data version,
another language, a new site configuration); it is weak (``W/``) because the same
answer may travel compressed or not. Bodies over ``MAX_TAGGED_BYTES`` pass through
untagged, so that no large download is held in memory twice.
"""

from __future__ import annotations

import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sozialmonitor.web.security import carries_credentials

PUBLIC = (b"cache-control", b"public, no-cache")
"""Any cache may keep a public answer, but must ask (cheaply, with the tag) before
using it again: after a release is published no one sees the old figures."""
CORS = (b"access-control-allow-origin", b"*")
API_PREFIX = "/api/"
MAX_TAGGED_BYTES = 8 * 1024 * 1024
_OWN_VALIDATORS = {b"set-cookie", b"cache-control", b"etag", b"last-modified"}
_NOT_IN_304 = {b"content-length", b"content-type", b"content-encoding"}


def entity_tag(body: bytes) -> bytes:
    """The weak tag of a body.

    Examples
    --------
    >>> entity_tag(b"Hallo")
    b'W/"753692ec36adb4c794c973945eb2a99c"'
    """
    return b'W/"' + hashlib.sha256(body).hexdigest()[:32].encode("ascii") + b'"'


def matches(if_none_match: bytes, tag: bytes) -> bool:
    """Whether an ``If-None-Match`` header names ``tag`` (weak comparison).

    Examples
    --------
    >>> matches(b'"a", W/"b"', b'W/"b"'), matches(b'"b"', b'W/"b"'), matches(b"*", b"x")
    (True, True, True)
    >>> matches(b'W/"c"', b'W/"b"')
    False
    """
    wanted = tag.removeprefix(b"W/")
    for item in if_none_match.split(b","):
        item = item.strip()
        if item == b"*" or item.removeprefix(b"W/") == wanted:
            return True
    return False


class PublicCaching:
    """ASGI middleware: ``ETag``, ``Cache-Control``, ``304`` and CORS on public
    answers (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "GET"
            or carries_credentials(scope["headers"])
        ):
            await self.app(scope, receive, send)
            return
        asked = next((v for k, v in scope["headers"] if k == b"if-none-match"), b"")
        api = scope.get("path", "").startswith(API_PREFIX)
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False

        async def tagging_send(message: Message) -> None:
            nonlocal start, size, passing
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                if message["status"] != 200 or names & _OWN_VALIDATORS:
                    passing = True
                    await send(message)
                else:
                    start = message
                return
            if passing or message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if more and size <= MAX_TAGGED_BYTES:
                return
            body = b"".join(chunks)
            chunks.clear()
            if more:  # too large to tag: send it as it comes
                passing = True
                await send(start)
                await send(
                    {"type": "http.response.body", "body": body, "more_body": True}
                )
                return
            tag = entity_tag(body)
            headers = [*start.get("headers", []), (b"etag", tag), PUBLIC]
            if api:
                headers.append(CORS)
            if asked and matches(asked, tag):
                kept = [(k, v) for k, v in headers if k.lower() not in _NOT_IN_304]
                await send(
                    {"type": "http.response.start", "status": 304, "headers": kept}
                )
                await send({"type": "http.response.body", "body": b""})
                return
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, tagging_send)
