"""The audit log for administrators (``/verwaltung/protokoll``): newest first, 50
events a page, filtered by action and actor; and every matching event as CSV
(``/verwaltung/protokoll.csv``), read from the database in batches so that neither
the page nor the download holds the whole log in memory.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from sqlalchemy import Engine

from sozialmonitor.access import audit
from sozialmonitor.access.roles import ACCOUNT_ROLES, Action, may
from sozialmonitor.export import as_text
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    render,
    request_language,
)
from sozialmonitor.web.pages.administration import CRUMB, gate, translator
from sozialmonitor.web.session import SignedIn, csrf_protected, engine_of, no_store
from sozialmonitor.web.urls import href

router = APIRouter(dependencies=[Depends(csrf_protected)])

PATH = "/verwaltung/protokoll"
CSV_PATH = "/verwaltung/protokoll.csv"
PAGE_SIZE = 50
EXPORT_BATCH = 1000
"""Events read from the database at a time for the CSV download."""
DETAIL_LENGTH = 160
"""Characters of an event's detail (JSON) the page shows; the CSV has all of it."""
CSV_COLUMNS = ("at", "actor", "action", "target", "address", "detail")
NEEDED = min(r for r in ACCOUNT_ROLES if may(r, Action.READ_AUDIT))
"""The lowest role that may read the audit log (``roles.py`` says which)."""


@dataclass(frozen=True, kw_only=True)
class EventRow:
    at: str
    """Date and time in the portal's time zone."""
    actor: str
    action: str
    target: str
    address: str
    detail: str
    """The detail as JSON, shortened."""


@dataclass(frozen=True, kw_only=True)
class AuditLogPage:
    events: tuple[EventRow, ...]
    actions: tuple[Option, ...]
    """The filter's choices: every action in the log (the first: all)."""
    actor: str
    total: int
    """How many events match the filters."""
    page: int
    pages: int
    previous_url: str
    next_url: str
    csv_url: str


def _when(event: audit.AuditEvent, lang: Language) -> str:
    local = event.at.astimezone(formatting.PORTAL_ZONE)
    return f"{formatting.date(local, lang)}, {local:%H:%M:%S}"


def _detail(event: audit.AuditEvent) -> str:
    if not event.detail:
        return ""
    text = json.dumps(event.detail, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1] + "…"


@router.get(PATH, response_class=HTMLResponse)
def audit_log(
    request: Request,
    aktion: str = "",
    akteur: str = "",
    seite: int = Query(1, ge=1, le=1_000_000),
) -> Response:
    """The audit log, newest first (administrators)."""
    user = gate(request, NEEDED)
    if not isinstance(user, SignedIn):
        return user
    t, lang = translator(request), request_language(request)
    only = audit.EventFilter(action=aktion.strip(), actor=akteur.strip())
    with engine_of(request).connect() as conn:
        total = audit.count(conn, only)
        pages = max(1, -(-total // PAGE_SIZE))
        number = min(seite, pages)
        found = audit.newest(
            conn, only, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
        names = audit.action_names(conn)
    if only.action and only.action not in names and not only.matches_nothing:
        names.append(only.action)

    def url(page_number: int) -> str:
        return href(
            PATH,
            lang,
            aktion=only.action,
            akteur=only.actor,
            seite=page_number if page_number > 1 else None,
        )

    content = AuditLogPage(
        events=tuple(
            EventRow(
                at=_when(e, lang),
                actor=e.actor,
                action=e.action,
                target=e.target,
                address=e.address,
                detail=_detail(e),
            )
            for e in found
        ),
        actions=(
            Option(value="", label=t("alle Aktionen"), selected=not only.action),
            *(Option(value=n, label=n, selected=n == only.action) for n in names),
        ),
        actor=only.actor,
        total=total,
        page=number,
        pages=pages,
        previous_url=url(number - 1) if number > 1 else "",
        next_url=url(number + 1) if number < pages else "",
        csv_url=href(CSV_PATH, "de", aktion=only.action, akteur=only.actor),
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=t("Protokoll"),
        crumbs=((t(CRUMB[0]), CRUMB[1]),),
    )
    return no_store(render(request, "audit_log.html", frame=frame, page=content))


def csv_lines(engine: Engine, only: audit.EventFilter) -> Iterator[str]:
    """The CSV file, a batch of events at a time (each in its own short read, so a
    slow download holds no connection): header first, then newest first. Text a
    spreadsheet would run as a formula is marked as text (``export.as_text``)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue()
    before: int | None = None
    while True:
        with engine.connect() as conn:
            batch = audit.newest(conn, only, limit=EXPORT_BATCH, before_id=before)
        if not batch:
            return
        buffer.seek(0)
        buffer.truncate()
        for e in batch:
            detail = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
            cells = (e.at.isoformat(), e.actor, e.action, e.target, e.address)
            writer.writerow([as_text(c) for c in (*cells, detail if e.detail else "")])
        yield buffer.getvalue()
        before = batch[-1].id


@router.get(CSV_PATH)
def audit_log_csv(request: Request, aktion: str = "", akteur: str = "") -> Response:
    """Every event matching the filters as CSV (UTF-8, comma), newest first."""
    user = gate(request, NEEDED)
    if not isinstance(user, SignedIn):
        return user
    only = audit.EventFilter(action=aktion.strip(), actor=akteur.strip())
    response = StreamingResponse(
        csv_lines(engine_of(request), only),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="protokoll.csv"'},
    )
    return no_store(response)
