"""The read gate for counts: how many areas of each level have a value the audience
may see, per indicator and period, with the hidden and provisional ones — in a few
aggregate queries (``GROUP BY`` indicator, level, period), never a row per area in
Python, so that the map of data gaps stays cheap at Germany size.

The same rules as :func:`~sozialmonitor.store.queries.read_observations`: published
releases only, the newest value per key, removed values (tombstones) left out,
internal indicators and internal levels for the administration only, and the stored
suppression pattern of the newest release that holds one for each slice (a slice
without one hidden whole, as the gate fails closed). A reader with an area scope gets
the public counts: its view mixes areas read as the administration and as the
public, and counting the two apart is not needed for a map of gaps.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Subquery, and_, case, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Visibility
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import schema
from sozialmonitor.store.queries import release_priorities

_SOURCE = int(Flag.SUPPRESSED)
_PROVISIONAL = int(Flag.PROVISIONAL)
_REMOVED = int(Flag.REMOVED)


@dataclass(frozen=True, kw_only=True)
class GapCount:
    """What one audience may see of one indicator on one level in one period."""

    indicator: str
    """Indicator id."""
    level: str
    """Area level code."""
    period: str
    """Period code."""
    stored: int
    """Areas of the level with a stored value (the newest, not removed)."""
    shown: int
    """Areas whose value the audience sees (a number, not hidden)."""
    suppressed: int
    """Areas whose value the audience may not see: kept secret by the source, or
    (for the public) hidden by the suppression pattern — parents computed from
    their children included."""
    confidential: int
    """Areas whose value only the administration sees (0 for the public)."""
    provisional: int
    """Of the shown values, those marked provisional (vorläufig)."""


def counting_audience(audience: Audience) -> Audience:
    """The audience whose counts a reader gets: a scoped reader the public's."""
    return Audience.PUBLIC if audience.scoped else audience


def read_gap_counts(
    conn: Connection, *, audience: Audience = Audience.PUBLIC
) -> list[GapCount]:
    """Per indicator, level and period with any stored value or hidden cell, what
    the audience may see (see the module's description).

    Returns
    -------
    list[GapCount]
        In no particular order; levels, indicators and periods without any stored
        or hidden cell have no entry.
    """
    audience = counting_audience(audience)
    priorities = release_priorities(conn, as_of=None, audience=audience)
    ind, lvl = schema.indicator, schema.area_level
    indicator_query = select(ind.c.id, ind.c.code)
    level_query = select(lvl.c.id, lvl.c.code)
    if not audience.internal:
        indicator_query = indicator_query.where(
            ind.c.visibility == Visibility.PUBLIC.value
        )
        level_query = level_query.where(lvl.c.visibility == Visibility.PUBLIC.value)
    indicators = {r.id: r.code for r in conn.execute(indicator_query)}
    levels = {r.id: r.code for r in conn.execute(level_query)}
    if not priorities or not indicators or not levels:
        return []
    current = _current(priorities, list(indicators))
    stored = _stored_counts(conn, current, list(levels))
    newest = _newest_patterns(conn, priorities, list(indicators))
    pattern = _pattern_counts(conn, current, newest, list(indicators), list(levels))
    found = []
    for key in stored.keys() | pattern.keys():
        indicator_id, level_id, period = key
        s = stored.get(key, _Stored())
        p = pattern.get(key)
        if audience.internal:
            shown, suppressed = s.with_value, s.source
            provisional = s.provisional
            confidential = (p.cells - p.source) if p is not None else 0
        elif (indicator_id, period) not in newest:
            # No pattern for this slice: the gate hides all of it.
            shown, provisional, confidential = 0, 0, 0
            suppressed = s.stored
        else:
            p = p or _Pattern()
            shown = s.with_value - p.with_value
            provisional = s.provisional - p.provisional
            suppressed = p.cells + (s.source - p.source)
            confidential = 0
        found.append(
            GapCount(
                indicator=indicators[indicator_id],
                level=levels[level_id],
                period=period,
                stored=s.stored,
                shown=shown,
                suppressed=suppressed,
                confidential=confidential,
                provisional=provisional,
            )
        )
    return found


@dataclass(frozen=True)
class _Stored:
    stored: int = 0
    with_value: int = 0
    """Stored with a value and not kept secret by the source."""
    source: int = 0
    provisional: int = 0
    """Of ``with_value``, marked provisional."""


@dataclass(frozen=True)
class _Pattern:
    cells: int = 0
    """Hidden cells of the level (stored or computed)."""
    with_value: int = 0
    source: int = 0
    provisional: int = 0


Key = tuple[int, int, str]
"""(indicator id, level id, period)"""


