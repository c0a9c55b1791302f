"""What an attacker can learn about hidden counts: the smallest and largest value of
each hidden cell that is consistent with everything published.

Everything published is one or more states of a table (the state after each release,
"as of" it) whose cells are tied by equations: a parent area's count is the sum of its
children's (plus a residual that the attacker is assumed to know). A hidden cell is an
unknown; a visible one a constant. A hidden cell whose value did not change between
two states is the same unknown in both, and a constant when any state shows it.
The range of a cell is the result of two linear programmes (HiGHS through scipy):
minimise and maximise its value subject to the equations and ``0 <= count``, and for
shares ``count <= total`` (both hidden with the cell).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Key = tuple[str, str, object]
"""An unknown: (quantity "n" count or "d" total, area, value or state number)."""


@dataclass(frozen=True, kw_only=True)
class Cell:
    """One area's cell of a table (one indicator, one period)."""

    count: float | None
    """The count that is protected (a count's value, a share's numerator, a mean's
    denominator); None when not even the database knows it."""
    total: float | None = None
    """The denominator of a share (the count cannot exceed it), else None."""
    source_suppressed: bool = False
    """The source delivered the cell as secret."""


@dataclass(frozen=True, kw_only=True)
class Equation:
    """``parent - sum(children) == residual`` (for counts, and for totals)."""

    parent: str
    children: tuple[str, ...]
    residual: float = 0.0
    total_residual: float = 0.0


@dataclass(frozen=True, kw_only=True)
class TotalLink:
    """``count(counted) == total(share)``: a share's denominator is another
    indicator's count (``store.linked``)."""

    counted: str
    share: str


@dataclass(frozen=True, kw_only=True)
class Table:
    """The cells of one indicator and period across every level, and how they add
    up; or of several linked indicators, one cell key per indicator and area, a
    count published under two of them tied by an equation of one child."""

    cells: Mapping[str, Cell]
    equations: tuple[Equation, ...] = ()
    bounded_by_total: bool = False
    """A share: ``count <= total``."""
    unbounded: frozenset[str] = frozenset()
    """Cells without a total in a table whose other cells have one (the counts of a
    table of linked indicators): no total rows, no bound."""
    total_links: tuple[TotalLink, ...] = ()


@dataclass(frozen=True, kw_only=True)
class State:
    """A table as it was published: which of its cells were hidden."""

    table: Table
    hidden: frozenset[str]
    primary: frozenset[str] = frozenset()
    """The hidden cells that are protected for their own sake (small counts, secret
    at the source); the others protect them."""


@dataclass
class _Programme:
    columns: dict[Key, int] = field(default_factory=dict)
    rows: list[tuple[dict[int, float], float, bool]] = field(default_factory=list)
    """(coefficients, right-hand side, equality)"""

    def column(self, key: Key) -> int:
        return self.columns.setdefault(key, len(self.columns))


def feasible_ranges(
    current: State, earlier: Sequence[State], cells: Iterable[str]
) -> dict[str, tuple[float, float]]:
    """The smallest and largest count of each of ``cells`` in ``current`` that is
    consistent with ``current`` and every ``earlier`` state.

    Examples
    --------
    >>> t = Table(cells={"P": Cell(count=12), "a": Cell(count=2), "b": Cell(count=10)},
    ...           equations=(Equation(parent="P", children=("a", "b")),))
    >>> feasible_ranges(State(table=t, hidden=frozenset({"a"})), [], ["a"])
    {'a': (2.0, 2.0)}
    >>> feasible_ranges(State(table=t, hidden=frozenset({"a", "b"})), [], ["a"])
    {'a': (0.0, 12.0)}
    """
    last = len(earlier)
    ranges = state_ranges([*earlier, current], [(last, cell) for cell in cells])
    return {cell: found for (_state, cell), found in ranges.items()}


def state_ranges(
    states: Sequence[State], targets: Iterable[tuple[int, str]]
) -> dict[tuple[int, str], tuple[float, float]]:
    """The smallest and largest count of each ``(state number, area)`` target,
    consistent with all ``states`` together."""
    known = _known(states)
    programme = _Programme()
    for number, state in enumerate(states):
        _add_state(programme, state, number, known)
    result: dict[tuple[int, str], tuple[float, float]] = {}
    components = _components(programme)
    solved: dict[Key, tuple[float, float]] = {}
    for number, cell in targets:
        key = _key("n", cell, states[number].table.cells[cell].count, number)
        if key in known:
            result[(number, cell)] = (known[key], known[key])
        elif key not in programme.columns:
            result[(number, cell)] = (0.0, float("inf"))  # nothing ties it
        else:
            if key not in solved:
                solved[key] = _range(programme, components, programme.columns[key])
            result[(number, cell)] = solved[key]
    return result


def _key(quantity: str, area: str, value: float | None, state: int) -> Key:
    return (quantity, area, value if value is not None else f"state-{state}")


def _known(states: Sequence[State]) -> dict[Key, float]:
    known: dict[Key, float] = {}
    for state in states:
        for area, cell in state.table.cells.items():
            if area in state.hidden:
                continue
            if cell.count is not None:
                known[("n", area, cell.count)] = cell.count
            if cell.total is not None:
                known[("d", area, cell.total)] = cell.total
    return known


