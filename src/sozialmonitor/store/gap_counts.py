"""The read gate for counts: how many areas of each level have a value the audience
may see, per indicator and period, with the hidden and provisional ones — in a few
aggregate queries (``GROUP BY`` indicator, period, level and parent), never a row
per area in Python, so that the map of data gaps stays cheap at Germany size.

The same rules as :func:`~sozialmonitor.store.queries.read_observations`: published
releases only, the newest value per key, removed values (tombstones) left out,
internal indicators and internal levels for the administration only, parents
without a stored value computed from their children (:mod:`gap_parents`), and the
stored suppression pattern of the newest release that holds one for each slice (a
slice without one hidden whole, as the gate fails closed). A reader with an area
scope gets the public counts: its view mixes areas read as the administration and
as the public, and counting the two apart is not needed for a map of gaps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Subquery, and_, case, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.aggregation import adds_values, can_aggregate
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import schema
from sozialmonitor.store.gap_parents import ChildGroup, Usable, computed_parents
from sozialmonitor.store.queries import release_priorities
from sozialmonitor.store.records import indicator_from_row

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
    computed: bool
    """The level has no stored value here: its values are computed from the areas
    below (and ``shown`` counts those)."""
    shown: int
    """Areas whose value the audience sees (a number, not hidden)."""
    suppressed: int
    """Areas whose value the audience may not see: kept secret by the source, or
    (for the public) hidden by the suppression pattern."""
    confidential: int
    """Areas whose value only the administration sees (0 for the public)."""
    provisional: int
    """Of the shown values, those marked provisional (vorläufig)."""


def counting_audience(audience: Audience) -> Audience:
    """The audience whose counts a reader gets: a scoped reader the public's."""
    return Audience.PUBLIC if audience.scoped else audience


Key = tuple[int, int, str]
"""(indicator id, level id, period)"""


def read_gap_counts(
    conn: Connection,
    *,
    audience: Audience = Audience.PUBLIC,
    within: str | None = None,
) -> list[GapCount]:
    """Per indicator, level and period with any value or hidden cell, what the
    audience may see (see the module's description); with ``within`` (a top
    area's code), of that area and the areas below it only.

    Returns
    -------
    list[GapCount]
        In no particular order; levels, indicators and periods without any value
        or hidden cell have no entry.
    """
    found = read_gap_counts_for(conn, [audience], within=within)
    return found[counting_audience(audience)]


def read_gap_counts_for(
    conn: Connection, audiences: Sequence[Audience], *, within: str | None = None
) -> dict[Audience, list[GapCount]]:
    """:func:`read_gap_counts` for several audiences with one scan of the values
    (keyed by ``counting_audience``)."""
    wanted = list(dict.fromkeys(counting_audience(a) for a in audiences))
    # Reads without ``as_of`` see the published releases, whoever reads.
    priorities = release_priorities(conn, as_of=None, audience=Audience.PUBLIC)
    ind, lvl = schema.indicator, schema.area_level
    indicators = {r.id: indicator_from_row(r) for r in conn.execute(select(ind))}
    levels = {r.id: (r.code, r.visibility) for r in conn.execute(select(lvl))}
    readable = {
        a: {
            key: i
            for key, i in indicators.items()
            if a.internal or i.visibility is Visibility.PUBLIC
        }
        for a in wanted
    }
    ids = sorted({key for found in readable.values() for key in found})
    if not priorities or not ids:
        return {a: [] for a in wanted}
    tree = _area_tree(conn)
    areas = _subtree(conn, tree, within) if within is not None else None
    current = _current(priorities, ids, areas)
    groups = _child_groups(conn, current)
    stored = _stored_totals(groups)
    newest = _newest_patterns(conn, priorities, ids)
    # Which parents are computed does not depend on who reads (the gate computes
    # them from every stored value, then hides what the reader may not see).
    computed = _computed(groups, indicators, set(stored), tree)
    del groups
    return {
        a: _counts(
            conn,
            a,
            _Read(
                indicators=readable[a],
                levels={
                    key: code
                    for key, (code, visibility) in levels.items()
                    if a.internal or visibility == Visibility.PUBLIC.value
                },
                current=current,
                newest={s: r for s, r in newest.items() if s[0] in readable[a]},
                areas=areas,
            ),
            {k: v for k, v in stored.items() if k[0] in readable[a]},
            {k: v for k, v in computed.items() if k[0] in readable[a]},
        )
        for a in wanted
    }


