"""Suppression patterns, computed when a release is published and stored with it.

For every indicator and period a release touches, the state "as of" the release —
stored values and the parents computed from them, on every level — is turned into a
table (``access.attack.Table``) and protected (``access.disclosure.protect``) against
every state published before. The read gate applies the stored pattern of the newest
release it may see (``store.pattern.read_pattern``); it never computes one, so every
surface agrees and reads stay fast.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, and_, delete, func, insert, or_, select

from sozialmonitor.access.attack import Cell, Equation, State, Table
from sozialmonitor.access.disclosure import METHOD, Pattern, Reason, protect
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.aggregation import aggregate, can_aggregate
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.release import Release
from sozialmonitor.store import schema
from sozialmonitor.store.pattern import Slice
from sozialmonitor.store.records import indicator_from_row
from sozialmonitor.store.resolution import ObservationQuery

_SOURCE = int(Flag.SUPPRESSED)
_COMPUTED = int(Flag.COMPUTED)


# --- computing ----------------------------------------------------------------------


def protect_release(conn: Connection, release: Release) -> int:
    """Compute and store the patterns of every slice ``release`` stores values in
    (replacing patterns it had); returns the number of cells hidden."""
    slices = touched_slices(conn, release.id)
    return _protect(conn, release, slices)


def reprotect_after_withdrawal(conn: Connection, withdrawn: Release) -> int:
    """A withdrawn release changes the state "as of" every later release that shares
    a slice with it: their patterns of those slices are computed again."""
    gone = touched_slices(conn, withdrawn.id)
    hidden = 0
    for later in _published_after(conn, withdrawn.sequence or 0):
        shared = touched_slices(conn, later.id) & gone
        if shared:
            hidden += _protect(conn, later, shared)
    return hidden


def reprotect_indicator(conn: Connection, indicator_id: int) -> int:
    """An indicator's ``min_count`` changed: the patterns of every slice of it that a
    published (or published and since withdrawn) release holds are computed again,
    oldest release first, so that each takes the new patterns of the earlier ones
    as what the public has seen. Returns the number of cells hidden."""
    hidden = 0
    for release in _published_after(conn, 0):
        slices = {s for s in touched_slices(conn, release.id) if s[0] == indicator_id}
        if slices:
            hidden += _protect(conn, release, slices)
    return hidden


def ensure_patterns(conn: Connection) -> int:
    """Compute the missing patterns of published releases (a database from before
    patterns existed); returns the number of slices computed."""
    done = 0
    for release in _published_after(conn, 0):
        have = {
            (r.indicator_id, r.period)
            for r in conn.execute(
                select(
                    schema.suppression_slice.c.indicator_id,
                    schema.suppression_slice.c.period,
                ).where(schema.suppression_slice.c.release_id == release.id)
            )
        }
        missing = touched_slices(conn, release.id) - have
        if missing:
            _protect(conn, release, missing)
            done += len(missing)
    return done


def reprotect_for_scope(
    conn: Connection,
    area_code: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """The area scope ``area_code`` was given to an account: the published slices
    it touches are protected again, oldest release first, now also against a
    reader who knows that scope's true values. Returns the number of cells hidden
    in the slices computed.

    A slice is left as it is when no pattern of it (or of a linked indicator's
    slice of its period) in its release or an earlier one hides a cell of the
    scope's area or below: such a reader knows no hidden value, so the audit is the
    public's and its result the stored pattern. ``progress(done, total)`` is told
    the slices computed after each release. Runs in the caller's transaction (a
    job's: ``access.scope_protection``)."""
    if area_code is None:
        return 0
    hierarchy = _hierarchy(conn)
    if area_code not in hierarchy.parent:
        return 0
    from sozialmonitor.store.linked import groups_of

    inside = {hierarchy.ids[c] for c in _subtree(hierarchy, area_code)}
    groups = groups_of(_indicators(conn))

    def group(indicator_id: int) -> int:
        found = groups.get(indicator_id)
        return found.members[0] if found else indicator_id

    sc, rel = schema.suppressed_cell, schema.release
    first: dict[tuple[int, str], int] = {}
    for indicator_id, period, area_id, sequence in conn.execute(
        select(sc.c.indicator_id, sc.c.period, sc.c.area_id, rel.c.sequence).join(
            rel, rel.c.id == sc.c.release_id
        )
    ):
        if area_id in inside and sequence is not None:
            slot = (group(indicator_id), period)
            first[slot] = min(first.get(slot, sequence), sequence)
    work = []
    for release in _published_after(conn, 0):
        sequence = release.sequence or 0
        slices = {
            (i, p)
            for i, p in touched_slices(conn, release.id)
            if first.get((group(i), p), sequence + 1) <= sequence
        }
        if slices:
            work.append((release, slices))
    total = sum(len(slices) for _release, slices in work)
    done = hidden = 0
    for release, slices in work:
        hidden += _protect(conn, release, slices)
        done += len(slices)
        if progress is not None:
            progress(done, total)
    return hidden


