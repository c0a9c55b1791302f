"""The data version: a cheap fingerprint of everything a read may return, which the
portal's caches key on (``web/snapshot.py``)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from sozialmonitor.domain.indicator import Visibility
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.store import schema
from sozialmonitor.store.resolution import joined


def data_version(conn: Connection) -> tuple[int, ...]:
    """A cheap fingerprint that changes whenever an import, a new area, a new or
    edited indicator, a changed suppression pattern (both count the indicator's
    revision up; their sum is here) or a release's status changes what a read may
    return; caches key on it."""
    rel, lvl, ind = schema.release, schema.area_level, schema.indicator
    counts = conn.execute(
        select(
            select(
                func.coalesce(func.max(schema.import_log.c.id), 0)
            ).scalar_subquery(),
            select(func.count()).select_from(schema.area).scalar_subquery(),
            select(func.count()).select_from(ind).scalar_subquery(),
            select(func.coalesce(func.sum(ind.c.revision), 0)).scalar_subquery(),
            select(func.count()).select_from(rel).scalar_subquery(),
            select(func.coalesce(func.max(rel.c.sequence), 0)).scalar_subquery(),
            select(func.count())
            .select_from(rel)
            .where(rel.c.status == ReleaseStatus.PUBLISHED.value)
            .scalar_subquery(),
            select(joined(conn, lvl.c.id, ordered=True))
            .where(lvl.c.visibility != Visibility.PUBLIC.value)
            .scalar_subquery(),
        )
    ).one()
    *numbers, internal_levels = counts
    return (*(int(c) for c in numbers), *_numbers(internal_levels))


def _numbers(joined_ids: str | None) -> tuple[int, ...]:
    """``"3,7"`` → ``(3, 7)``; the ids of the internal levels in a fingerprint."""
    return tuple(sorted(int(i) for i in joined_ids.split(","))) if joined_ids else ()