def _flag(column: Any, bit: int) -> Any:
    return column.op("&")(bit) != 0


def _current(priorities: dict[int, int], indicator_ids: list[int]) -> Subquery:
    """The newest stored row per key of the releases a read may see (tombstones
    still in: they remove a value, so they are the newest row of their key)."""
    o = schema.observation
    conditions = (
        o.c.release_id.in_(list(priorities)),
        o.c.indicator_id.in_(indicator_ids),
    )
    columns = (o.c.indicator_id, o.c.period, o.c.area_id, o.c.value, o.c.flags)
    if len(priorities) == 1:
        return select(*columns).where(*conditions).subquery("current")
    rank = case(priorities, value=o.c.release_id, else_=0)
    ranked = (
        select(
            *columns,
            func.row_number()
            .over(
                partition_by=(o.c.indicator_id, o.c.period, o.c.area_id),
                order_by=rank.desc(),
            )
            .label("newest"),
        )
        .where(*conditions)
        .subquery("ranked")
    )
    return (
        select(
            ranked.c.indicator_id,
            ranked.c.period,
            ranked.c.area_id,
            ranked.c.value,
            ranked.c.flags,
        )
        .where(ranked.c.newest == 1)
        .subquery("current")
    )


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _stored_counts(
    conn: Connection, current: Subquery, level_ids: list[int]
) -> dict[Key, _Stored]:
    a = schema.area
    secret = _flag(current.c.flags, _SOURCE)
    with_value = and_(current.c.value.isnot(None), ~secret)
    rows = conn.execute(
        select(
            current.c.indicator_id,
            a.c.level_id,
            current.c.period,
            func.count(),
            _sum(with_value),
            _sum(secret),
            _sum(and_(with_value, _flag(current.c.flags, _PROVISIONAL))),
        )
        .join(a, a.c.id == current.c.area_id)
        .where(~_flag(current.c.flags, _REMOVED), a.c.level_id.in_(level_ids))
        .group_by(current.c.indicator_id, a.c.level_id, current.c.period)
    )
    return {
        (i, lvl, period): _Stored(int(n), int(v), int(s), int(p))
        for i, lvl, period, n, v, s, p in rows
    }


def _newest_patterns(
    conn: Connection, priorities: dict[int, int], indicator_ids: list[int]
) -> dict[tuple[int, str], int]:
    """(indicator id, period) → the release whose pattern the read applies."""
    sl = schema.suppression_slice
    newest: dict[tuple[int, str], int] = {}
    rows = conn.execute(
        select(sl.c.indicator_id, sl.c.period, sl.c.release_id).where(
            sl.c.release_id.in_(list(priorities)),
            sl.c.indicator_id.in_(indicator_ids),
        )
    )
    for indicator_id, period, release_id in rows:
        held = newest.get((indicator_id, period))
        if held is None or priorities[release_id] > priorities[held]:
            newest[(indicator_id, period)] = release_id
    return newest


def _pattern_counts(
    conn: Connection,
    current: Subquery,
    newest: dict[tuple[int, str], int],
    indicator_ids: list[int],
    level_ids: list[int],
) -> dict[Key, _Pattern]:
    """Hidden cells per indicator, level and period of the patterns the read
    applies, and how many of them are stored values (with a value, secret,
    provisional)."""
    if not newest:
        return {}
    sc, a = schema.suppressed_cell, schema.area
    live = and_(
        current.c.indicator_id == sc.c.indicator_id,
        current.c.period == sc.c.period,
        current.c.area_id == sc.c.area_id,
        ~_flag(current.c.flags, _REMOVED),
    )
    secret = _flag(current.c.flags, _SOURCE)
    with_value = and_(current.c.value.isnot(None), ~secret)
    rows = conn.execute(
        select(
            sc.c.release_id,
            sc.c.indicator_id,
            a.c.level_id,
            sc.c.period,
            func.count(),
            _sum(with_value),
            _sum(secret),
            _sum(and_(with_value, _flag(current.c.flags, _PROVISIONAL))),
        )
        .join(a, a.c.id == sc.c.area_id)
        .outerjoin(current, live)
        .where(
            sc.c.release_id.in_(set(newest.values())),
            sc.c.indicator_id.in_(indicator_ids),
            a.c.level_id.in_(level_ids),
        )
        .group_by(sc.c.release_id, sc.c.indicator_id, a.c.level_id, sc.c.period)
    )
    found: dict[Key, _Pattern] = defaultdict(_Pattern)
    for release_id, i, lvl, period, n, v, s, p in rows:
        if newest.get((i, period)) == release_id:
            found[(i, lvl, period)] = _Pattern(int(n), int(v), int(s), int(p))
    return dict(found)