def _subtree(hierarchy: _Hierarchy, code: str) -> set[str]:
    """``code`` and every area below it."""
    found, frontier = {code}, [code]
    while frontier:
        for child in hierarchy.children.get(frontier.pop(), ()):
            found.add(child)
            frontier.append(child)
    return found


def insider_scopes(conn: Connection, hierarchy: _Hierarchy) -> list[frozenset[str]]:
    """Per area scope of an account (enabled or not: a disabled account's staff
    knew the values), the codes of its area and every area below it."""
    a = schema.account
    codes = conn.scalars(
        select(a.c.area_code).where(a.c.area_code.is_not(None)).distinct()
    )
    scopes = []
    for code in sorted(codes):
        if code in hierarchy.parent:
            scopes.append(frozenset(_subtree(hierarchy, code)))
    return scopes


def touched_slices(conn: Connection, release_id: int) -> set[Slice]:
    o = schema.observation
    rows = conn.execute(
        select(o.c.indicator_id, o.c.period)
        .where(o.c.release_id == release_id)
        .distinct()
    )
    return {(r.indicator_id, r.period) for r in rows}


def _published_after(conn: Connection, sequence: int) -> list[Release]:
    """Releases published (or published and since withdrawn) after ``sequence``."""
    from sozialmonitor.store.queries import list_releases

    return sorted(
        (r for r in list_releases(conn) if (r.sequence or 0) > sequence),
        key=lambda r: r.sequence or 0,
    )


def pending_patterns(
    conn: Connection, draft: Release, slices: Iterable[Slice]
) -> dict[Slice, frozenset[str]]:
    """The area codes of ``slices`` that the public would not see if ``draft`` were
    published now, computed as ``publish_release`` will and stored nowhere: for
    results derived from a draft that are published with it (``index compute``).
    A draft has no pattern of its own (the read gate hides nothing of it from the
    administration)."""
    sequence = (conn.scalar(select(func.max(schema.release.c.sequence))) or 0) + 1
    as_published = dataclasses.replace(draft, sequence=sequence)
    return {
        (indicator_id, period): frozenset(pattern.hidden)
        for indicator_id, period, pattern in _patterns_of(
            conn, as_published, slices, _hierarchy(conn)
        )
    }


def _protect(conn: Connection, release: Release, slices: Iterable[Slice]) -> int:
    hierarchy = _hierarchy(conn)
    hidden_total = 0
    for indicator_id, period, pattern in _patterns_of(conn, release, slices, hierarchy):
        _store(conn, release.id, indicator_id, period, pattern, hierarchy)
        hidden_total += len(pattern.hidden)
    return hidden_total


