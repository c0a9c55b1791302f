"""One finding or recommendation on its own page (``/empfehlungen/<code>``) with its
status history and, for a decided recommendation, the values of its outcome
indicators since the decision; and its JSON twin.

The record comes through ``store.qualitative.read_records`` with the snapshot's
audience: a record the reader may not see is answered exactly as one that does not
exist (404).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Connection

from sozialmonitor.access.roles import Role
from sozialmonitor.errors import UnknownRecordError
from sozialmonitor.store.qualitative import read_records
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
)
from sozialmonitor.web.pages.not_found import unknown_path
from sozialmonitor.web.pages.outcome_values import outcomes
from sozialmonitor.web.pages.recommendations import (
    LIST_PATH,
    Link,
    RecordView,
    record_path,
    record_view,
)
from sozialmonitor.web.session import current_user, no_store
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.urls import href

router = APIRouter()

EDIT_PATH = "/verwaltung/empfehlungen"
"""The administration's forms of the records (``recommendation_editing.py``)."""


@dataclass(frozen=True, kw_only=True)
class RecordPage:
    """One record as its own page shows it."""

    record: RecordView
    list_url: str
    """The list, at the record."""
    edit_url: str = ""
    """The edit form (editors and above; empty for everyone else)."""
    saved: bool = False
    """Just saved in the edit form (the page says so)."""


def edit_path(code: str) -> str:
    return f"{EDIT_PATH}/{quote(code, safe='')}"


def record_page(
    conn: Connection, snap: Snapshot, lang: Language, code: str
) -> RecordPage:
    """The record ``code`` as the snapshot's audience may see it.

    Raises
    ------
    UnknownRecordError
        When there is none, or the audience may not see it.
    """
    t = Translator(lang=lang)
    found = read_records(conn, audience=snap.audience, codes=[code])
    if not found:
        raise UnknownRecordError(f"There is no finding or recommendation '{code}'.")
    record = found[0]
    titles = {
        r.code: r.title
        for r in read_records(conn, audience=snap.audience, codes=record.findings)
    }
    view = record_view(record, snap, t, set(), titles)
    view = replace(
        view,
        findings=tuple(
            Link(text=titles[c], url=href(record_path(c), lang))
            for c in record.findings
            if c in titles
        ),
        outcomes=outcomes(conn, snap, record, lang),
    )
    return RecordPage(
        record=view, list_url=href(LIST_PATH, lang) + f"#{quote(record.code)}"
    )


def _page(request: Request, code: str) -> tuple[Snapshot, RecordPage]:
    snap = current_snapshot(request)
    lang = request_language(request)
    with request.app.state.engine.connect() as conn:
        page = record_page(conn, snap, lang, code)
    user = current_user(request)
    if user is not None and user.role >= Role.EDITOR:
        page = replace(
            page,
            edit_url=href(edit_path(code), lang),
            saved=request.query_params.get("gespeichert") == "1",
        )
    return snap, page


@router.get(LIST_PATH + "/{code}", response_class=HTMLResponse, include_in_schema=False)
def record_html(request: Request, code: str) -> Response:
    try:
        snap, page = _page(request, code)
    except UnknownRecordError:
        return unknown_path(request)
    t = Translator(lang=request_language(request))
    frame = frame_for(
        request,
        snap,
        title=page.record.title,
        crumbs=((t("Start"), "/"), (t("Erkenntnisse und Empfehlungen"), LIST_PATH)),
    )
    response = render(request, "recommendation.html", frame=frame, page=page)
    return no_store(response) if snap.audience.internal else response


@router.get(f"/api/v1/pages{LIST_PATH}/{{code}}", tags=["pages"])
def record_json(request: Request, code: str) -> JSONResponse:
    """One finding or recommendation as JSON, with its history and the values of
    its outcome indicators since the decision."""
    return json_response(_page(request, code)[1])
