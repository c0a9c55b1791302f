"""An attacker of our own, written apart from ``sozialmonitor.access``: from what was
published (the counts shown, the cells hidden, the area hierarchy) it sets up the
linear programme of every hidden count — a parent's count is the sum of its
children's, counts are not negative, a share's count is at most its total — and
solves it for the smallest and largest value of each hidden cell with HiGHS.

Several published states (one per release) are attacked together. The strongest
attacker also knows which cells kept their value from one state to the next (the
release history tells what changed): ``identity(state, area)`` names the unknown a
cell is, so an unchanged hidden cell is one unknown in every state, and a constant
once any state shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog

Shown = Mapping[str, float | None]
"""area → count as published, None when hidden"""


def hidden_ranges(
    states: Sequence[Shown],
    children: Mapping[str, list[str]] | Sequence[Mapping[str, list[str]]],
    identity: Callable[[int, str], str] | None = None,
    totals: Sequence[Mapping[str, float]] | None = None,
) -> dict[tuple[int, str], tuple[float, float]]:
    """(state, area) → smallest and largest feasible count of each hidden cell.

    ``children``: parent → children whose counts add up to the parent's (or one
    such mapping per state, where parents add up different children).
    ``totals``: per state, area → total of a share known to bound the count.
    """
    name = identity or (lambda state, area: f"{state}:{area}")
    known: dict[str, float] = {}
    for s, shown in enumerate(states):
        for area, value in shown.items():
            if value is not None:
                known[name(s, area)] = float(value)
    unknown = sorted(
        {name(s, a) for s, shown in enumerate(states) for a, v in shown.items()}
        - known.keys()
    )
    column = {u: i for i, u in enumerate(unknown)}
    a_eq, b_eq = [], []
    per_state = [children] * len(states) if isinstance(children, Mapping) else children
    for s, shown in enumerate(states):
        for parent, kids in per_state[s].items():
            present = [k for k in kids if k in shown]
            if parent not in shown or not present:
                continue
            row = np.zeros(len(unknown))
            rhs = 0.0
            for area, sign in [(parent, 1.0)] + [(k, -1.0) for k in present]:
                key = name(s, area)
                if key in known:
                    rhs -= sign * known[key]
                else:
                    row[column[key]] += sign
            if row.any():
                a_eq.append(row)
                b_eq.append(rhs)
    upper: dict[str, float] = {}
    for s, bound in enumerate(totals or []):
        for area, total in bound.items():
            key = name(s, area)
            if key in column:
                upper[key] = min(upper.get(key, float("inf")), total)
    bounds = [(0.0, upper.get(u)) for u in unknown]
    solved: dict[str, tuple[float, float]] = {}
    for u in unknown:
        objective = np.zeros(len(unknown))
        objective[column[u]] = 1.0
        kwargs = {
            "A_eq": np.array(a_eq) if a_eq else None,
            "b_eq": np.array(b_eq) if b_eq else None,
            "bounds": bounds,
            "method": "highs",
        }
        low = linprog(objective, **kwargs)
        high = linprog(-objective, **kwargs)
        assert low.status == 0, f"the attacker's programme is infeasible at {u}"
        top = float("inf") if high.status == 3 else float(-high.fun)
        solved[u] = (float(low.fun), top)
    return {
        (s, area): solved[name(s, area)]
        for s, shown in enumerate(states)
        for area, value in shown.items()
        if value is None and name(s, area) in solved
    }