def _patterns_of(
    conn: Connection,
    release: Release,
    slices: Iterable[Slice],
    hierarchy: _Hierarchy,
) -> Iterator[tuple[int, str, Pattern]]:
    """Each slice's pattern as of ``release``, indicator by indicator (a caller
    storing them stores one indicator's before the next is computed); then the
    patterns of the change indicators (``change_of``) those slices feed, which hide
    what the indicator they are a change of hides at either period."""
    from sozialmonitor.store.linked import changed_slices, changes_of, derived

    indicators = _indicators(conn)
    changes = changes_of(indicators)
    wanted = set(slices)
    feeding = changed_slices(conn, changes, wanted)
    own: dict[Slice, Pattern] = {}
    computed: dict[Slice, Pattern] = {}
    for indicator_id, period, pattern in _protected(
        conn, release, wanted | feeding, hierarchy, indicators
    ):
        if indicator_id in changes:
            own[(indicator_id, period)] = pattern
            continue
        computed[(indicator_id, period)] = pattern
        yield indicator_id, period, pattern
    for (change, period), pattern in derived(
        conn, changes, own, computed, release.sequence or 0, hierarchy
    ):
        yield change, period, pattern


def _protected(
    conn: Connection,
    release: Release,
    slices: Iterable[Slice],
    hierarchy: _Hierarchy,
    indicators: dict[int, Indicator],
) -> Iterator[tuple[int, str, Pattern]]:
    from sozialmonitor.store.linked import group_patterns, groups_of

    insiders = insider_scopes(conn, hierarchy)
    groups = groups_of(indicators)
    by_indicator: dict[int, set[str]] = defaultdict(set)
    for indicator_id, period in slices:
        by_indicator[indicator_id].add(period)
        for member in groups[indicator_id].members if indicator_id in groups else ():
            by_indicator[member].add(period)  # linked: protected together
    done: set[int] = set()
    for indicator_id, all_periods in sorted(by_indicator.items()):
        indicator = indicators[indicator_id]
        if indicator_id in groups:
            group = groups[indicator_id]
            if group.members[0] in done:
                continue
            done.add(group.members[0])
            periods = set().union(
                *(
                    _needing_protection(
                        conn, indicators[m], m, release, by_indicator[m]
                    )
                    for m in group.members
                )
            )
            for member in group.members:
                for period in sorted(by_indicator[member] - periods):
                    yield member, period, Pattern(hidden={})
            if periods:
                yield from group_patterns(
                    conn,
                    group,
                    indicators,
                    periods,
                    release.name,
                    release.sequence or 0,
                    insiders,
                    hierarchy,
                )
            continue
        periods = _needing_protection(
            conn, indicator, indicator_id, release, all_periods
        )
        for period in sorted(all_periods - periods):
            yield indicator_id, period, Pattern(hidden={})
        if not periods:
            continue
        tables = slice_tables(conn, indicator, periods, release.name, hierarchy)
        earlier = _earlier_states(
            conn, indicator, indicator_id, periods, release, hierarchy
        )
        for period in sorted(periods):
            yield (
                indicator_id,
                period,
                protect(tables[period], indicator.min_count, earlier[period], insiders),
            )


def _needing_protection(
    conn: Connection,
    indicator: Indicator,
    indicator_id: int,
    release: Release,
    periods: set[str],
) -> set[str]:
    """The periods whose pattern may hide anything: the release stores a small
    count or a secret cell there, or an earlier release hid cells there. Elsewhere
    nothing is small: parents add up children that are all zero or large enough,
    and stored values from earlier releases were checked when they were published."""
    o, sc, rel = schema.observation, schema.suppressed_cell, schema.release
    column = {
        IndicatorKind.COUNT: o.c.value,
        IndicatorKind.SHARE: o.c.numerator,
        IndicatorKind.RATE: o.c.numerator,
        IndicatorKind.MEAN: o.c.denominator,
    }.get(indicator.kind)
    risky = o.c.flags.op("&")(_SOURCE) != 0
    if column is not None:
        risky = or_(risky, and_(column > 0, column < indicator.min_count))
    small = conn.execute(
        select(o.c.period)
        .where(o.c.release_id == release.id, o.c.indicator_id == indicator_id, risky)
        .distinct()
    )
    found = {r.period for r in small}
    hidden_before = conn.execute(
        select(sc.c.period)
        .join(rel, rel.c.id == sc.c.release_id)
        .where(sc.c.indicator_id == indicator_id)
        .where(rel.c.sequence < (release.sequence or 0))
        .distinct()
    )
    found |= {r.period for r in hidden_before}
    return found & periods


