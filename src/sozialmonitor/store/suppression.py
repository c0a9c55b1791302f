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
from collections.abc import Iterable, Iterator

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from sozialmonitor.access.attack import State
from sozialmonitor.access.disclosure import METHOD, Pattern, Reason, protect
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.release import Release
from sozialmonitor.store import schema
from sozialmonitor.store.pattern import Slice
from sozialmonitor.store.suppression_tables import (
    Hierarchy,
    hierarchy_of,
    indicators_by_id,
    slice_tables,
)

_SOURCE = int(Flag.SUPPRESSED)
_COMPUTED = int(Flag.COMPUTED)


# --- computing ----------------------------------------------------------------------


def protect_release(conn: Connection, release: Release) -> int:
    """Compute and store the patterns of every slice ``release`` stores values in
    (replacing patterns it had); returns the number of cells hidden."""
    slices = touched_slices(conn, release.id)
    return protect_slices(conn, release, slices)


def reprotect_after_withdrawal(conn: Connection, withdrawn: Release) -> int:
    """A withdrawn release changes the state "as of" every later release that shares
    a slice with it: their patterns of those slices are computed again."""
    gone = touched_slices(conn, withdrawn.id)
    hidden = 0
    for later in published_after(conn, withdrawn.sequence or 0):
        shared = touched_slices(conn, later.id) & gone
        if shared:
            hidden += protect_slices(conn, later, shared)
    return hidden


def reprotect_indicator(conn: Connection, indicator_id: int) -> int:
    """An indicator's ``min_count`` changed: the patterns of every slice of it that a
    published (or published and since withdrawn) release holds are computed again,
    oldest release first, so that each takes the new patterns of the earlier ones
    as what the public has seen. Returns the number of cells hidden."""
    hidden = 0
    for release in published_after(conn, 0):
        slices = {s for s in touched_slices(conn, release.id) if s[0] == indicator_id}
        if slices:
            hidden += protect_slices(conn, release, slices)
    return hidden


def ensure_patterns(conn: Connection) -> int:
    """Compute the missing patterns of published releases (a database from before
    patterns existed); returns the number of slices computed."""
    done = 0
    for release in published_after(conn, 0):
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
            protect_slices(conn, release, missing)
            done += len(missing)
    return done


def touched_slices(conn: Connection, release_id: int) -> set[Slice]:
    o = schema.observation
    rows = conn.execute(
        select(o.c.indicator_id, o.c.period)
        .where(o.c.release_id == release_id)
        .distinct()
    )
    return {(r.indicator_id, r.period) for r in rows}


def published_after(conn: Connection, sequence: int) -> list[Release]:
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
            conn, as_published, slices, hierarchy_of(conn)
        )
    }


def protect_slices(conn: Connection, release: Release, slices: Iterable[Slice]) -> int:
    """Compute and store the patterns of ``slices`` as of ``release``; then hide
    whole every stored index result that included an input cell now hidden
    (``store.index_patterns``). Returns the number of cells hidden."""
    from sozialmonitor.store.index_patterns import stale_index_patterns

    hierarchy = hierarchy_of(conn)
    hidden_total = 0
    stored: set[Slice] = set()
    for indicator_id, period, pattern in _patterns_of(conn, release, slices, hierarchy):
        _store(conn, release.id, indicator_id, period, pattern, hierarchy)
        stored.add((indicator_id, period))
        hidden_total += len(pattern.hidden)
    indicators = indicators_by_id(conn)
    for release_id, indicator_id, period, pattern in stale_index_patterns(
        conn, stored, indicators, hierarchy
    ):
        _store(conn, release_id, indicator_id, period, pattern, hierarchy)
        hidden_total += len(pattern.hidden)
    return hidden_total


def _patterns_of(
    conn: Connection,
    release: Release,
    slices: Iterable[Slice],
    hierarchy: Hierarchy,
) -> Iterator[tuple[int, str, Pattern]]:
    """Each slice's pattern as of ``release``, indicator by indicator (a caller
    storing them stores one indicator's before the next is computed); then the
    patterns of the change indicators (``change_of``) those slices feed, which hide
    what the indicator they are a change of hides at either period."""
    from sozialmonitor.store.linked import changed_slices, changes_of, derived

    indicators = indicators_by_id(conn)
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
    hierarchy: Hierarchy,
    indicators: dict[int, Indicator],
) -> Iterator[tuple[int, str, Pattern]]:
    from sozialmonitor.store.linked import group_patterns, groups_of
    from sozialmonitor.store.scope_reprotection import insider_scopes

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
    hierarchy: Hierarchy,
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
            hidden = stored_pattern(conn, release_id, indicator_id, period, hierarchy)
            states[period].append(
                State(
                    table=tables[period],
                    hidden=frozenset(hidden),
                    primary=frozenset(a for a, r in hidden.items() if r.primary),
                )
            )
    return states


def _store(
    conn: Connection,
    release_id: int,
    indicator_id: int,
    period: str,
    pattern: Pattern,
    hierarchy: Hierarchy,
) -> None:
    """Store the pattern of one slice (replacing the one it had). A pattern that
    hides other cells than before counts the indicator's ``revision`` up in the
    same transaction: the revisions are part of the data version
    (``store.data_version``), so no cache of the portal keeps serving what the old
    pattern showed (a re-protection for an area scope changes nothing else the
    data version sees)."""
    sl, sc = schema.suppression_slice, schema.suppressed_cell
    before = {
        (r.area_id, r.reason)
        for r in conn.execute(
            select(sc.c.area_id, sc.c.reason).where(
                sc.c.release_id == release_id,
                sc.c.indicator_id == indicator_id,
                sc.c.period == period,
            )
        )
    }
    after = {
        (hierarchy.ids[area], reason.value) for area, reason in pattern.hidden.items()
    }
    if before != after:
        ind = schema.indicator
        conn.execute(
            update(ind)
            .where(ind.c.id == indicator_id)
            .values(revision=ind.c.revision + 1)
        )
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


def stored_pattern(
    conn: Connection,
    release_id: int,
    indicator_id: int,
    period: str,
    hierarchy: Hierarchy,
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
