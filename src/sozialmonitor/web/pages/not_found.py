"""The page for an area, area level or indicator that does not exist (HTTP 404),
and for any other address the portal does not have.

Shared by the area profile, the area index and the comparison; the JSON twins answer
with a problem document instead (:mod:`sozialmonitor.web.problems`), as does every
unknown address under ``/api/``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.web import problems
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    render,
    request_language,
)
from sozialmonitor.web.snapshot import Snapshot


@dataclass(frozen=True, kw_only=True)
class NotFoundPage:
    """The content of the page for an area, level or indicator that does not
    exist."""

    code: str
    """The area code or indicator id asked for, if any."""
    detail: str
    indicator: bool = False
    """Whether an indicator was asked for (then the page offers the search)."""


def not_found(
    request: Request,
    snap: Snapshot,
    error: SozialmonitorError,
    *,
    indicator: bool = False,
) -> HTMLResponse:
    """The German (or English) page for an area, level or indicator that does not
    exist."""
    lang = request_language(request)
    t = Translator(lang=lang)
    crumb = (t("Themenfelder"), "/thema") if indicator else (t("Gebiete"), "/gebiet")
    frame = frame_for(request, snap, title=t("Nicht gefunden"), crumbs=(crumb,))
    response = render(
        request,
        "_area_not_found.html",
        frame=frame,
        page=NotFoundPage(
            code=request.path_params.get("indicator_id" if indicator else "code", ""),
            detail=error.message,
            indicator=indicator,
        ),
    )
    response.status_code = 404
    return response


API_PREFIX = "/api/"
"""Unknown addresses under it are answered with a problem document."""
SHOWN_PATH_CHARS = 120
"""The unknown address is repeated on the page up to this length."""


@dataclass(frozen=True, kw_only=True)
class UnknownPathPage:
    """The content of the page for an address the portal does not have."""

    path: str
    """The address asked for (shortened to ``SHOWN_PATH_CHARS``)."""


def unknown_path(request: Request) -> HTMLResponse:
    """The German (or English) page, with the search, for an address the portal
    does not have (status 404)."""
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request, current_snapshot(request), title=t("Seite nicht gefunden")
    )
    frame = replace(frame, json_url="")  # there is no twin of what does not exist
    path = request.url.path
    if len(path) > SHOWN_PATH_CHARS:
        path = path[: SHOWN_PATH_CHARS - 1] + "…"
    response = render(
        request, "not_found.html", frame=frame, page=UnknownPathPage(path=path)
    )
    response.status_code = 404
    return response


async def unknown_address(scope: Scope, receive: Receive, send: Send) -> None:
    """The router's answer to an address no route has (``Router.default``): the
    page with the search, or a problem document under ``API_PREFIX``."""
    request = Request(scope, receive)
    response: Response
    if scope["type"] != "http" or request.url.path.startswith(API_PREFIX):
        response = problems.problem(404, "Not Found", "Not Found", "http-404")
    else:
        response = await run_in_threadpool(unknown_path, request)
    await response(scope, receive, send)
