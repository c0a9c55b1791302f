"""What each chart shows: the Vega-Lite specs of a time series and of a change.

Specs carry their data inline; a page compiles them to Vega
(:func:`sozialmonitor.web.charts.export.compile_to_vega`), a download renders them
(:func:`sozialmonitor.web.charts.export.export_chart`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sozialmonitor.web import formatting
from sozialmonitor.web.charts.localisation import chart_words, number_format
from sozialmonitor.web.charts.style import (
    DECREASE_COLOUR,
    HEIGHT,
    INCREASE_COLOUR,
    LEGEND,
    MAX_AREAS,
    PALETTE,
    SHAPES,
    STROKE_DASHES,
    WIDTH,
    chart_config,
)
from sozialmonitor.web.i18n import Language

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"


@dataclass(frozen=True)
class Series:
    """One area's line in a time series chart."""

    area_name: str
    """The area's name as the legend and tooltip show it."""
    points: Sequence[tuple[str, float | None]]
    """``(period label, value)`` in time order; ``None`` is a gap in the line."""


@dataclass(frozen=True)
class AreaChange:
    """One area's bar in a change chart."""

    area_name: str
    """The area's name as the axis and tooltip show it."""
    change: float | None
    """Difference between the two periods; ``None``: not available (no bar)."""


def time_series_spec(
    *, title: str, unit: str, series: Sequence[Series], lang: str, decimals: int
) -> dict[str, Any]:
    """A line chart with one line (colour, point shape and dash) per area.

    Parameters
    ----------
    title
        The chart title, usually the indicator's name.
    unit
        The value's unit (``"%"``, ``"je 1.000 EW"``); shown in the axis title and
        tooltip. Empty for counts without a unit.
    series
        One :class:`Series` per area, at most
        :data:`~sozialmonitor.web.charts.style.MAX_AREAS`, names distinct. Periods
        are ordinal labels kept in the order given; a period only some areas have is
        placed by its neighbours in those areas' series.
    lang
        ``"de"`` or ``"en"``: axis titles and number format (``1.234,5``).
    decimals
        Decimal places of axis labels and tooltips.

    Returns
    -------
    dict
        A Vega-Lite spec; compile it with
        :func:`~sozialmonitor.web.charts.export.compile_to_vega` for a page.

    Raises
    ------
    ValueError
        For no series, more than
        :data:`~sozialmonitor.web.charts.style.MAX_AREAS`, repeated area names or
        an unknown language.

    Examples
    --------
    >>> spec = time_series_spec(
    ...     title="SGB-II-Quote",
    ...     unit="%",
    ...     series=[Series("Linden-Süd", [("2020", 21.5), ("2021", None)])],
    ...     lang="de",
    ...     decimals=1,
    ... )
    >>> spec["encoding"]["y"]["title"], spec["data"]["values"][1]["value"]
    ('Wert (%)', None)
    """
    words = chart_words(lang)
    names = [s.area_name for s in series]
    if not 1 <= len(names) <= MAX_AREAS:
        raise ValueError(
            f"a time series chart shows 1 to {MAX_AREAS} areas, not {len(names)}; "
            "show more in a table or on the comparison page"
        )
    _check_area_names(names)
    periods = _merged_periods([[period for period, _ in s.points] for s in series])
    count = len(names)
    area = {"field": "area", "type": "nominal", "title": words["area"]}
    value_title = _with_unit(words["value"], unit)
    value_format = number_format(decimals)
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "anchor": "start"},
        "description": title,
        "width": WIDTH,
        "height": HEIGHT,
        "autosize": {"type": "fit", "contains": "padding"},
        "data": {
            "values": [
                {"area": s.area_name, "period": period, "value": finite(value)}
                for s in series
                for period, value in s.points
            ]
        },
        "encoding": {
            "x": {
                "field": "period",
                "type": "ordinal",
                "sort": periods,
                "title": words["period"],
                "axis": {"labelAngle": _label_angle(periods), "labelOverlap": True},
            },
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": value_title,
                "axis": {"format": value_format},
            },
            "color": {
                **area,
                "scale": {"domain": names, "range": list(PALETTE[:count])},
                "legend": dict(LEGEND),
            },
        },
        "layer": [
            {
                # A missing value breaks the line instead of bridging the gap.
                "mark": {
                    "type": "line",
                    "strokeWidth": 2,
                    "invalid": "break-paths-show-domains",
                },
                "encoding": {
                    "strokeDash": {
                        **area,
                        "scale": {
                            "domain": names,
                            "range": [list(d) for d in STROKE_DASHES[:count]],
                        },
                        # Merged into the one legend of colour and shape.
                        "legend": dict(LEGEND),
                    }
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 70, "opacity": 1},
                "encoding": {
                    "shape": {
                        **area,
                        "scale": {"domain": names, "range": list(SHAPES[:count])},
                        "legend": dict(LEGEND),
                    },
                    "tooltip": [
                        area,
                        {
                            "field": "period",
                            "type": "ordinal",
                            "title": words["period"],
                        },
                        {
                            "field": "value",
                            "type": "quantitative",
                            "title": value_title,
                            "format": value_format,
                        },
                    ],
                },
            },
        ],
        "config": chart_config(lang),
    }


