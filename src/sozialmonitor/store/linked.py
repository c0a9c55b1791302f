"""Indicators that publish the same count: a share or rate whose numerator is a
count indicator's value (``numerator_indicator``), or whose denominator is
(``denominator_indicator``). A cell hidden in one would follow from the other, so
the slices of one period of a group of linked indicators are protected as one table
(``access.disclosure.protect``): one cell key per indicator and area, a count
published under two indicators tied by an equation (the attacker's same unknown),
a share's denominator tied to the count it is (``access.attack.TotalLink``), and
each twin hidden whenever its twin is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from sozialmonitor.access.attack import Cell, Equation, State, Table, TotalLink
from sozialmonitor.access.disclosure import Pattern, Reason, protect
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.store import schema

if TYPE_CHECKING:
    from sozialmonitor.store.suppression_tables import Hierarchy

SEPARATOR = "\x1f"
"""Between indicator id and area code in a cell key (no code holds it)."""


@dataclass(frozen=True)
class Group:
    """Indicators tied by numerator or denominator links (their database ids)."""

    members: tuple[int, ...]
    numerators: tuple[tuple[int, int], ...]
    """(share or rate, the count indicator that is its numerator)"""
    denominators: tuple[tuple[int, int], ...]
    """(share or rate, the count indicator that is its denominator)"""


def groups_of(indicators: Mapping[int, Indicator]) -> dict[int, Group]:
    """Each linked indicator's group (indicators without links left out). A link
    to an unknown indicator or to one that is not a count ties nothing (the
    catalogue import refuses it)."""
    by_code = {indicator.id: number for number, indicator in indicators.items()}
    root = {number: number for number in indicators}

    def find(number: int) -> int:
        while root[number] != number:
            root[number] = root[root[number]]
            number = root[number]
        return number

    links: dict[str, list[tuple[int, int]]] = {"numerator": [], "denominator": []}
    for number, indicator in sorted(indicators.items()):
        for name in links:
            other = by_code.get(getattr(indicator, f"{name}_indicator"))
            if (
                other is None
                or other == number
                or indicators[other].kind is not IndicatorKind.COUNT
            ):
                continue
            links[name].append((number, other))
            root[find(number)] = find(other)
    members: dict[int, list[int]] = defaultdict(list)
    for number in sorted(indicators):
        members[find(number)].append(number)
    found: dict[int, Group] = {}
    for group_members in members.values():
        if len(group_members) < 2:
            continue
        inside = set(group_members)
        group = Group(
            members=tuple(group_members),
            numerators=tuple(p for p in links["numerator"] if p[0] in inside),
            denominators=tuple(p for p in links["denominator"] if p[0] in inside),
        )
        found |= dict.fromkeys(group_members, group)
    return found


def key(indicator_id: int, area: str) -> str:
    return f"{indicator_id}{SEPARATOR}{area}"


def split_key(cell: str) -> tuple[int, str]:
    indicator_id, area = cell.split(SEPARATOR, 1)
    return int(indicator_id), area


@dataclass(frozen=True)
class Combined:
    """The table of a group's slices of one period, and how its cells hide."""

    table: Table
    twins: dict[str, list[str]]
    min_counts: dict[str, int]


def combine(
    group: Group, tables: Mapping[int, Table], indicators: Mapping[int, Indicator]
) -> Combined:
    """One table of the members' ``tables`` (one period), cells keyed by ``key``."""
    cells: dict[str, Cell] = {}
    equations: list[Equation] = []
    unbounded: set[str] = set()
    min_counts: dict[str, int] = {}
    empty = Table(cells={})
    for member in group.members:
        table = tables.get(member, empty)
        for area, cell in table.cells.items():
            cells[key(member, area)] = cell
            min_counts[key(member, area)] = indicators[member].min_count
            if not table.bounded_by_total:
                unbounded.add(key(member, area))
        equations += [
            Equation(
                parent=key(member, eq.parent),
                children=tuple(key(member, c) for c in eq.children),
                residual=eq.residual,
                total_residual=eq.total_residual,
            )
            for eq in table.equations
        ]
    twins: dict[str, list[str]] = defaultdict(list)
    for share, counted in group.numerators:
        for area in _both(tables, share, counted):
            ratio, count = key(share, area), key(counted, area)
            twins[ratio].append(count)
            twins[count].append(ratio)
            if cells[ratio].count is not None and cells[ratio].count == (
                cells[count].count
            ):
                # The same count: the attacker's same unknown.
                equations.append(Equation(parent=count, children=(ratio,)))
    total_links = []
    for share, counted in group.denominators:
        for area in _both(tables, share, counted):
            ratio, count = key(share, area), key(counted, area)
            # A share shown shows its denominator: it goes when the count does.
            twins[count].append(ratio)
            total = cells[ratio].total
            if total is not None and total == cells[count].count:
                total_links.append(TotalLink(counted=count, share=ratio))
    table = Table(
        cells=cells,
        equations=tuple(equations),
        bounded_by_total=any(t.bounded_by_total for t in tables.values()),
        unbounded=frozenset(unbounded),
        total_links=tuple(total_links),
    )
    return Combined(table=table, twins=dict(twins), min_counts=min_counts)


