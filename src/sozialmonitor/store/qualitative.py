"""Findings and recommendations: reads through one visibility gate, and writes.

``read_records`` is the only read of the records, and ``_visible`` the one place that
decides who sees which: an internal record is never returned to ``Audience.PUBLIC``
(and to staff scoped to an area only when it is about areas of their scope),
and neither is a link to an internal indicator, an area of an internal level or an
internal finding. The status history of a recommendation is append-only (the database
refuses to change an entry, migration 0012).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, delete, insert, or_, select, update

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Visibility
from sozialmonitor.domain.qualitative import (
    Addressee,
    QualitativeRecord,
    RecordKind,
    RecordVisibility,
    Source,
    SourceKind,
    Status,
    StatusChange,
    may_follow,
)
from sozialmonitor.errors import StatusChangeError
from sozialmonitor.store import schema
from sozialmonitor.store.area_rules import subtree

INDICATOR = "indicator"
AREA = "area"
FINDING = "finding"
OUTCOME = "outcome"
LINK_ROLES = (INDICATOR, AREA, FINDING, OUTCOME)
"""The roles of ``qualitative_link`` rows (see ``schema.qualitative_link``)."""


@dataclass(frozen=True, kw_only=True)
class RecordFilter:
    """What a list of records is narrowed to (None: no narrowing)."""

    kind: RecordKind | None = None
    topic: str | None = None
    area: str | None = None
    """An area code the record is linked to."""
    indicator: str | None = None
    """An indicator code the record is linked to (as subject or outcome)."""
    status: Status | None = None
    addressee: Addressee | None = None


NO_FILTER = RecordFilter()


def _visible(conn: Connection, query: Select[Any], audience: Audience) -> Select[Any]:
    """The records ``audience`` may see: the public only public ones; the
    administration all; staff scoped to an area (``Audience.within``) the public
    ones and the internal ones about areas of their scope only (each linked area
    inside it: an internal record about no area, or about others, is not theirs)."""
    rec = schema.qualitative_record
    public = rec.c.visibility == RecordVisibility.PUBLIC.value
    if not audience.internal:
        return query.where(public)
    if audience.scope is None:
        return query
    inside = subtree(conn, audience.scope)
    link = schema.qualitative_link
    areas: dict[int, set[str]] = {}
    for row in conn.execute(
        select(link.c.record_id, link.c.target).where(link.c.role == AREA)
    ):
        areas.setdefault(row.record_id, set()).add(row.target)
    ours = [rid for rid, codes in areas.items() if codes <= inside]
    return query.where(or_(public, rec.c.id.in_(ours)))


def _visible_targets(
    conn: Connection, audience: Audience, linked: dict[str, set[str]]
) -> dict[str, set[str]]:
    """Per link role, which of the ``linked`` codes ``audience`` may see: an
    indicator that is public, an area of a public level, a finding it may read
    (the administration: every one that exists). Only the linked codes are looked
    up, not every area of a Germany-size database."""
    ind, area, lvl = schema.indicator, schema.area, schema.area_level
    wanted_indicators = list(linked.get(INDICATOR, set()) | linked.get(OUTCOME, set()))
    indicators = select(ind.c.code).where(ind.c.code.in_(wanted_indicators))
    areas = (
        select(area.c.code)
        .join(lvl, lvl.c.id == area.c.level_id)
        .where(area.c.code.in_(list(linked.get(AREA, set()))))
    )
    if not audience.internal:
        indicators = indicators.where(ind.c.visibility == Visibility.PUBLIC.value)
        areas = areas.where(lvl.c.visibility == Visibility.PUBLIC.value)
    rec = schema.qualitative_record
    findings = _visible(
        conn,
        select(rec.c.code).where(
            rec.c.kind == RecordKind.FINDING.value,
            rec.c.code.in_(list(linked.get(FINDING, set()))),
        ),
        audience,
    )
    shown_indicators = set(conn.scalars(indicators))
    return {
        INDICATOR: shown_indicators,
        OUTCOME: shown_indicators,
        AREA: set(conn.scalars(areas)),
        FINDING: set(conn.scalars(findings)),
    }


def read_records(
    conn: Connection,
    *,
    audience: Audience = Audience.PUBLIC,
    where: RecordFilter = NO_FILTER,
    codes: Iterable[str] | None = None,
) -> list[QualitativeRecord]:
    """The records ``audience`` may see, narrowed by ``where`` (and to ``codes``),
    newest source date first, then by code.

    Links the audience may not see (an internal indicator, an area of an internal
    level, an internal finding) are left out of each record.
    """
    rec, link = schema.qualitative_record, schema.qualitative_link
    query = _visible(conn, select(rec), audience)
    if where.kind is not None:
        query = query.where(rec.c.kind == where.kind.value)
    if where.topic is not None:
        query = query.where(rec.c.topic == where.topic)
    if where.addressee is not None:
        query = query.where(rec.c.addressee == where.addressee.value)
    if codes is not None:
        query = query.where(rec.c.code.in_(list(codes)))
    for role, target in (
        ((AREA,), where.area),
        ((INDICATOR, OUTCOME), where.indicator),
    ):
        if target is not None:
            linked = select(link.c.record_id).where(
                link.c.role.in_(role), link.c.target == target
            )
            query = query.where(rec.c.id.in_(linked))
    rows = list(conn.execute(query))
    if not rows:
        return []
    ids = [r.id for r in rows]
    links: dict[int, dict[str, list[str]]] = {}
    by_role: dict[str, set[str]] = {}
    for row in conn.execute(
        select(link)
        .where(link.c.record_id.in_(ids))
        .order_by(link.c.record_id, link.c.role, link.c.position)
    ):
        links.setdefault(row.record_id, {}).setdefault(row.role, []).append(row.target)
        by_role.setdefault(row.role, set()).add(row.target)
    history = _histories(conn, ids)
    shown = _visible_targets(conn, audience, by_role)
    found = []
    for row in rows:
        mine = links.get(row.id, {})

        shown_links = {
            role: tuple(c for c in mine.get(role, ()) if c in shown[role])
            for role in LINK_ROLES
        }
        record = _record(
            row,
            indicators=shown_links[INDICATOR],
            areas=shown_links[AREA],
            findings=shown_links[FINDING],
            outcomes=shown_links[OUTCOME],
            history=history.get(row.id, ()),
        )
        if where.status is None or record.status is where.status:
            found.append(record)
    return sorted(found, key=_order)


def _order(record: QualitativeRecord) -> tuple[int, str]:
    when = record.source.date if record.source and record.source.date else None
    if record.history:
        when = record.history[-1].on
    return (-(when.toordinal() if when else 0), record.code)


def _histories(
    conn: Connection, ids: Sequence[int]
) -> dict[int, tuple[StatusChange, ...]]:
    st = schema.recommendation_status
    found: dict[int, list[StatusChange]] = {}
    for row in conn.execute(
        select(st).where(st.c.record_id.in_(ids)).order_by(st.c.record_id, st.c.id)
    ):
        found.setdefault(row.record_id, []).append(
            StatusChange(
                status=Status(row.status),
                on=row.changed_on,
                by=row.actor,
                recorded_at=row.recorded_at,
            )
        )
    return {k: tuple(v) for k, v in found.items()}


def _record(
    row: Any,
    *,
    indicators: tuple[str, ...],
    areas: tuple[str, ...],
    findings: tuple[str, ...],
    outcomes: tuple[str, ...],
    history: tuple[StatusChange, ...],
) -> QualitativeRecord:
    source = (
        Source(
            kind=SourceKind(row.source_kind),
            group=row.source_group,
            date=row.source_date,
            participants=row.participants,
        )
        if row.source_kind
        else None
    )
    return QualitativeRecord(
        code=row.code,
        kind=RecordKind(row.kind),
        title=row.title,
        text=row.text,
        visibility=RecordVisibility(row.visibility),
        topic=row.topic,
        period=row.period,
        indicators=indicators,
        areas=areas,
        source=source,
        rationale=row.rationale,
        addressee=Addressee(row.addressee) if row.addressee else None,
        findings=findings,
        responsible_unit=row.responsible_unit,
        estimated_cost=row.estimated_cost,
        outcome_indicators=outcomes,
        history=history,
    )


def stored_kinds(conn: Connection) -> dict[str, RecordKind]:
    """Every stored record's code and kind, whoever may see it (for an import's
    checks of links and codes)."""
    rec = schema.qualitative_record
    return {
        r.code: RecordKind(r.kind) for r in conn.execute(select(rec.c.code, rec.c.kind))
    }


def current_statuses(conn: Connection) -> dict[str, Status]:
    """Each recommendation's current status (its newest history entry), by code."""
    rec, st = schema.qualitative_record, schema.recommendation_status
    found: dict[str, Status] = {}
    for row in conn.execute(
        select(rec.c.code, st.c.status)
        .join(st, st.c.record_id == rec.c.id)
        .order_by(st.c.id)
    ):
        found[row.code] = Status(row.status)
    return found


