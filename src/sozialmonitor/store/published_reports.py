"""Reports published as pages: stored as rendered (the text and the HTML file the
PDF is made from), so that a published report never changes when later releases
come; withdrawn, not deleted. Each publication and withdrawal is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, update

from sozialmonitor.access import audit
from sozialmonitor.store.schema import published_report

PUBLISHED = "report-published"
"""The audit log's action of a report published as a page."""
WITHDRAWN = "report-withdrawn"
"""The audit log's action of a published report withdrawn."""


@dataclass(frozen=True, kw_only=True)
class PublishedReport:
    """A report as it was published."""

    id: int
    template: str
    area: str | None
    topic: str | None
    lang: str
    title: str
    release_name: str
    """The release (Datenstand) every figure is from."""
    body: str
    """The text as the portal shows it."""
    document: str
    """The self-contained HTML file (its PDF is made from it)."""
    published_at: dt.datetime
    published_by: str
    withdrawn_at: dt.datetime | None = None
    withdrawn_by: str | None = None


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _row(row: object) -> PublishedReport:
    data = dict(row._mapping)  # type: ignore[attr-defined]
    data["published_at"] = _aware(data["published_at"])
    if data["withdrawn_at"] is not None:
        data["withdrawn_at"] = _aware(data["withdrawn_at"])
    return PublishedReport(**data)


def publish_report(
    conn: Connection,
    *,
    template: str,
    area: str | None,
    topic: str | None,
    lang: str,
    title: str,
    release_name: str,
    body: str,
    document: str,
    actor: str,
    address: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Store a rendered report as published (in the caller's transaction); its id."""
    at = now or dt.datetime.now(dt.UTC)
    found = conn.execute(
        insert(published_report)
        .values(
            template=template,
            area=area,
            topic=topic,
            lang=lang,
            title=title,
            release_name=release_name,
            body=body,
            document=document,
            published_at=at,
            published_by=actor[:100],
        )
        .returning(published_report.c.id)
    ).scalar_one()
    audit.record(
        conn,
        PUBLISHED,
        actor=actor,
        target=str(found),
        address=address,
        detail={"template": template, "area": area or "", "release": release_name},
        at=at,
    )
    return int(found)


def published_reports(
    conn: Connection, *, withdrawn: bool = False
) -> list[PublishedReport]:
    """The published reports, newest first (``withdrawn``: those too)."""
    query = select(published_report).order_by(
        published_report.c.published_at.desc(), published_report.c.id.desc()
    )
    if not withdrawn:
        query = query.where(published_report.c.withdrawn_at.is_(None))
    return [_row(row) for row in conn.execute(query)]


def published_report_by_id(conn: Connection, report_id: int) -> PublishedReport | None:
    """One published report (withdrawn ones too), or None."""
    row = conn.execute(
        select(published_report).where(published_report.c.id == report_id)
    ).first()
    return None if row is None else _row(row)


def withdraw_report(
    conn: Connection,
    report_id: int,
    *,
    actor: str,
    address: str = "",
    now: dt.datetime | None = None,
) -> bool:
    """Take a published report off the list (it is kept); False when there is no
    such report on the list."""
    at = now or dt.datetime.now(dt.UTC)
    done = conn.execute(
        update(published_report)
        .where(
            published_report.c.id == report_id,
            published_report.c.withdrawn_at.is_(None),
        )
        .values(withdrawn_at=at, withdrawn_by=actor[:100])
    ).rowcount
    if done:
        audit.record(
            conn, WITHDRAWN, actor=actor, target=str(report_id), address=address, at=at
        )
    return bool(done)