def _add_state(
    programme: _Programme, state: State, number: int, known: dict[Key, float]
) -> None:
    table = state.table

    def term(quantity: str, area: str) -> tuple[int | None, float]:
        """Column of an unknown, or the constant value."""
        cell = table.cells[area]
        value = cell.count if quantity == "n" else cell.total
        key = _key(quantity, area, value, number)
        if area not in state.hidden or key in known:
            return None, known.get(key, value or 0.0)
        return programme.column(key), 0.0

    quantities = ("n", "d") if table.bounded_by_total else ("n",)
    for equation in table.equations:
        for quantity in quantities:
            if quantity == "d" and equation.parent in table.unbounded:
                continue
            residual = equation.residual if quantity == "n" else equation.total_residual
            coefficients: dict[int, float] = defaultdict(float)
            rhs = residual
            members = [(equation.parent, 1.0)] + [(c, -1.0) for c in equation.children]
            for area, sign in members:
                column, constant = term(quantity, area)
                if column is None:
                    rhs -= sign * constant
                else:
                    coefficients[column] += sign
            if coefficients:
                programme.rows.append((dict(coefficients), rhs, True))
    for link in table.total_links:
        counted, total = term("n", link.counted), term("d", link.share)
        coefficients = defaultdict(float)
        rhs = 0.0
        for (column, constant), sign in ((counted, 1.0), (total, -1.0)):
            if column is None:
                rhs -= sign * constant
            else:
                coefficients[column] += sign
        if coefficients:
            programme.rows.append((dict(coefficients), rhs, True))
    if table.bounded_by_total:
        for area in state.hidden:
            if area in table.unbounded or area not in table.cells:
                continue
            count, total = term("n", area), term("d", area)
            if count[0] is None:
                continue
            coefficients = {count[0]: 1.0}
            rhs = 0.0
            if total[0] is None:
                rhs = total[1] if table.cells[area].total is not None else float("inf")
            else:
                coefficients[total[0]] = -1.0
            if rhs != float("inf"):
                programme.rows.append((coefficients, rhs, False))


def _components(programme: _Programme) -> list[int]:
    """Union-find root of every column: columns tied by a row share a root."""
    parent = list(range(len(programme.columns)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for coefficients, _rhs, _eq in programme.rows:
        first, *rest = coefficients
        for other in rest:
            parent[find(other)] = find(first)
    return [find(i) for i in range(len(parent))]


def _range(programme: _Programme, roots: list[int], column: int) -> tuple[float, float]:
    root = roots[column]
    columns = [i for i, r in enumerate(roots) if r == root]
    position = {c: i for i, c in enumerate(columns)}
    eq_rows, eq_rhs, ub_rows, ub_rhs = [], [], [], []
    for coefficients, rhs, equality in programme.rows:
        first = next(iter(coefficients))
        if roots[first] != root:
            continue
        row = {position[c]: v for c, v in coefficients.items()}
        (eq_rows if equality else ub_rows).append(row)
        (eq_rhs if equality else ub_rhs).append(rhs)
    n = len(columns)
    if len(eq_rows) == 1 and not ub_rows:
        closed = _one_sum(eq_rows[0], eq_rhs[0])
        if closed is not None:
            return closed
    # Imported here: the read gate imports this module for its records, and the
    # solver (~50 MB) is needed only when a release is published.
    from scipy.optimize import linprog

    objective = np.zeros(n)
    objective[position[column]] = 1.0
    kwargs = {
        "A_eq": _matrix(eq_rows, n) if eq_rows else None,
        "b_eq": np.array(eq_rhs) if eq_rows else None,
        "A_ub": _matrix(ub_rows, n) if ub_rows else None,
        "b_ub": np.array(ub_rhs) if ub_rows else None,
        "bounds": (0, None),
        "method": "highs",
    }
    low = linprog(objective, **kwargs)
    high = linprog(-objective, **kwargs)
    lowest = float(low.fun) if low.status == 0 else 0.0
    if high.status == 3:  # unbounded
        highest = float("inf")
    elif high.status == 0:
        highest = float(-high.fun)
    else:  # infeasible (cannot happen with true residuals): count it as exposed
        return (lowest, lowest)
    return (lowest, highest)


def _one_sum(row: dict[int, float], rhs: float) -> tuple[float, float] | None:
    """The range without a solver when the component is one sum of non-negative
    unknowns with coefficients of one sign (hidden siblings whose total is known):
    each lies between 0 and the total, a single one is the total. None otherwise."""
    signs = set(row.values())
    if len(signs) != 1:
        return None
    (sign,) = signs
    total = rhs / sign
    if len(row) == 1:
        return (total, total)
    return (0.0, total) if total >= 0 else (total, total)


def _matrix(rows: list[dict[int, float]], n: int) -> Any:
    """The rows as a sparse matrix (``scipy.sparse.csr_array``)."""
    from scipy.sparse import csr_array

    data, indices, pointers = [], [], [0]
    for row in rows:
        for column, value in row.items():
            indices.append(column)
            data.append(value)
        pointers.append(len(indices))
    return csr_array((data, indices, pointers), shape=(len(rows), n))
