"""The time series of the indicator page: every period of the top-level area and
of the areas the user added (``gebiete``, at most eight lines), with the Vega spec
the page compiles when it renders (``Later``) and a data table as its alternative.
The change view is in :mod:`~sozialmonitor.web.pages.indicator_change`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

from sozialmonitor.analysis.index_categories import Category, categories_of
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Observation
from sozialmonitor.web import charts, formatting
from sozialmonitor.web.page import Later, made_later
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.boundary_state import (
    TODAY,
    BoundarySwitch,
    boundary_switch,
    chosen_state,
    is_recomputed,
    predecessors,
    recomputed_note,
    today_values,
)
from sozialmonitor.web.pages.indicator_context import (
    ChoiceGroup,
    Context,
    choice_group,
    quoted,
)
from sozialmonitor.web.pages.indicator_views import (
    entry_flags,
)
from sozialmonitor.web.pages.trend_marker import TrendMarker, area_trends, trend_note
from sozialmonitor.web.values import shown_value


@dataclass(frozen=True, kw_only=True)
class SeriesColumn:
    code: str
    name: str
    remove_url: str | None
    """Link that removes the area from the chart (None for the top-level area)."""
    trend: TrendMarker | None = None
    """The area's trend test over its stored series."""


@dataclass(frozen=True, kw_only=True)
class SeriesRow:
    period: str
    period_text: str
    values: tuple[float | None, ...]
    texts: tuple[str, ...]
    flags: tuple[tuple[str, ...], ...]
    """Each value's flag names (``recomputed`` on today's areas)."""


@dataclass(frozen=True, kw_only=True)
class ChartView:
    chart_id: str
    title: str
    columns: tuple[SeriesColumn, ...]
    rows: tuple[SeriesRow, ...]
    has_values: bool
    choice_groups: tuple[ChoiceGroup, ...]
    can_add: bool
    boundary: BoundarySwitch | None
    """The Gebietsstand switch; None when no area of the chart has predecessors."""
    trend_note: str = ""
    """The trend test's method, named once under the table."""
    spec: Later = made_later()
    """The compiled Vega spec as JSON, safe inside ``<script>``."""


def distinct_names(areas: list[Area]) -> list[str]:
    """Area names for a chart, with the code added where two areas share a name."""
    names = [a.name for a in areas]
    return [
        f"{a.name} ({a.code})" if names.count(a.name) > 1 else a.name for a in areas
    ]


# --- the time series -------------------------------------------------------------


def boundary_state(ctx: Context) -> tuple[str, bool]:
    """The chart's Gebietsstand, and whether one of its areas has predecessors
    (else both states are the same series)."""
    known = predecessors(ctx.conn, ctx.snap)
    changed = any(code in known for code in ctx.view.gebiete)
    return chosen_state(ctx.view.gebietsstand, changed), changed


def series_data(
    ctx: Context,
) -> tuple[list[Area], list[str], dict[tuple[str, str], Observation]]:
    """Areas (top area first), periods with a value, and the values of the chart:
    on today's areas (recomputed before a boundary change) or as they were."""
    root = ctx.root
    areas = [root, *(ctx.snap.areas[c] for c in ctx.view.gebiete)]
    scope_periods = {
        p for periods in ctx.scope.periods_by_level.values() for p in periods
    }
    values = data.area_series(ctx.conn, ctx.snap, ctx.indicator, ctx.view.gebiete)
    state, changed = boundary_state(ctx)
    if changed and state == TODAY:
        values.update(today_values(ctx.conn, ctx.snap, ctx.indicator, ctx.view.gebiete))
    for period, obs in data.root_values(
        ctx.conn, ctx.snap, ctx.indicator, root.code, scope_periods
    ).items():
        values[(root.code, period)] = obs
    periods = data.ordered_periods(p for _, p in values)
    return areas, periods, values


def series_spec(ctx: Context) -> dict[str, Any]:
    """The Vega-Lite spec of the view's time series."""
    areas, periods, values = series_data(ctx)
    return _series_spec(ctx, areas, periods, values)


def _series_spec(
    ctx: Context,
    areas: list[Area],
    periods: list[str],
    values: dict[tuple[str, str], Observation],
) -> dict[str, Any]:
    spec = charts.time_series_spec(
        title=ctx.name,
        unit=formatting.unit(ctx.indicator, ctx.lang),
        series=[
            charts.Series(
                name,
                [
                    (ctx.period(p), shown_value(values.get((a.code, p))))
                    for p in periods
                ],
            )
            for a, name in zip(areas, distinct_names(areas), strict=True)
        ],
        lang=ctx.lang,
        decimals=ctx.indicator.decimals,
    )
    categories = categories_of(ctx.indicator, ctx.lang)
    return class_axis(spec, categories, ctx.t("Klasse")) if categories else spec


