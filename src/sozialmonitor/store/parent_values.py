"""Values of parent areas computed from their children where none is stored.

Only the children valid in a period count for it (valid at the period's end, its
Stichtag): after a boundary change a parent has the old and the new areas as
children, and 2020 adds up the old ones, 2021 the new ones.

The children that have no children of their own (the municipalities under a
district, the blocks under a quarter — almost every value there is) are summed by the
database, one row per parent, indicator and period; children that are parents
themselves are read (stored or, recursively, computed) and added in Python. Both add
up by the rules of ``domain.aggregation``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Select, and_, case, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from sozialmonitor.domain.aggregation import (
    CARRIED_FLAGS,
    ChildSums,
    adds_values,
    can_aggregate,
    parent_value,
    usable,
)
from sozialmonitor.domain.area import valid_between
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period
from sozialmonitor.store import schema
from sozialmonitor.store.resolution import (
    ObservationQuery,
    indicator_codes,
    joined,
    stored_values,
    value_conditions,
)

Key = tuple[str, str, str]
"""(indicator, parent area, period)"""

_HIDDEN = int(Flag.SUPPRESSED | Flag.REMOVED)
FEW_LEAVES = 500
"""Up to this many children are named by id in the sum's query, so it reads their
rows along the area index; more are found by their parents, and the query reads the
indicators' rows of all areas (a map's or a state's worth)."""


def with_parent_values(
    conn: Connection,
    query: ObservationQuery,
    priorities: dict[int, int],
    indicators: dict[str, Indicator],
    scope: Select[Any],
    stored: list[Observation],
) -> list[Observation]:
    """``stored`` and a computed value for each parent area in ``scope``, indicator
    and period that has none stored but children with usable values."""
    aggregatable = {c: i for c, i in indicators.items() if can_aggregate(i)}
    a, parent = schema.area, schema.area.alias("parent")
    is_parent = _has_children(a)
    children: dict[str, list[str]] = defaultdict(list)
    parent_of: dict[str, str] = {}
    leaves: dict[int, str] = {}
    validity: dict[str, tuple[Any, Any]] = {}
    inner = False
    rows = conn.execute(
        select(a.c.id, a.c.code, parent.c.code, is_parent, a.c.valid_from, a.c.valid_to)
        .join(parent, a.c.parent_id == parent.c.id)
        .where(a.c.parent_id.in_(scope))
    )
    for area_id, code, parent_code, has_children, valid_from, valid_to in rows:
        children[parent_code].append(code)
        parent_of[code] = parent_code
        if valid_from is not None or valid_to is not None:
            validity[code] = (valid_from, valid_to)
        if has_children:
            inner = True
        else:
            leaves[area_id] = code
    if not children or not aggregatable:
        return stored
    sums = _leaf_sums(conn, query, priorities, aggregatable, scope, leaves)
    if inner:
        inner_scope = select(a.c.id).where(a.c.parent_id.in_(scope), is_parent)
        inner_values = with_parent_values(
            conn,
            query,
            priorities,
            aggregatable,
            inner_scope,
            stored_values(conn, query, priorities, aggregatable, inner_scope),
        )
        for obs in inner_values:
            valid = _valid_children(validity, [obs.area], obs.period)
            if valid and usable(aggregatable[obs.indicator], obs):
                key = (obs.indicator, parent_of[obs.area], obs.period)
                sums.setdefault(key, ChildSums()).add(obs)
    have = {o.key for o in stored}
    result = list(stored)
    for key, child_sums in sums.items():
        indicator, parent_code, period = key
        if key in have:
            continue
        computed = parent_value(
            aggregatable[indicator],
            parent_code,
            period,
            sorted(_valid_children(validity, children[parent_code], period)),
            child_sums,
        )
        if computed is not None:
            result.append(computed)
    return result


@lru_cache(maxsize=1024)
def _period_end(period: str) -> dt.date:
    return parse_period(period).end


def _valid_children(
    validity: dict[str, tuple[Any, Any]], codes: list[str], period: str
) -> list[str]:
    """Those of ``codes`` valid at the end of ``period`` (areas without dates
    always are)."""
    if not validity:
        return codes
    end = _period_end(period)
    return [c for c in codes if c not in validity or valid_between(*validity[c], end)]


