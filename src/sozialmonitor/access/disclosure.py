"""Protection of small counts (statistical disclosure control) for one table: one
indicator and period over every level of areas.

Primary suppression hides every cell whose count is above zero and below the
indicator's minimum (and every cell the source delivered as secret). Secondary
suppression then hides further cells until no hidden count can be narrowed down by
differencing: for every primary cell the attacker's linear programme
(:mod:`sozialmonitor.access.attack`, over this state and every state published before)
must leave a range at least as wide as the minimum count. Cells are added greedily —
a sibling with a count of at least the minimum first, the parent when no sibling is
left — and the audit decides when to stop, so the result is proven, not hoped for.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sozialmonitor.access.attack import Cell, State, Table, state_ranges

METHOD = "greedy-lp-audit/2"
"""Name and version of the method, stored with every pattern."""
TOLERANCE = 1e-6


class Reason(StrEnum):
    SMALL_COUNT = "small-count"
    """Primary: a count above zero and below the minimum."""
    SOURCE = "source"
    """Primary: the source delivered the cell as secret."""
    PROTECTS = "protects"
    """Secondary: hidden so that a primary cell cannot be computed back."""

    @property
    def primary(self) -> bool:
        return self is not Reason.PROTECTS


def primary_reason(cell: Cell, min_count: int) -> Reason | None:
    """Why a cell must be hidden on its own, or None.

    Examples
    --------
    >>> primary_reason(Cell(count=2), 3), primary_reason(Cell(count=0), 3)
    (<Reason.SMALL_COUNT: 'small-count'>, None)
    """
    if cell.source_suppressed:
        return Reason.SOURCE
    if cell.count is not None and 0 < cell.count < min_count:
        return Reason.SMALL_COUNT
    return None


@dataclass(frozen=True, kw_only=True)
class Pattern:
    """The hidden cells of a table and why; ``exposed`` lists primary cells that
    could not be protected (their value was published before)."""

    hidden: Mapping[str, Reason]
    exposed: tuple[str, ...] = ()


def protect(
    table: Table,
    min_count: int,
    earlier: Sequence[State] = (),
    insiders: Sequence[frozenset[str]] = (),
    *,
    twins: Mapping[str, Sequence[str]] | None = None,
    min_counts: Mapping[str, int] | None = None,
) -> Pattern:
    """The suppression pattern of ``table``, given the states published before.

    ``insiders``: the areas each group of signed-in readers with an area scope sees
    true values of (a municipality's staff: their municipality and everything below
    it). Such a reader knows the hidden cells of their scope, so every small count
    outside it must keep its room also when those cells are known: the audit runs
    once for the public and once per scope that holds a hidden cell.

    ``twins``: for a table of linked indicators (``store.linked``), per cell the
    cells that are hidden whenever it is (the same count under another indicator,
    a share whose denominator it is). ``min_counts``: per cell a minimum other than
    ``min_count`` (each indicator's own).

    Examples
    --------
    A parent of 12 with children of 2 and 10: hiding the 2 alone gives it away
    (12 - 10), so the 10 is hidden too.

    >>> from sozialmonitor.access.attack import Equation
    >>> t = Table(cells={"P": Cell(count=12), "a": Cell(count=2), "b": Cell(count=10)},
    ...           equations=(Equation(parent="P", children=("a", "b")),))
    >>> dict(protect(t, 3).hidden)
    {'a': <Reason.SMALL_COUNT: 'small-count'>, 'b': <Reason.PROTECTS: 'protects'>}

    Whoever sees ``b``'s true value (a reader scoped to it) would still find ``a``:
    the parent goes too.

    >>> sorted(protect(t, 3, insiders=[frozenset({"b"})]).hidden)
    ['P', 'a', 'b']
    """
    minimum = _Minimum(min_count, min_counts or {})
    together = twins or {}
    hidden: dict[str, Reason] = {}
    for area, cell in table.cells.items():
        reason = primary_reason(cell, minimum(area))
        if reason is not None:
            hidden[area] = reason
    for area in list(hidden):
        _hide_twins(table, hidden, area, together, minimum)
    now = len(earlier)
    targets = [(now, area) for area in sorted(hidden)] + [
        (number, area)
        for number, state in enumerate(earlier)
        for area in sorted(state.primary)
        if area in state.table.cells
    ]
    if not targets or not table.equations:
        return Pattern(hidden=hidden)
    neighbours = _Links(table)
    published = published_counts(earlier)
    exposed: set[tuple[int, str]] = set()
    views = [frozenset[str](), *(s for s in dict.fromkeys(insiders) if s)]
    for _round in range(len(table.cells) + 1):
        weak = [
            (number, cell, view)
            for view in views
            for number, cell in _weak(
                table, hidden, earlier, targets, view, minimum, exposed
            )
        ]
        if not weak:
            break
        added = False
        settled: set[str] = set()  # tied to a cell hidden in this round: audit again
        for number, cell, view in weak:
            if cell in settled or (number, cell) in exposed:
                continue
            # What the reader of ``view`` knows is no protection: it is neither
            # hidden nor a candidate for them.
            seen_hidden = {a: r for a, r in hidden.items() if a not in view}
            known = published | {
                (a, c) for a in view if (c := _count(table, a)) is not None
            }
            if number == now:
                partner = _partner(table, cell, seen_hidden, neighbours, minimum, known)
            else:
                partner = _partner_for_earlier(
                    table,
                    _knowing(earlier[number], view),
                    cell,
                    seen_hidden,
                    neighbours,
                    minimum,
                    known,
                )
            if partner is None or partner in hidden:
                exposed.add((number, cell))
                continue
            hidden[partner] = Reason.PROTECTS
            added = True
            for twin in (
                partner,
                *_hide_twins(table, hidden, partner, together, minimum),
            ):
                settled |= _tied(twin, hidden, neighbours)
        if not added:
            break
    names = sorted(cell if n == now else f"{cell} (earlier)" for n, cell in exposed)
    if names:
        warnings.warn(
            f"{len(names)} small counts could not be protected: "
            f"{', '.join(names[:10])}",
            stacklevel=2,
        )
    return Pattern(hidden=hidden, exposed=tuple(names))


def _count(table: Table, area: str) -> float | None:
    cell = table.cells.get(area)
    return cell.count if cell is not None else None


def _knowing(state: State, view: frozenset[str]) -> State:
    """A state as a reader who knows the cells of ``view`` sees it."""
    if not view:
        return state
    return State(
        table=state.table, hidden=state.hidden - view, primary=state.primary - view
    )


def _weak(
    table: Table,
    hidden: Mapping[str, Reason],
    earlier: Sequence[State],
    targets: Sequence[tuple[int, str]],
    view: frozenset[str],
    minimum: _Minimum,
    exposed: set[tuple[int, str]],
) -> list[tuple[int, str]]:
    """The small counts (outside ``view``) whose feasible range is narrower than
    the minimum for a reader who knows the cells of ``view``; for a view that holds
    no hidden cell the reader knows no more than the public (none)."""
    if view and not (
        view & hidden.keys() or any(view & state.hidden for state in earlier)
    ):
        return []
    current = State(table=table, hidden=frozenset(hidden) - view)
    states = [*(_knowing(state, view) for state in earlier), current]
    wanted = [t for t in targets if t[1] not in view and t not in exposed]
    ranges = state_ranges(states, wanted)
    return [
        t for t in wanted if ranges[t][1] - ranges[t][0] < minimum(t[1]) - TOLERANCE
    ]


def _partner_for_earlier(
    table: Table,
    before: State,
    cell: str,
    hidden: Mapping[str, Reason],
    neighbours: _Links,
    minimum: _Minimum,
    published: set[tuple[str, float]],
) -> str | None:
    """The cell to hide now so that a small count of an earlier state keeps its
    room: first a cell that protected it then and still has the same value (showing
    it now would give the small count away), then the cell itself, then as for a
    cell of this state."""
    tied = _tied(cell, before.hidden, _Links(before.table)) - {cell}
    revealed = [
        (count < minimum(area), count, area)
        for area in tied
        if area in table.cells
        and area not in hidden
        and (count := table.cells[area].count) is not None
        and count == before.table.cells[area].count
        and (area, count) not in published
    ]
    if revealed:
        return min(revealed)[2]
    own = table.cells.get(cell)
    if (
        own is not None
        and cell not in hidden
        and own.count is not None
        and (cell, own.count) not in published
    ):
        return cell
    if cell not in table.cells:
        return None
    return _partner(table, cell, hidden, neighbours, minimum, published)


class _Minimum:
    """The minimum count of a cell: its own, else the table's."""

    def __init__(self, default: int, by_cell: Mapping[str, int]) -> None:
        self.default = default
        self.by_cell = by_cell

    def __call__(self, cell: str) -> int:
        return self.by_cell.get(cell, self.default)


def _hide_twins(
    table: Table,
    hidden: dict[str, Reason],
    start: str,
    twins: Mapping[str, Sequence[str]],
    minimum: _Minimum,
) -> list[str]:
    """Hide the twins of ``start`` (and theirs), each for its own reason when it has
    one, for ``start``'s when it is the same count, else as protection; returns the
    cells newly hidden."""
    added: list[str] = []
    frontier = [start]
    while frontier:
        cell = frontier.pop()
        for twin in twins.get(cell, ()):
            if twin in hidden or twin not in table.cells:
                continue
            reason = primary_reason(table.cells[twin], minimum(twin))
            if reason is None:
                # The same count (or a secret one's twin both ways) is as primary
                # as the cell; a share hidden for its denominator protects.
                same = table.cells[twin].count == table.cells[cell].count or (
                    hidden[cell] is Reason.SOURCE and cell in twins.get(twin, ())
                )
                reason = hidden[cell] if same else Reason.PROTECTS
            hidden[twin] = reason
            added.append(twin)
            frontier.append(twin)
    return added


class _Links:
    """Per cell, the other members of each equation it is in, each marked whether it
    is the cell's parent: its siblings and parent (the equation above it) and its
    children (the equation below it). Made on the fly from the equations a cell is
    in, as a parent of 1,000 children would otherwise list a million pairs."""

    def __init__(self, table: Table) -> None:
        self.equations = table.equations
        self.member_of: dict[str, list[int]] = defaultdict(list)
        for number, eq in enumerate(table.equations):
            self.member_of[eq.parent].append(number)
            for child in eq.children:
                self.member_of[child].append(number)
        # A share's count is at most its total, another indicator's count: hiding
        # that count gives the share room.
        self.totals: dict[str, list[str]] = defaultdict(list)
        for link in table.total_links:
            self.totals[link.share].append(link.counted)

    def of(self, cell: str) -> Iterator[tuple[str, bool]]:
        yield from ((c, False) for c in self.totals.get(cell, ()))
        for number in self.member_of.get(cell, ()):
            eq = self.equations[number]
            if eq.parent == cell:
                yield from ((c, False) for c in eq.children)
            else:
                yield from ((c, False) for c in eq.children if c != cell)
                yield (eq.parent, True)


def _partner(
    table: Table,
    cell: str,
    hidden: Mapping[str, Reason],
    neighbours: _Links,
    minimum: _Minimum,
    published: set[tuple[str, float]],
) -> str | None:
    """The visible cell to hide next so that ``cell`` gains room.

    Candidates are the visible cells in an equation with ``cell`` or with a hidden
    cell tied to it (a hidden sibling whose own children are all shown is no
    protection until one of them is hidden too), not published before with their
    current value. Preferred: a sibling or child with a count of at least the
    minimum (the smallest such), then smaller ones (the largest first), then a
    parent, then cells of zero; the nearest first within each.
    """
    candidates: list[tuple[int, int, float, str]] = []
    seen = {cell}
    frontier = [cell]
    distance = 0
    while frontier:
        following = []
        for member in frontier:
            for area, is_parent in neighbours.of(member):
                if area in seen:
                    continue
                seen.add(area)
                if area in hidden:
                    following.append(area)
                    continue
                count = table.cells[area].count
                if count is None or (area, count) in published:
                    continue
                if count == 0:
                    tier, order = 3, 0.0
                elif is_parent:
                    tier, order = 2, 0.0
                elif count >= minimum(area):
                    tier, order = 0, count
                else:
                    tier, order = 1, -count
                candidates.append((tier, distance, order, area))
        frontier = following
        distance += 1
    return min(candidates)[3] if candidates else None


def _tied(
    start: str,
    hidden: Mapping[str, Reason] | frozenset[str],
    neighbours: _Links,
) -> set[str]:
    """The hidden cells connected to ``start`` through equations of hidden cells."""
    found = {start}
    frontier = [start]
    while frontier:
        member = frontier.pop()
        for area, _is_parent in neighbours.of(member):
            if area in hidden and area not in found:
                found.add(area)
                frontier.append(area)
    return found


def published_counts(earlier: Sequence[State]) -> set[tuple[str, float]]:
    """(area, count) of every cell shown in an earlier state."""
    return {
        (area, cell.count)
        for state in earlier
        for area, cell in state.table.cells.items()
        if area not in state.hidden and cell.count is not None
    }