def _earlier_states(
    conn: Connection,
    indicator: Indicator,
    indicator_id: int,
    periods: set[str],
    release: Release,
    hierarchy: _Hierarchy,
) -> dict[str, list[State]]:
    """Per period, the states of the slice the public has seen before ``release``:
    as of every earlier release (published, or published and since withdrawn) with a
    pattern for it, oldest first."""
    rel, sl = schema.release, schema.suppression_slice
    rows = conn.execute(
        select(rel.c.id, rel.c.name, sl.c.period)
        .join(sl, sl.c.release_id == rel.c.id)
        .where(sl.c.indicator_id == indicator_id, sl.c.period.in_(sorted(periods)))
        .where(rel.c.sequence < (release.sequence or 0))
        .where(rel.c.published_at.isnot(None))
        .order_by(rel.c.sequence)
    ).all()
    touched: dict[tuple[int, str], set[str]] = defaultdict(set)
    for release_id, name, period in rows:
        touched[(release_id, name)].add(period)
    states: dict[str, list[State]] = {period: [] for period in periods}
    for (release_id, name), found in touched.items():  # in publication order
        tables = slice_tables(conn, indicator, found, name, hierarchy)
        for period in sorted(found):
            hidden = _stored_pattern(conn, release_id, indicator_id, period, hierarchy)
            states[period].append(
                State(
                    table=tables[period],
                    hidden=frozenset(hidden),
                    primary=frozenset(a for a, r in hidden.items() if r.primary),
                )
            )
    return states


@dataclass(frozen=True)
class _Hierarchy:
    parent: dict[str, str | None]
    """Area code → parent code."""
    children: dict[str, list[str]]
    ids: dict[str, int]
    codes: dict[int, str]
    deepest_first: tuple[str, ...]
    """Area codes, the deepest level first."""


def _hierarchy(conn: Connection) -> _Hierarchy:
    from sozialmonitor.store.queries import list_areas

    areas = list_areas(conn)
    children: dict[str, list[str]] = defaultdict(list)
    for area in areas:
        if area.parent is not None:
            children[area.parent].append(area.code)
    ids = {
        r.code: r.id for r in conn.execute(select(schema.area.c.id, schema.area.c.code))
    }
    return _Hierarchy(
        parent={a.code: a.parent for a in areas},
        children=dict(children),
        ids=ids,
        codes={i: c for c, i in ids.items()},
        deepest_first=tuple(a.code for a in reversed(areas)),  # by level rank
    )


def _indicators(conn: Connection) -> dict[int, Indicator]:
    return {
        row.id: indicator_from_row(row)
        for row in conn.execute(select(schema.indicator))
    }


def slice_tables(
    conn: Connection,
    indicator: Indicator,
    periods: Iterable[str],
    as_of: str,
    hierarchy: _Hierarchy | None = None,
) -> dict[str, Table]:
    """One indicator's tables of these periods as of a release, every level, as the
    administration reads them: the stored values (one read of the gate for all
    levels) and the parents computed from them, deepest level first, by the same
    rule as the gate (``domain.aggregation.aggregate``; a stored value wins)."""
    from sozialmonitor.store.queries import read_stored_rows

    hierarchy = hierarchy or _hierarchy(conn)
    wanted = sorted(periods)
    found: dict[str, dict[str, Observation]] = {period: {} for period in wanted}
    query = ObservationQuery(
        indicators=[indicator.id], periods=wanted, as_of=as_of, computed=False
    )
    stored = read_stored_rows(conn, query, audience=Audience.INTERNAL)
    for row in stored.rows:
        found[row[2]][row[1]] = stored.observation(row)
    if can_aggregate(indicator):
        for period, values in found.items():
            for area in hierarchy.deepest_first:
                kids = hierarchy.children.get(area)
                if area in values or not kids:
                    continue
                computed = aggregate(
                    indicator,
                    area,
                    period,
                    kids,
                    (values[k] for k in kids if k in values),
                )
                if computed is not None:
                    values[area] = computed
    return {
        period: table_of(indicator, values, hierarchy.children)
        for period, values in found.items()
    }