def class_axis(
    spec: dict[str, Any], categories: tuple[Category, ...], title: str
) -> dict[str, Any]:
    """A time series of a class indicator: the value axis and the tooltip name
    each class by its label, with a tick per class only (never "2 Klasse").

    Examples
    --------
    >>> from sozialmonitor.analysis.index_categories import Category
    >>> spec = {"encoding": {"y": {}}, "layer": [{}, {"encoding": {"tooltip": [
    ...     {}, {}, {"field": "value"}]}}]}
    >>> found = class_axis(spec, (Category(code=1, symbol="1", label="hoch",
    ...     colour="#000000"),), "Klasse")
    >>> found["encoding"]["y"]["axis"]["labelExpr"]
    'datum.value === 1 ? "hoch" : ""'
    """
    expression = (
        " : ".join(
            f"datum.value === {c.code} ? {json.dumps(c.label)}" for c in categories
        )
        + ' : ""'
    )
    codes = [c.code for c in categories]
    spec["encoding"]["y"] = {
        **spec["encoding"]["y"],
        "title": title,
        "scale": {"domain": [min(codes), max(codes)]},
        "axis": {"values": codes, "labelExpr": expression},
    }
    spec["transform"] = [{"calculate": expression, "as": "label"}]
    tooltip = spec["layer"][1]["encoding"]["tooltip"]
    tooltip[-1] = {"field": "label", "type": "nominal", "title": title}
    return spec


def chart_view(ctx: Context) -> tuple[ChartView, str]:
    """The time series with its data table, the add-area form and a summary."""
    areas, periods, values = series_data(ctx)
    names = distinct_names(areas)
    rows = tuple(
        SeriesRow(
            period=p,
            period_text=ctx.period(p),
            values=tuple(shown_value(values.get((a.code, p))) for a in areas),
            texts=tuple(ctx.value(values.get((a.code, p))) for a in areas),
            flags=tuple(entry_flags(values.get((a.code, p))) for a in areas),
        )
        for p in periods
    )
    has_values = any(v is not None for r in rows for v in r.values)
    groups = (
        choice_group(ctx, level, leave_out=areas)
        for level in ctx.scope.levels
        if level != ctx.root.level
    )
    spec = Later()
    if has_values:
        chart = _series_spec(ctx, areas, periods, values)
        spec = Later(partial(charts.compiled_script, chart, ctx.lang), off_thread=True)
    # The top area's series is the one the chart draws (kept per data version; at
    # Germany size a sum over 11,000 municipalities): its trend is tested on it.
    root_series = [o for (code, _), o in values.items() if code == ctx.root.code]
    trends = area_trends(
        ctx.conn,
        ctx.snap,
        ctx.indicator,
        [a.code for a in areas],
        ctx.t,
        known={(ctx.indicator.id, ctx.root.code): root_series},
    )
    view = ChartView(
        chart_id="chart-series",
        title=ctx.t("Zeitreihe: {name}", name=ctx.name),
        columns=tuple(
            SeriesColumn(
                code=a.code,
                name=name,
                remove_url=None
                if a.code == ctx.root.code
                else ctx.url(gebiete=[c for c in ctx.view.gebiete if c != a.code]),
                trend=trends.get(a.code),
            )
            for a, name in zip(areas, names, strict=True)
        ),
        rows=rows,
        has_values=has_values,
        choice_groups=tuple(g for g in groups if g.count),
        can_add=len(ctx.view.gebiete) < charts.MAX_AREAS - 1,
        boundary=_switch(ctx, areas, values),
        trend_note=trend_note(ctx.t),
        spec=spec,
    )
    return view, series_summary(ctx, names, rows)


def _switch(
    ctx: Context, areas: list[Area], values: dict[tuple[str, str], Observation]
) -> BoundarySwitch | None:
    """The Gebietsstand switch and the notes on the recomputed values."""
    state, changed = boundary_state(ctx)
    if not changed:
        return None
    known = predecessors(ctx.conn, ctx.snap)
    notes = []
    for area in areas:
        recomputed = [
            p
            for (code, p), obs in values.items()
            if code == area.code and is_recomputed(obs)
        ]
        if recomputed and area.code in known:
            notes.append(
                recomputed_note(
                    ctx.snap, known[area.code], area.name, recomputed, ctx.t
                )
            )
    if state == TODAY and not notes and ctx.view.gebietsstand is None:
        return None  # no predecessor has a value to recompute: both are the same
    return boundary_switch(
        state,
        lambda value: ctx.url(gebietsstand=value),
        ctx.t,
        tuple(notes),
    )


def series_summary(ctx: Context, names: list[str], rows: tuple[SeriesRow, ...]) -> str:
    """``„Name“ 2001–2021: Region Hannover von 5,1 % (2001) auf 6,5 % (2021); …``"""
    parts = []
    for index, name in enumerate(names):
        points = [r for r in rows if r.values[index] is not None]
        if not points:
            parts.append(ctx.t("{area}: keine Werte", area=name))
        elif len(points) == 1:
            parts.append(f"{name}: {points[0].texts[index]} ({points[0].period_text})")
        else:
            parts.append(
                ctx.t(
                    "{area} von {first} ({first_period}) auf {last} ({last_period})",
                    area=name,
                    first=points[0].texts[index],
                    first_period=points[0].period_text,
                    last=points[-1].texts[index],
                    last_period=points[-1].period_text,
                )
            )
    span = ""
    if rows:
        span = " " + "–".join(
            dict.fromkeys((rows[0].period_text, rows[-1].period_text))
        )
    return f"{quoted(ctx.name, ctx.lang)}{span}: " + "; ".join(parts) + "."