def _both(tables: Mapping[int, Table], first: int, second: int) -> Iterator[str]:
    if first in tables and second in tables:
        yield from sorted(tables[first].cells.keys() & tables[second].cells.keys())


def keyed_scope(table: Table, scope: frozenset[str]) -> frozenset[str]:
    """The cells of ``table`` in the areas of an insider's ``scope``."""
    return frozenset(c for c in table.cells if split_key(c)[1] in scope)


def split(pattern: Pattern, group: Group) -> dict[int, Pattern]:
    """The group's pattern as one pattern per member."""
    hidden: dict[int, dict[str, Reason]] = {m: {} for m in group.members}
    exposed: dict[int, list[str]] = {m: [] for m in group.members}
    for cell, reason in pattern.hidden.items():
        member, area = split_key(cell)
        hidden[member][area] = reason
    for name in pattern.exposed:
        cell, earlier, _rest = name.partition(" (earlier)")
        member, area = split_key(cell)
        exposed[member].append(area + earlier)
    return {
        m: Pattern(hidden=hidden[m], exposed=tuple(exposed[m])) for m in group.members
    }


def group_patterns(
    conn: Connection,
    group: Group,
    indicators: Mapping[int, Indicator],
    periods: set[str],
    release_name: str,
    release_sequence: int,
    insiders: Iterable[frozenset[str]],
    hierarchy: Hierarchy,
) -> Iterator[tuple[int, str, Pattern]]:
    """The patterns of the group's slices of ``periods`` as of a release, protected
    together against every state of them published before."""
    from sozialmonitor.store.suppression_tables import slice_tables

    scopes = list(insiders)
    now = {
        member: slice_tables(conn, indicators[member], periods, release_name, hierarchy)
        for member in group.members
    }
    earlier = _earlier_states(
        conn, group, indicators, periods, release_sequence, hierarchy
    )
    for period in sorted(periods):
        combined = combine(
            group, {m: now[m][period] for m in group.members}, indicators
        )
        pattern = protect(
            combined.table,
            max(indicators[m].min_count for m in group.members),
            earlier[period],
            [keyed_scope(combined.table, scope) for scope in scopes],
            twins=combined.twins,
            min_counts=combined.min_counts,
        )
        for member, part in split(pattern, group).items():
            yield member, period, part


