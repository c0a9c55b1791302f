"""The page for an area, area level or indicator that does not exist (HTTP 404).

Shared by the area profile, the area index and the comparison; the JSON twins answer
with a problem document instead (:mod:`sozialmonitor.web.problems`).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse

from sozialmonitor.errors import SozialmonitorError
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import frame_for, render, request_language
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
