"""The digest's statements about places: areas that moved into or out of a focus
class of a Sozialindex, and new hot spots (see ``release_digest``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import pandas as pd

from sozialmonitor.analysis.digest_statement import (
    DigestData,
    Figures,
    Link,
    Section,
    Statement,
    StatementKind,
    capped,
    indicator_link,
)
from sozialmonitor.analysis.index_categories import cell_categories, stored_definition
from sozialmonitor.analysis.index_definition import IndexDefinition
from sozialmonitor.analysis.indices import focus_areas
from sozialmonitor.analysis.service.clusters import level_contiguity
from sozialmonitor.analysis.service.shared import areas_of_period
from sozialmonitor.analysis.spatial import (
    Cluster,
    Contiguity,
    LocalResult,
    Neighbours,
    analyse,
)
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order, step_back

HOT_SPOT_MAX_AREAS = 600
"""Largest level (areas valid in the period) whose hot spots the digest looks for."""
HOT_SPOT_MAX_RUNS = 12
"""Most indicator-levels whose hot spots the digest compares (two analyses each)."""
UNCOMPARED = (Cluster.NOT_ANALYSED, Cluster.NO_NEIGHBOURS)

Values = Mapping[tuple[str, str, str], Observation]


# --- focus areas -------------------------------------------------------------------


def focus_moves(data: DigestData) -> list[Section]:
    """Areas in a focus class now and not before, or before and not now, among
    those with a class both times. "Before" is the newest period of the previous
    release, or without one the period before the newest of this release."""
    found: list[Statement] = []
    for indicator in data.indicators.values():
        definition = stored_definition(indicator)
        if definition is None or indicator.id != f"{definition.id}.status_class":
            continue
        found.extend(_index_moves(data, definition))
    return [capped(StatementKind.FOCUS, found)]


def _periods(values: Values, indicator: str) -> list[str]:
    return sorted({p for (ind, _a, p) in values if ind == indicator}, key=period_order)


def _index_moves(data: DigestData, d: IndexDefinition) -> list[Statement]:
    classes = f"{d.id}.status_class"
    now_periods = _periods(data.now, classes)
    if not now_periods:
        return []
    period = now_periods[-1]
    before, base_period, base_release = data.before, None, None
    if data.previous is not None and (earlier := _periods(data.before, classes)):
        base_period, base_release = earlier[-1], data.previous.name
    elif len(now_periods) > 1:
        before, base_period = data.now, now_periods[-2]
    if base_period is None:
        return []
    now = _focus(data.now, d, period)
    then = _focus(before, d, base_period)
    both = now.keys() & then.keys()
    found = []
    for code in sorted(both):
        is_focus, was_focus = now[code], then[code]
        if bool(is_focus) == bool(was_focus) or not data.in_scope(code):
            continue
        found.append(
            Statement(
                kind=StatementKind.FOCUS,
                direction="into" if is_focus else "out_of",
                indicator=classes,
                indicator_name=data.indicators[classes].name,
                areas=(data.area(code),),
                figures=Figures(
                    period=period,
                    base_period=base_period,
                    release=data.release.name,
                    base_release=base_release,
                    index=d.id,
                    index_name=d.name,
                    reasons=is_focus or was_focus,
                ),
                link=Link(path=f"/sozialindex/{d.id}", params=(("zeitraum", period),)),
                rank=0.0 if is_focus else 1.0,
            )
        )
    return found


def _focus(
    values: Values, d: IndexDefinition, period: str
) -> dict[str, tuple[str, ...]]:
    """Area code → why it is a focus area (empty: it is none), of the areas with a
    status class in ``period``; through ``indices.focus_areas``, the rule the
    index page uses."""
    columns: dict[str, str] = {f"{d.id}.status_class": "status_class"}
    columns.update({f"{d.id}.z_{i.key}": f"z_{i.key}" for i in d.indicators})
    if d.dynamics is not None:
        columns[f"{d.id}.dynamics_class"] = "dynamics_class"
        columns[f"{d.id}.cell"] = "cell"
    table: dict[str, dict[str, float | None]] = defaultdict(dict)
    for (ind, area, p), obs in values.items():
        if p == period and ind in columns:
            table[area][columns[ind]] = obs.value
    codes = sorted(a for a, row in table.items() if row.get("status_class") is not None)
    if not codes:
        return {}
    symbols = {c.code: c.symbol for c in cell_categories(d)}

    def whole(name: str) -> pd.arrays.IntegerArray:
        return pd.array(
            [None if (v := table[c].get(name)) is None else int(v) for c in codes],
            dtype="Int64",
        )

    frame = pd.DataFrame(
        {
            "name": codes,
            "included": [True] * len(codes),
            "status_class": whole("status_class"),
            **{
                f"z_{i.key}": [table[c].get(f"z_{i.key}") for c in codes]
                for i in d.indicators
            },
        },
        index=codes,
    )
    if d.dynamics is not None:
        frame["dynamics_class"] = whole("dynamics_class")
        frame["cell"] = [
            symbols.get(int(v), "") if (v := table[c].get("cell")) is not None else ""
            for c in codes
        ]
    found: dict[str, tuple[str, ...]] = dict.fromkeys(codes, ())
    for focus in focus_areas(frame, d):
        found[focus.code] = focus.reasons
    return found


# --- hot spots ---------------------------------------------------------------------


def hot_spots(data: DigestData) -> list[Section]:
    """Areas in a high-high cluster in the newest period the release brings that
    were not in one in the previous period (both analysed)."""
    brought = data.brought()
    levels: dict[str, set[str]] = defaultdict(set)
    for (ind, area, period), obs in data.now.items():
        known = data.areas.get(area)
        if brought.get(ind) == period and obs.release == data.release.name and known:
            levels[ind].add(known.level)
    candidates = sorted((ind, lvl) for ind, lvls in levels.items() for lvl in lvls)
    found: list[Statement] = []
    budget = data.budget
    level_areas: dict[tuple[str, str], list[str]] = {}

    def codes_of(level: str, period: str) -> list[str]:
        if (level, period) not in level_areas:
            level_areas[(level, period)] = [
                a.code for a in areas_of_period(data.conn, level, period)
            ]
        return level_areas[(level, period)]

    for ind, level in candidates:
        period = brought[ind]
        base = step_back(period)
        areas = codes_of(level, period)
        if len(areas) > HOT_SPOT_MAX_AREAS:
            budget.skipped += 1
            continue
        if not any((ind, code, base) in data.now for code in areas):
            continue
        if budget.runs >= HOT_SPOT_MAX_RUNS:
            budget.skipped += 1
            continue
        weights = level_contiguity(data.conn, level, Contiguity.QUEEN)
        if weights is None:
            continue
        budget.runs += 1
        now = _clusters(data, ind, codes_of(level, period), period, weights)
        then = _clusters(data, ind, codes_of(level, base), base, weights)
        for code, local in now.items():
            earlier = then.get(code)
            if (
                local.cluster is not Cluster.HIGH_HIGH
                or earlier is None
                or earlier.cluster in UNCOMPARED
                or earlier.cluster is Cluster.HIGH_HIGH
                or not data.in_scope(code)
            ):
                continue
            found.append(
                Statement(
                    kind=StatementKind.HOT_SPOT,
                    direction="new",
                    indicator=ind,
                    indicator_name=data.indicators[ind].name,
                    areas=(data.area(code),),
                    figures=Figures(
                        period=period,
                        value=data.now[(ind, code, period)].value,
                        base_period=base,
                        release=data.release.name,
                        test="local_moran",
                        statistic=local.local_i,
                        p_value=local.p_value,
                        level=level,
                    ),
                    link=indicator_link(
                        ind, ansicht="hotspots", ebene=level, zeitraum=period
                    ),
                    rank=local.p_value if local.p_value is not None else 1.0,
                )
            )
    return [capped(StatementKind.HOT_SPOT, found)]


def _clusters(
    data: DigestData, ind: str, codes: list[str], period: str, weights: Neighbours
) -> dict[str, LocalResult]:
    """The local clusters of one indicator and period on the level's areas of that
    period (``codes``), with the values the reader may see."""
    row = [
        o.value if (o := data.now.get((ind, code, period))) is not None else None
        for code in codes
    ]
    result = analyse(codes, None, row, weights=weights)
    return {r.area: r for r in result.local}
