"""Which parent areas get a computed value, for the counts of the map of data gaps:
by the rule of the read gate (``store.parent_values``), from counts per parent
rather than from the values: a parent without a stored value on a level without
stored values gets one when a child has a usable value (a number; for shares, rates
and means numerator and denominator), and that child's level has stored values or
is computed in turn. A provisional child makes the parent's value provisional.

Levels that mix stored and computed values are not followed: there the map counts
the stored values only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Literal

Usable = Literal["value", "parts"]
"""What a child needs for its parent's value: its value (counts) or numerator and
denominator (every other kind that can be aggregated)."""


ChildGroup = tuple[int, str, int, int | None, int, int, int, int, int, int]
"""Stored values of one indicator and period under one parent, on one level, as the
database returns them (a plain tuple: there are hundreds of thousands):
indicator id, period, level id, parent id, values, of them numbers (not kept secret
by the source), secret, provisional numbers, values with numerator and denominator
(not secret), of them provisional."""


Computed = dict[tuple[int, int, str], dict[int, bool]]
"""(indicator id, level id, period) → computed area id → whether provisional."""


def computed_parents(
    groups: Iterable[ChildGroup],
    *,
    parent_of: Mapping[int, int | None],
    level_of: Mapping[int, int],
    usable: Mapping[int, Usable],
    stored_levels: set[tuple[int, int, str]],
) -> Computed:
    """The areas with computed values.

    Parameters
    ----------
    groups
        Stored values per indicator, period, level and parent.
    parent_of, level_of
        Area id → parent id, level id.
    usable
        Indicator id → what a child needs; indicators that cannot be aggregated
        (an index, a median) are left out.
    stored_levels
        (indicator id, level id, period) with stored values: not computed there,
        and not followed further up.
    """
    found: Computed = defaultdict(dict)
    for group in groups:
        (
            indicator,
            period,
            _level,
            parent,
            _n,
            value,
            _s,
            carried,
            parts,
            carried_parts,
        ) = group
        need = usable.get(indicator)
        if need is None or parent is None:
            continue
        count, provisional_children = (
            (value, carried) if need == "value" else (parts, carried_parts)
        )
        if not count:
            continue
        provisional = provisional_children > 0
        area: int | None = parent
        for _depth in range(20):
            if area is None or area not in level_of:
                break
            key = (indicator, level_of[area], period)
            if key in stored_levels:
                break
            held = found[key]
            if area in held and (held[area] or not provisional):
                break  # done before, with its ancestors
            held[area] = held.get(area, False) or provisional
            area = parent_of.get(area)
    return dict(found)