def change_spec(
    *,
    title: str,
    unit: str,
    changes: Sequence[AreaChange],
    base_period: str,
    period: str,
    lang: str,
    decimals: int,
) -> dict[str, Any]:
    """A horizontal bar chart of each area's change, diverging at zero, sorted.

    Bars run right for an increase and left for a decrease, largest increase on top;
    each bar is labelled with its signed value, so the colour (by direction) only
    repeats what position and label already say. Areas without a change (``None``)
    are left out of the chart; the page's table lists them.

    Parameters
    ----------
    title
        The chart title.
    unit
        The change's unit (``"Prozentpunkte"``, ``"%"``, ``"je 1.000 EW"``).
    changes
        One :class:`AreaChange` per area, already computed (see
        :mod:`sozialmonitor.analysis.changes`).
    base_period, period
        The periods compared, for the axis title (``Veränderung 2015–2021``).
    lang
        ``"de"`` or ``"en"``.
    decimals
        Decimal places of the labels.

    Returns
    -------
    dict
        A Vega-Lite spec.

    Raises
    ------
    ValueError
        For repeated area names or an unknown language.

    Examples
    --------
    >>> spec = change_spec(
    ...     title="SGB-II-Quote",
    ...     unit="Prozentpunkte",
    ...     changes=[AreaChange("Mitte", -1.5), AreaChange("Linden-Süd", 2.25)],
    ...     base_period="2015",
    ...     period="2021",
    ...     lang="de",
    ...     decimals=1,
    ... )
    >>> spec["encoding"]["x"]["title"]
    'Veränderung 2015–2021 (Prozentpunkte)'
    """
    words = chart_words(lang)
    _check_area_names([c.area_name for c in changes])
    known = [(c.area_name, v) for c in changes if (v := finite(c.change)) is not None]
    # Largest increase on top; equal changes keep the order given.
    known.sort(key=lambda pair: -pair[1])
    axis_title = _with_unit(f"{words['change']} {base_period}–{period}", unit)
    change_format = number_format(decimals, sign=True)
    area_axis = {
        "field": "area",
        "type": "nominal",
        "sort": [name for name, _ in known],
        "title": None,
        "axis": {"labelLimit": 200},
    }
    language: Language = "de" if lang == "de" else "en"
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "anchor": "start"},
        "description": title,
        "width": WIDTH,
        "height": {"step": 22},
        "autosize": {"type": "fit-x", "contains": "padding"},
        # Each label is the table's text: a change that rounds to none keeps the
        # decimals that show it ("−0,03"), where a format would write "−0,0".
        "data": {
            "values": [
                {
                    "area": name,
                    "change": value,
                    "label": formatting.change_number(value, decimals, language),
                }
                for name, value in known
            ]
        },
        "encoding": {
            "x": {
                "field": "change",
                "type": "quantitative",
                "title": axis_title,
                "axis": {"format": change_format},
                # Room for the value labels at both ends of the bars.
                "scale": {
                    "domain": _padded_domain([v for _, v in known]),
                    "nice": True,
                },
            },
        },
        "layer": [
            {
                "mark": {
                    "type": "bar",
                    "height": {"band": 0.7},
                    "color": {
                        "expr": f"datum.change >= 0 ? '{INCREASE_COLOUR}'"
                        f" : '{DECREASE_COLOUR}'"
                    },
                },
                "encoding": {
                    "y": area_axis,
                    "tooltip": [
                        {"field": "area", "type": "nominal", "title": words["area"]},
                        {"field": "label", "type": "nominal", "title": axis_title},
                    ],
                },
            },
            {
                "mark": {
                    "type": "text",
                    "align": {"expr": "datum.change >= 0 ? 'left' : 'right'"},
                    "dx": {"expr": "datum.change >= 0 ? 4 : -4"},
                    "fontSize": 11,
                    "color": "#1a1a1a",
                },
                "encoding": {
                    "y": area_axis,
                    "text": {"field": "label", "type": "nominal"},
                },
            },
            {
                "mark": {"type": "rule", "color": "#1a1a1a"},
                "encoding": {"x": {"datum": 0}},
            },
        ],
        "config": chart_config(lang),
    }


def _check_area_names(names: Sequence[str]) -> None:
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"area names must differ; repeated: {', '.join(repeated)}")


def _merged_periods(orders: Sequence[Sequence[str]]) -> list[str]:
    """All periods, each series' order kept; a new period goes before the next
    period of its series that is already placed, or at the end.

    >>> _merged_periods([["2015", "2017"], ["2014", "2015", "2016", "2017"]])
    ['2014', '2015', '2016', '2017']
    """
    merged: list[str] = []
    for order in orders:
        for index, period in enumerate(order):
            if period in merged:
                continue
            later = [p for p in order[index + 1 :] if p in merged]
            position = merged.index(later[0]) if later else len(merged)
            merged.insert(position, period)
    return merged


def _label_angle(periods: Sequence[str]) -> int:
    """Horizontal period labels when they fit side by side, else slanted."""
    needed = sum(7 * len(p) + 10 for p in periods)
    return 0 if needed <= WIDTH else -45


def _padded_domain(values: Sequence[float]) -> list[float]:
    """Zero and the values, widened by a fifth so the bar labels fit."""
    low, high = min([0.0, *values]), max([0.0, *values])
    if low == high:
        return [-1.0, 1.0]
    room = (high - low) * 0.2
    return [low - room if low < 0 else 0.0, high + room if high > 0 else 0.0]


def _with_unit(text: str, unit: str) -> str:
    return f"{text} ({unit})" if unit else text


def finite(value: float | None) -> float | None:
    """``None`` for missing and non-finite values (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)
