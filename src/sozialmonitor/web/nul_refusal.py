"""No text the portal receives may contain a NUL character (``\\x00``).

PostgreSQL refuses NUL in text, so a NUL that reached a query would end in a 500
there (and SQLite would store it). It is refused where text comes in, before any
route runs or any database is asked: the request's path and query string by the
``NulRefusal`` middleware, the fields of a form by the two form parsers
(``web/session.form_of`` and ``web/uploads/receive.uploaded_form``) through
``refuse_nul_fields``. An uploaded file's content is not text of this kind: the
importers read it (and report what they cannot).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote_to_bytes

from fastapi import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from sozialmonitor.web.problems import problem

NUL_IN_ADDRESS = (
    "The address contains a NUL character (%00), which no name, code or search "
    "may contain. Remove it and send the request again."
)
NUL_IN_FORM = (
    "A form field contains a NUL character (\\x00), which no text may contain. "
    "Remove it and send the form again."
)


def address_has_nul(path: str, query_string: bytes) -> bool:
    """Whether the decoded path or the percent-decoded query string has a NUL.

    Examples
    --------
    >>> address_has_nul("/suche", b"q=Arbeit%00los")
    True
    >>> address_has_nul("/gebiet/03241\\x00", b"")
    True
    >>> address_has_nul("/suche", b"q=Arbeit%2500")
    False
    """
    return "\x00" in path or b"\x00" in unquote_to_bytes(query_string)


def refuse_nul_fields(fields: Mapping[str, str]) -> None:
    """Refuse (400) a form whose field names or values contain a NUL.

    Raises
    ------
    HTTPException
        400 with ``NUL_IN_FORM``.
    """
    if any("\x00" in key or "\x00" in value for key, value in fields.items()):
        raise HTTPException(status_code=400, detail=NUL_IN_FORM)


class NulRefusal:
    """ASGI middleware: a request whose path or query string contains a NUL gets a
    400 problem response (``NUL_IN_ADDRESS``); the app never sees it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and address_has_nul(
            scope.get("path", ""), scope.get("query_string", b"")
        ):
            response = problem(400, "Bad request", NUL_IN_ADDRESS, "nul-character")
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