def _fields(record: QualitativeRecord) -> dict[str, Any]:
    source = record.source
    return {
        "kind": record.kind.value,
        "title": record.title,
        "text": record.text,
        "visibility": record.visibility.value,
        "topic": record.topic,
        "period": record.period,
        "source_kind": source.kind.value if source else "",
        "source_group": source.group if source else "",
        "source_date": source.date if source else None,
        "participants": source.participants if source else None,
        "rationale": record.rationale,
        "addressee": record.addressee.value if record.addressee else "",
        "responsible_unit": record.responsible_unit,
        "estimated_cost": record.estimated_cost,
    }


def save_record(
    conn: Connection,
    record: QualitativeRecord,
    *,
    status: Status | None = None,
    status_on: dt.date | None = None,
    actor: str,
    now: dt.datetime | None = None,
) -> bool:
    """Store a record (new, or an update of the one with its code) with its links;
    for a recommendation, append ``status`` to its history when it differs from
    the current one. Runs in the caller's transaction.

    Returns
    -------
    bool
        Whether anything changed.

    Raises
    ------
    StatusChangeError
        When ``status`` may not follow the current status (``may_follow``).
    """
    now = now or dt.datetime.now(dt.UTC)
    rec, link, st = (
        schema.qualitative_record,
        schema.qualitative_link,
        schema.recommendation_status,
    )
    fields = _fields(record)
    row = conn.execute(select(rec).where(rec.c.code == record.code)).first()
    targets = [
        {"role": role, "target": code, "position": i}
        for role, codes in (
            (INDICATOR, record.indicators),
            (AREA, record.areas),
            (FINDING, record.findings),
            (OUTCOME, record.outcome_indicators),
        )
        for i, code in enumerate(dict.fromkeys(codes))
    ]
    changed = False
    if row is None:
        record_id = conn.scalar(
            insert(rec)
            .values(code=record.code, updated_at=now, **fields)
            .returning(rec.c.id)
        )
        changed = True
    else:
        record_id = row.id
        stored_links = [
            {"role": r.role, "target": r.target, "position": r.position}
            for r in conn.execute(
                select(link)
                .where(link.c.record_id == record_id)
                .order_by(link.c.role, link.c.position)
            )
        ]
        same_links = sorted(stored_links, key=_link_key) == sorted(
            targets, key=_link_key
        )
        if any(getattr(row, k) != v for k, v in fields.items()) or not same_links:
            conn.execute(
                update(rec)
                .where(rec.c.id == record_id)
                .values(updated_at=now, **fields)
            )
            conn.execute(delete(link).where(link.c.record_id == record_id))
            changed = True
        else:
            targets = []
    if changed and targets:
        conn.execute(insert(link), [{"record_id": record_id, **t} for t in targets])
    if record.kind is RecordKind.RECOMMENDATION and status is not None:
        current = conn.scalar(
            select(st.c.status)
            .where(st.c.record_id == record_id)
            .order_by(st.c.id.desc())
            .limit(1)
        )
        before = Status(current) if current else None
        if before is not status:
            if not may_follow(before, status):
                raise StatusChangeError(
                    f"The recommendation '{record.code}' cannot go from "
                    f"'{before}' to '{status}': a status only moves forward."
                )
            conn.execute(
                insert(st).values(
                    record_id=record_id,
                    status=status.value,
                    changed_on=status_on or now.date(),
                    actor=actor,
                    recorded_at=now,
                )
            )
            changed = True
    return changed


def _link_key(link: dict[str, Any]) -> tuple[str, int, str]:
    return (link["role"], link["position"], link["target"])