def table_of(
    indicator: Indicator,
    values: dict[str, Observation],
    children: dict[str, list[str]],
) -> Table:
    """The table of one indicator and period from its values by area code."""
    cells = {area: _cell(indicator, obs) for area, obs in values.items()}
    equations = []
    if indicator.kind not in (IndicatorKind.MEDIAN, IndicatorKind.INDEX):
        for parent, obs in values.items():
            computed = bool(obs.flags & _COMPUTED)
            kids = [
                c
                for c in children.get(parent, [])
                if c in values
                and (cells[c].count is not None or cells[c].source_suppressed)
                and not (computed and c in obs.missing_children)
            ]
            if kids and cells[parent].count is not None:
                equations.append(_equation(parent, kids, cells, computed=computed))
    return Table(
        cells=cells,
        equations=tuple(equations),
        bounded_by_total=indicator.kind is IndicatorKind.SHARE,
    )


def _equation(
    parent: str, kids: list[str], cells: dict[str, Cell], *, computed: bool
) -> Equation:
    """The parent's equation; a computed parent adds up exactly, a stored one up to a
    residual (missing children, other sources) that the attacker is assumed to know.
    A child the source kept secret without a value counts as 0 in the residual,
    which only makes the attacker stronger."""
    if computed:
        return Equation(parent=parent, children=tuple(kids))
    count = (cells[parent].count or 0.0) - sum(cells[c].count or 0.0 for c in kids)
    totals = [cells[c].total for c in kids]
    total_residual = (
        (cells[parent].total or 0.0) - sum(t or 0.0 for t in totals)
        if cells[parent].total is not None
        else 0.0
    )
    return Equation(
        parent=parent,
        children=tuple(kids),
        residual=count,
        total_residual=total_residual,
    )


def _cell(indicator: Indicator, obs: Observation) -> Cell:
    secret = bool(obs.flags & _SOURCE)
    kind = indicator.kind
    if kind is IndicatorKind.COUNT:
        count = obs.value
        total = None
    elif kind is IndicatorKind.MEAN:
        count, total = obs.denominator, None
    elif kind in (IndicatorKind.SHARE, IndicatorKind.RATE):
        count = obs.numerator
        total = obs.denominator if kind is IndicatorKind.SHARE else None
    else:
        count, total = None, None
    return Cell(count=count, total=total, source_suppressed=secret)


def _store(
    conn: Connection,
    release_id: int,
    indicator_id: int,
    period: str,
    pattern: Pattern,
    hierarchy: _Hierarchy,
) -> None:
    sl, sc = schema.suppression_slice, schema.suppressed_cell
    for table in (sl, sc):
        conn.execute(
            delete(table).where(
                table.c.release_id == release_id,
                table.c.indicator_id == indicator_id,
                table.c.period == period,
            )
        )
    conn.execute(
        insert(sl).values(
            release_id=release_id,
            indicator_id=indicator_id,
            period=period,
            method=METHOD,
            hidden=len(pattern.hidden),
            exposed=len(pattern.exposed),
        )
    )
    if pattern.hidden:
        conn.execute(
            insert(sc),
            [
                {
                    "release_id": release_id,
                    "indicator_id": indicator_id,
                    "period": period,
                    "area_id": hierarchy.ids[area],
                    "reason": reason.value,
                }
                for area, reason in sorted(pattern.hidden.items())
            ],
        )


def _stored_pattern(
    conn: Connection,
    release_id: int,
    indicator_id: int,
    period: str,
    hierarchy: _Hierarchy,
) -> dict[str, Reason]:
    sc = schema.suppressed_cell
    rows = conn.execute(
        select(sc.c.area_id, sc.c.reason).where(
            sc.c.release_id == release_id,
            sc.c.indicator_id == indicator_id,
            sc.c.period == period,
        )
    )
    return {hierarchy.codes[r.area_id]: Reason(r.reason) for r in rows}