@dataclass(frozen=True, kw_only=True)
class _Read:
    """What one audience's counts are read with."""

    indicators: dict[int, Indicator]
    levels: dict[int, str]
    current: Subquery
    newest: dict[tuple[int, str], int]
    areas: list[int] | None
    """The ids of the areas counted (None: all)."""


def _counts(
    conn: Connection,
    audience: Audience,
    read: _Read,
    stored: dict[Key, _Stored],
    computed: dict[Key, dict[int, bool]],
) -> list[GapCount]:
    indicators, levels, newest = read.indicators, read.levels, read.newest
    if not indicators or not levels:
        return []
    ids = list(indicators)
    pattern = _pattern_counts(conn, read.current, newest, ids, list(levels), read.areas)
    hidden = _hidden_parents(conn, newest, ids, read.areas) if computed else {}
    found = []
    keys = stored.keys() | pattern.keys() | computed.keys()
    for key in (k for k in keys if k[1] in levels):
        indicator_id, level_id, period = key
        slice_ = (indicator_id, period)
        covered = audience.internal or slice_ in newest
        if key in computed and key not in stored:
            shown, suppressed, confidential, provisional = _computed_counts(
                computed[key], hidden.get(slice_, set()), audience, covered
            )
        else:
            shown, suppressed, confidential, provisional = _stored_counts(
                stored.get(key, _Stored()), pattern.get(key), audience, covered
            )
        found.append(
            GapCount(
                indicator=indicators[indicator_id].id,
                level=levels[level_id],
                period=period,
                stored=stored[key].stored if key in stored else 0,
                computed=key in computed and key not in stored,
                shown=shown,
                suppressed=suppressed,
                confidential=confidential,
                provisional=provisional,
            )
        )
    return found


Counts = tuple[int, int, int, int]
"""shown, suppressed, confidential, provisional"""


def _stored_counts(
    s: _Stored, p: _Pattern | None, audience: Audience, covered: bool
) -> Counts:
    if audience.internal:
        confidential = p.with_value if p is not None else 0
        return s.with_value, s.secret, confidential, s.provisional
    if not covered:  # no pattern for this slice: the gate hides all of it
        return 0, s.stored, 0, 0
    p = p or _Pattern()
    return (
        s.with_value - p.with_value,
        p.cells + (s.secret - p.secret),
        0,
        s.provisional - p.provisional,
    )


def _computed_counts(
    values: dict[int, bool], hidden: set[int], audience: Audience, covered: bool
) -> Counts:
    """The counts of a level whose values are all computed: ``values`` is area id
    → provisional, ``hidden`` the slice's hidden parents."""
    hidden_here = hidden & values.keys()
    provisional = sum(1 for a, p in values.items() if p and a not in hidden_here)
    if audience.internal:
        return len(values), 0, len(hidden_here), sum(values.values())
    if not covered:
        return 0, len(values), 0, 0
    return len(values) - len(hidden_here), len(hidden_here), 0, provisional


@dataclass(frozen=True)
class _Stored:
    stored: int = 0
    with_value: int = 0
    """Stored with a value and not kept secret by the source."""
    secret: int = 0
    provisional: int = 0
    """Of ``with_value``, marked provisional."""


@dataclass(frozen=True)
class _Pattern:
    cells: int = 0
    """Hidden cells of the level (stored or computed)."""
    with_value: int = 0
    secret: int = 0
    provisional: int = 0


def _flag(column: Any, bit: int) -> Any:
    return column.op("&")(bit) != 0


def _sum(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _current(
    priorities: dict[int, int], indicator_ids: list[int], areas: list[int] | None
) -> Subquery:
    """The newest stored row per key of the releases a read may see (tombstones
    still in: they remove a value, so they are the newest row of their key), of
    the areas counted (None: all)."""
    o = schema.observation
    conditions = [
        o.c.release_id.in_(list(priorities)),
        o.c.indicator_id.in_(indicator_ids),
    ]
    if areas is not None:
        conditions.append(o.c.area_id.in_(areas))
    columns = (
        o.c.indicator_id,
        o.c.period,
        o.c.area_id,
        o.c.value,
        o.c.numerator,
        o.c.denominator,
        o.c.flags,
    )
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
        select(*(ranked.c[c.name] for c in columns))
        .where(ranked.c.newest == 1)
        .subquery("current")
    )


