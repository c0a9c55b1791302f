"""Findings and recommendations edited in the browser (``/verwaltung/empfehlungen``),
for editors and above: the form of a new record and of a stored one, with a
recommendation's status change.

The fields are named as the columns of the import file and checked by the same
code (``ingest.qualitative.check_fields``); each finding is shown at its field in
German. An editor with an area scope links areas of the scope only (and at least
one: a record about no area is not theirs to see), and edits only records about
areas of the scope. The save refuses a change when someone else changed the record
after the form was opened (a hidden fingerprint), and goes through
``store.qualitative_edit`` (audit log; the status history is append-only and records
the date and the editor's name).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from sozialmonitor.access.roles import Role
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.qualitative import (
    QualitativeRecord,
    RecordKind,
    label,
)
from sozialmonitor.errors import StaleEditError, StatusChangeError
from sozialmonitor.ingest.qualitative import (
    Known,
    RecordRow,
    check_fields,
    known_codes,
)
from sozialmonitor.store.area_rules import subtree
from sozialmonitor.store.qualitative import RecordFilter, read_records
from sozialmonitor.store.qualitative_edit import edit_record, fingerprint, stored_record
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Translator
from sozialmonitor.web.page import (
    Option,
    current_snapshot,
    frame_for,
    render,
    request_language,
)
from sozialmonitor.web.pages.administration import (
    CRUMB,
    forbidden,
    gate,
    not_found,
    translator,
)
from sozialmonitor.web.pages.indicator_editing import FormField
from sozialmonitor.web.pages.recommendation_detail import EDIT_PATH, edit_path
from sozialmonitor.web.pages.recommendation_fields import (
    FIELDS,
    RecordForm,
    choices,
    field_error,
    form_values,
)
from sozialmonitor.web.pages.recommendations import LIST_PATH, record_path
from sozialmonitor.web.session import (
    SignedIn,
    client_address,
    csrf_protected,
    engine_of,
    form_of,
    no_store,
)
from sozialmonitor.web.urls import href

router = APIRouter(dependencies=[Depends(csrf_protected)])

NEW_PATH = f"{EDIT_PATH}/neu"


def _page(
    request: Request,
    user: SignedIn,
    kind: RecordKind,
    stored: QualitativeRecord | None,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    opened: str,
    message: str = "",
    status_code: int = 200,
) -> Response:
    t, lang = translator(request), request_language(request)
    topics = sorted({x.name for x in current_snapshot(request).topics}, key=german_key)
    current = stored.status if stored else None
    fields = tuple(
        FormField(
            name=spec.name,
            label=t(spec.label),
            widget=spec.widget,
            value=values.get(spec.name, ""),
            hint=t(spec.hint) if spec.hint else "",
            error=errors.get(spec.name, ""),
            options=tuple(
                Option(value=v, label=t(text), selected=v == values.get(spec.name, ""))
                for v, text in choices(spec.name, kind, topics, current)
            ),
        )
        for spec in FIELDS[kind]
        if not (stored and spec.name == "code")
    )
    code = stored.code if stored else ""
    content = RecordForm(
        kind=kind.value,
        kind_text=t(label(kind)),
        new=stored is None,
        code=code,
        fields=fields,
        fingerprint=opened,
        csrf_token=user.csrf_token,
        action_url=href(edit_path(code) if stored else NEW_PATH, lang),
        cancel_url=href(record_path(code) if stored else LIST_PATH, lang),
        message=message,
    )
    title = (
        t("{kind} {code} bearbeiten", kind=t(label(kind)), code=code)
        if stored
        else t("Neue Erkenntnis")
        if kind is RecordKind.FINDING
        else t("Neue Handlungsempfehlung")
    )
    frame = frame_for(
        request,
        current_snapshot(request),
        title=title,
        crumbs=(CRUMB, (t("Erkenntnisse und Empfehlungen"), LIST_PATH)),
    )
    response = render(request, "recommendation_edit.html", frame=frame, page=content)
    response.status_code = status_code
    return no_store(response)


def _kind(value: str | None) -> RecordKind:
    try:
        return RecordKind(value or "")
    except ValueError:
        return RecordKind.FINDING


def _outside_scope(conn: Connection, user: SignedIn, record: QualitativeRecord) -> bool:
    """Whether a stored record is not the scoped editor's to edit: it is about an
    area outside the scope (or none), or builds on a finding the editor may not
    read (the form would show its code)."""
    if user.area_code is None:
        return False
    inside = subtree(conn, user.area_code)
    if not record.areas or not set(record.areas) <= inside:
        return True
    readable = read_records(conn, audience=user.account.audience, codes=record.findings)
    return len(readable) < len(set(record.findings))


@router.get(NEW_PATH, response_class=HTMLResponse)
def new_form(request: Request) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    kind = _kind(request.query_params.get("art"))
    return _page(
        request, user, kind, None, values=form_values(None), errors={}, opened=""
    )


@router.get(EDIT_PATH + "/{code}", response_class=HTMLResponse)
def edit_form(request: Request, code: str) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    with engine_of(request).connect() as conn:
        stored = stored_record(conn, code)
        if stored is not None and _outside_scope(conn, user, stored):
            return forbidden(request, user, Role.EDITOR)
    if stored is None:
        return _missing(request, code)
    return _page(
        request,
        user,
        stored.kind,
        stored,
        values=form_values(stored),
        errors={},
        opened=fingerprint(stored),
    )


def _missing(request: Request, code: str) -> Response:
    t = translator(request)
    return not_found(
        request,
        text=t("Es gibt keine Erkenntnis oder Empfehlung „{code}“.", code=code),
        section=(t("Erkenntnisse und Empfehlungen"), LIST_PATH),
        back_label=t("Zur Liste der Erkenntnisse und Empfehlungen"),
    )


def _today() -> dt.date:
    return dt.datetime.now(formatting.PORTAL_ZONE).date()


def _known_for(conn: Connection, user: SignedIn, engine_known: Known) -> Known:
    """What the form may refer to: the findings the editor may read (a scoped
    editor does not learn the codes of internal findings of other areas)."""
    if user.area_code is None:
        return engine_known
    readable = {
        r.code
        for r in read_records(
            conn,
            audience=user.account.audience,
            where=RecordFilter(kind=RecordKind.FINDING),
        )
    }
    records = {
        code: kind
        for code, kind in engine_known.records.items()
        if kind is not RecordKind.FINDING or code in readable
    }
    return replace(engine_known, records=records)


def _checked(
    conn: Connection,
    user: SignedIn,
    kind: RecordKind,
    stored: QualitativeRecord | None,
    values: dict[str, str],
    t: Translator,
) -> tuple[RecordRow | None, dict[str, str]]:
    """The record of the form's values, or the messages at its fields."""
    known = _known_for(conn, user, known_codes(conn.engine))
    row, findings = check_fields({**values, "kind": kind.value}, known)
    errors: dict[str, str] = {}
    for finding in findings:
        errors.setdefault(finding.column or "", field_error(finding, t))
    if stored is None and values.get("code", "").casefold() == NEW_PATH.rsplit("/")[-1]:
        errors["code"] = t("Dieser Code ist nicht möglich; bitte einen anderen wählen.")
    elif stored is None and values.get("code") in known.records:
        errors["code"] = t(
            "Diesen Code gibt es schon; bitte einen eigenen wählen oder den "
            "vorhandenen Eintrag bearbeiten."
        )
    if user.area_code is not None and "areas" not in errors:
        inside = subtree(conn, user.area_code)
        areas = row.record.areas if row else ()
        outside = [a for a in areas if a not in inside]
        if outside:
            errors["areas"] = t(
                "Das Gebiet „{code}“ liegt außerhalb Ihres Gebietsbezugs ({scope}).",
                code=outside[0],
                scope=user.area_code,
            )
        elif row and not areas:
            errors["areas"] = t(
                "Bitte mindestens ein Gebiet Ihres Gebietsbezugs ({scope}) verknüpfen.",
                scope=user.area_code,
            )
    if row is not None and row.status is not None and "status_date" not in errors:
        on = row.status_on or _today()
        last = stored.history[-1].on if stored and stored.history else None
        if on > _today():
            errors["status_date"] = t("Das Datum liegt in der Zukunft.")
        elif stored and last and row.status is not stored.status and on < last:
            errors["status_date"] = t(
                "Das Datum liegt vor dem des bisherigen Stands ({date}).",
                date=formatting.date(last, t.lang),
            )
    return (None if errors else row), errors