def _in_validity(area: Any, observation: Any) -> ColumnElement[bool]:
    """An observation's area is valid at the end of its period."""
    return and_(
        or_(area.c.valid_from.is_(None), area.c.valid_from <= observation.c.period_end),
        or_(area.c.valid_to.is_(None), area.c.valid_to >= observation.c.period_end),
    )


def _has_children(area: Any) -> Any:
    """Whether an area (a row of ``area``) has child areas: one uncorrelated list of
    parents, not a lookup per row."""
    child = schema.area.alias("child")
    return area.c.id.in_(select(child.c.parent_id).where(child.c.parent_id.isnot(None)))


def _leaf_sums(
    conn: Connection,
    query: ObservationQuery,
    priorities: dict[int, int],
    indicators: dict[str, Indicator],
    scope: Select[Any],
    leaves: dict[int, str],
) -> dict[Key, ChildSums]:
    """What the usable values of the childless children of the areas in ``scope``
    (``leaves``: id → code) add up to, per parent, indicator and period — summed by
    the database.

    Per key the newest release's row counts; a tombstone or a suppressed value does
    not; counts need a value, every other kind numerator and denominator (as
    ``domain.aggregation.usable``).
    """
    if not leaves:
        return {}
    o, a, parent = schema.observation, schema.area, schema.area.alias("parent")
    in_scope: ColumnElement[bool]
    if len(leaves) <= FEW_LEAVES:  # the planner then reads along the area index
        in_scope = o.c.area_id.in_(list(leaves))
    else:  # and here along the primary key (indicator, period, all areas)
        in_scope = and_(a.c.parent_id.in_(scope), ~_has_children(a))
    codes = indicator_codes(conn, indicators)
    counts = [i for i, code in codes.items() if adds_values(indicators[code])]
    rows = (
        select(
            o.c.indicator_id,
            o.c.period,
            o.c.value,
            o.c.numerator,
            o.c.denominator,
            o.c.flags,
            o.c.area_id,
            a.c.parent_id,
        )
        .join(a, o.c.area_id == a.c.id)
        .where(
            in_scope,
            _in_validity(a, o),
            *value_conditions(query, priorities, codes),
        )
    )
    if len(priorities) > 1:  # the newest release wins, even with a tombstone
        rank = case(priorities, value=o.c.release_id)
        rows = rows.add_columns(
            func.row_number()
            .over(
                partition_by=(o.c.indicator_id, o.c.area_id, o.c.period),
                order_by=rank.desc(),
            )
            .label("newest")
        )
    v = rows.subquery()
    conditions = [
        v.c.flags.op("&")(_HIDDEN) == 0,
        or_(
            and_(v.c.indicator_id.in_(counts), v.c.value.isnot(None)),
            and_(
                v.c.indicator_id.not_in(counts),
                v.c.numerator.isnot(None),
                v.c.denominator.isnot(None),
            ),
        ),
    ]
    if len(priorities) > 1:
        conditions.append(v.c.newest == 1)
    bits = [1 << i for i in range(CARRIED_FLAGS.bit_length()) if CARRIED_FLAGS >> i & 1]
    carried = [func.max(v.c.flags.op("&")(bit)) for bit in bits]
    grouped = (
        select(
            v.c.indicator_id,
            parent.c.code,
            v.c.period,
            func.sum(v.c.numerator),
            func.sum(v.c.denominator),
            func.sum(v.c.value),
            joined(conn, v.c.area_id),  # ids: codes may hold a comma
            *carried,
        )
        .join(parent, parent.c.id == v.c.parent_id)
        .where(*conditions)
        .group_by(v.c.indicator_id, parent.c.code, v.c.period)
    )
    sums: dict[Key, ChildSums] = {}
    for (
        indicator_id,
        parent_code,
        period,
        num,
        den,
        value,
        areas,
        *flags,
    ) in conn.execute(grouped):
        sums[(codes[indicator_id], parent_code, period)] = ChildSums(
            numerator=float(num or 0.0),
            denominator=float(den or 0.0),
            value=float(value or 0.0),
            flags=sum(int(f or 0) for f in flags),
            areas={leaves[int(i)] for i in str(areas).split(",")},
        )
    return sums