def _child_groups(conn: Connection, current: Subquery) -> list[ChildGroup]:
    """The stored values per indicator, period, level and parent, every level (an
    internal level's values count towards the parents computed from them)."""
    a = schema.area
    secret = _flag(current.c.flags, _SOURCE)
    provisional = _flag(current.c.flags, _PROVISIONAL)
    with_value = and_(current.c.value.isnot(None), ~secret)
    with_parts = and_(
        current.c.numerator.isnot(None), current.c.denominator.isnot(None), ~secret
    )
    rows = conn.execute(
        select(
            current.c.indicator_id,
            current.c.period,
            a.c.level_id,
            a.c.parent_id,
            func.count(),
            _sum(with_value),
            _sum(secret),
            _sum(and_(with_value, provisional)),
            _sum(with_parts),
            _sum(and_(with_parts, provisional)),
        )
        .join(a, a.c.id == current.c.area_id)
        .where(~_flag(current.c.flags, _REMOVED))
        .group_by(current.c.indicator_id, current.c.period, a.c.level_id, a.c.parent_id)
    )
    return [tuple(row) for row in rows]


def _stored_totals(groups: Iterable[ChildGroup]) -> dict[Key, _Stored]:
    totals: dict[Key, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for i, period, level, _parent, n, value, secret, provisional, *_ in groups:
        found = totals[(i, level, period)]
        found[0] += n
        found[1] += value
        found[2] += secret
        found[3] += provisional
    return {key: _Stored(*(int(n) for n in numbers)) for key, numbers in totals.items()}


@dataclass(frozen=True)
class _Tree:
    parent_of: dict[int, int | None]
    level_of: dict[int, int]


def _area_tree(conn: Connection) -> _Tree:
    """Every area's parent and level, by id (11,000 municipalities: a few ms)."""
    a = schema.area
    parent_of: dict[int, int | None] = {}
    level_of: dict[int, int] = {}
    for area_id, parent_id, level_id in conn.execute(
        select(a.c.id, a.c.parent_id, a.c.level_id)
    ):
        parent_of[area_id] = parent_id
        level_of[area_id] = level_id
    return _Tree(parent_of=parent_of, level_of=level_of)


def _subtree(conn: Connection, tree: _Tree, code: str) -> list[int]:
    """The ids of an area and every area below it (none for an unknown code)."""
    a = schema.area
    top = conn.execute(select(a.c.id).where(a.c.code == code)).scalar()
    if top is None:
        return []
    children: dict[int | None, list[int]] = defaultdict(list)
    for area_id, parent_id in tree.parent_of.items():
        children[parent_id].append(area_id)
    found, todo = [top], [top]
    while todo:
        below = children.get(todo.pop(), [])
        found.extend(below)
        todo.extend(below)
    return found


def _computed(
    groups: list[ChildGroup],
    indicators: dict[int, Indicator],
    stored: set[Key],
    tree: _Tree,
) -> dict[Key, dict[int, bool]]:
    usable: dict[int, Usable] = {
        key: "value" if adds_values(indicator) else "parts"
        for key, indicator in indicators.items()
        if can_aggregate(indicator)
    }
    if not usable:
        return {}
    return computed_parents(
        groups,
        parent_of=tree.parent_of,
        level_of=tree.level_of,
        usable=usable,
        stored_levels=stored,
    )


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
    areas: list[int] | None,
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
    within = [sc.c.area_id.in_(areas)] if areas is not None else []
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
            *within,
        )
        .group_by(sc.c.release_id, sc.c.indicator_id, a.c.level_id, sc.c.period)
    )
    found: dict[Key, _Pattern] = {}
    for release_id, i, lvl, period, n, v, s, p in rows:
        if newest.get((i, period)) == release_id:
            found[(i, lvl, period)] = _Pattern(int(n), int(v), int(s), int(p))
    return found


def _hidden_parents(
    conn: Connection,
    newest: dict[tuple[int, str], int],
    indicator_ids: list[int],
    areas: list[int] | None,
) -> dict[tuple[int, str], set[int]]:
    """The hidden cells of parent areas (those computed values can be in), per
    slice, of the patterns the read applies."""
    if not newest:
        return {}
    sc, a = schema.suppressed_cell, schema.area
    parents = select(a.c.parent_id).where(a.c.parent_id.isnot(None)).distinct()
    within = [sc.c.area_id.in_(areas)] if areas is not None else []
    rows = conn.execute(
        select(sc.c.release_id, sc.c.indicator_id, sc.c.period, sc.c.area_id).where(
            sc.c.release_id.in_(set(newest.values())),
            sc.c.indicator_id.in_(indicator_ids),
            sc.c.area_id.in_(parents),
            *within,
        )
    )
    found: dict[tuple[int, str], set[int]] = defaultdict(set)
    for release_id, i, period, area_id in rows:
        if newest.get((i, period)) == release_id:
            found[(i, period)].add(area_id)
    return dict(found)
