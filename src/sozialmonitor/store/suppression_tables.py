"""The tables the disclosure audit protects: the area hierarchy, and per
indicator, period and release the cells (stored values and the parents computed
from them, every level) with the equations that tie parents to their children."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from sozialmonitor.access.attack import Cell, Equation, Table
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.aggregation import aggregate, can_aggregate
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store import schema
from sozialmonitor.store.records import indicator_from_row
from sozialmonitor.store.resolution import ObservationQuery

_SOURCE = int(Flag.SUPPRESSED)
_COMPUTED = int(Flag.COMPUTED)


@dataclass(frozen=True)
class Hierarchy:
    parent: dict[str, str | None]
    """Area code → parent code."""
    children: dict[str, list[str]]
    ids: dict[str, int]
    codes: dict[int, str]
    deepest_first: tuple[str, ...]
    """Area codes, the deepest level first."""


def hierarchy_of(conn: Connection) -> Hierarchy:
    from sozialmonitor.store.queries import list_areas

    areas = list_areas(conn)
    children: dict[str, list[str]] = defaultdict(list)
    for area in areas:
        if area.parent is not None:
            children[area.parent].append(area.code)
    ids = {
        r.code: r.id for r in conn.execute(select(schema.area.c.id, schema.area.c.code))
    }
    return Hierarchy(
        parent={a.code: a.parent for a in areas},
        children=dict(children),
        ids=ids,
        codes={i: c for c, i in ids.items()},
        deepest_first=tuple(a.code for a in reversed(areas)),  # by level rank
    )


def indicators_by_id(conn: Connection) -> dict[int, Indicator]:
    return {
        row.id: indicator_from_row(row)
        for row in conn.execute(select(schema.indicator))
    }


def slice_tables(
    conn: Connection,
    indicator: Indicator,
    periods: Iterable[str],
    as_of: str,
    hierarchy: Hierarchy | None = None,
) -> dict[str, Table]:
    """One indicator's tables of these periods as of a release, every level, as the
    administration reads them: the stored values (one read of the gate for all
    levels) and the parents computed from them, deepest level first, by the same
    rule as the gate (``domain.aggregation.aggregate``; a stored value wins)."""
    from sozialmonitor.store.queries import read_stored_rows

    hierarchy = hierarchy or hierarchy_of(conn)
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