def _earlier_states(
    conn: Connection,
    group: Group,
    indicators: Mapping[int, Indicator],
    periods: set[str],
    sequence: int,
    hierarchy: Hierarchy,
) -> dict[str, list[State]]:
    """Per period, the group's combined states the public has seen: as of every
    earlier release with a pattern for a member's slice, each member hidden by the
    newest pattern of its slice up to that release, oldest first."""
    from sozialmonitor.store.suppression import stored_pattern
    from sozialmonitor.store.suppression_tables import slice_tables

    rel, sl = schema.release, schema.suppression_slice
    rows = conn.execute(
        select(rel.c.id, rel.c.name, rel.c.sequence, sl.c.indicator_id, sl.c.period)
        .join(sl, sl.c.release_id == rel.c.id)
        .where(sl.c.indicator_id.in_(group.members))
        .where(sl.c.period.in_(sorted(periods)))
        .where(rel.c.sequence < sequence)
        .where(rel.c.published_at.isnot(None))
        .order_by(rel.c.sequence)
    ).all()
    states: dict[str, list[State]] = {period: [] for period in periods}
    for period in periods:
        holding: dict[int, int] = {}  # member → the newest release with its pattern
        releases: dict[int, str] = {}
        order: list[int] = []
        for release_id, name, _seq, _member, found in rows:
            if found != period:
                continue
            if release_id not in releases:
                releases[release_id] = name
                order.append(release_id)
        for release_id in order:
            for r_id, _name, _seq, member, found in rows:
                if found == period and r_id == release_id:
                    holding[member] = release_id
            tables = {
                m: slice_tables(
                    conn,
                    indicators[m],
                    [period],
                    releases[release_id],
                    hierarchy,
                )[period]
                for m in holding
            }
            combined = combine(group, tables, indicators)
            hidden: dict[str, Reason] = {}
            for member, holder in holding.items():
                stored = stored_pattern(conn, holder, member, period, hierarchy)
                hidden |= {key(member, a): r for a, r in stored.items()}
            states[period].append(
                State(
                    table=combined.table,
                    hidden=frozenset(c for c in hidden if c in combined.table.cells),
                    primary=frozenset(
                        c
                        for c, r in hidden.items()
                        if r.primary and c in combined.table.cells
                    ),
                )
            )
    return states


# --- changes ------------------------------------------------------------------------

Changes = dict[int, tuple[int, str]]
"""Per change indicator, the indicator it is a change of and the base period."""


def changes_of(indicators: Mapping[int, Indicator]) -> Changes:
    """The change indicators (``change_of`` an indicator the catalogue has)."""
    by_code = {indicator.id: number for number, indicator in indicators.items()}
    return {
        number: (by_code[indicator.change_of], indicator.change_base)
        for number, indicator in indicators.items()
        if indicator.change_of in by_code and by_code[indicator.change_of] != number
    }


def changed_slices(
    conn: Connection, changes: Changes, slices: set[tuple[int, str]]
) -> set[tuple[int, str]]:
    """The slices of change indicators whose pattern follows from ``slices``: a
    change slice itself; the change at a period its indicator's slice is; every
    period of the change when it is the base period."""
    found: set[tuple[int, str]] = set()
    o = schema.observation
    for change, (changed, base) in changes.items():
        touched = {p for i, p in slices if i == changed}
        found |= {(change, p) for i, p in slices if i == change}
        if not touched:
            continue
        periods = set(
            conn.scalars(
                select(o.c.period).where(o.c.indicator_id == change).distinct()
            )
        )
        reach = periods if base in touched else periods & touched
        found |= {(change, p) for p in reach}
    return found


def derived(
    conn: Connection,
    changes: Changes,
    own: Mapping[tuple[int, str], Pattern],
    computed: Mapping[tuple[int, str], Pattern],
    sequence: int,
    hierarchy: Hierarchy,
) -> Iterator[tuple[tuple[int, str], Pattern]]:
    """Each change slice's pattern: its own, and every area the indicator it is a
    change of hides at that period or at the base period (as computed now, else
    as the newest pattern stored up to release ``sequence``): a change shown beside
    one shown value gives the other away."""
    for (change, period), pattern in sorted(own.items()):
        changed, base = changes[change]
        hidden = dict(pattern.hidden)
        for at in (period, base):
            source = computed.get((changed, at))
            codes = (
                source.hidden
                if source is not None
                else _newest_stored(conn, changed, at, sequence, hierarchy)
            )
            for code in codes:
                hidden.setdefault(code, Reason.PROTECTS)
        yield (change, period), Pattern(hidden=hidden, exposed=pattern.exposed)


def _newest_stored(
    conn: Connection,
    indicator_id: int,
    period: str,
    sequence: int,
    hierarchy: Hierarchy,
) -> dict[str, Reason]:
    from sozialmonitor.store.suppression import stored_pattern

    rel, sl = schema.release, schema.suppression_slice
    newest = conn.scalar(
        select(rel.c.id)
        .join(sl, sl.c.release_id == rel.c.id)
        .where(sl.c.indicator_id == indicator_id, sl.c.period == period)
        .where(rel.c.sequence <= sequence)
        .order_by(rel.c.sequence.desc())
        .limit(1)
    )
    if newest is None:
        return {}
    return stored_pattern(conn, newest, indicator_id, period, hierarchy)