async def _save(request: Request, code: str | None) -> Response:
    user = gate(request, Role.EDITOR)
    if not isinstance(user, SignedIn):
        return user
    t = translator(request)
    form = await form_of(request)
    with engine_of(request).connect() as conn:
        stored = stored_record(conn, code) if code is not None else None
        if code is not None and stored is None:
            return _missing(request, code)
        if stored is not None and _outside_scope(conn, user, stored):
            return forbidden(request, user, Role.EDITOR)
        kind = stored.kind if stored else _kind(form.get("kind"))
        values = {spec.name: form.get(spec.name, "").strip() for spec in FIELDS[kind]}
        if stored is not None:
            values["code"] = stored.code
        row, errors = _checked(conn, user, kind, stored, values, t)
    opened = form.get("fassung", "")
    if row is None:
        return _page(
            request,
            user,
            kind,
            stored,
            values=values,
            errors=errors,
            opened=opened,
            message=t(
                "Bitte korrigieren Sie die markierten Felder. Es wurde nichts "
                "gespeichert."
            ),
            status_code=422,
        )
    try:
        with engine_of(request).begin() as conn:
            edit_record(
                conn,
                row.record,
                opened=opened,
                status=row.status,
                status_on=row.status_on or _today(),
                actor=user.account.name,
                address=client_address(request),
            )
    except (StaleEditError, StatusChangeError):
        return _page(
            request,
            user,
            kind,
            stored,
            values=values,
            errors={},
            opened=opened,
            message=t(
                "Jemand anderes hat diesen Eintrag angelegt oder geändert, seit Sie "
                "das Formular geöffnet haben. Es wurde nichts gespeichert. Öffnen "
                "Sie den Eintrag neu und wiederholen Sie Ihre Änderung."
            ),
            status_code=409,
        )
    target = href(
        record_path(row.record.code), request_language(request), gespeichert=1
    )
    return no_store(RedirectResponse(target, status_code=303))


@router.post(NEW_PATH)
async def create_record(request: Request) -> Response:
    """Store a new finding or recommendation (editors and above)."""
    return await _save(request, None)


@router.post(EDIT_PATH + "/{code}")
async def save_record(request: Request, code: str) -> Response:
    """Store a changed finding or recommendation (editors and above)."""
    return await _save(request, code)
