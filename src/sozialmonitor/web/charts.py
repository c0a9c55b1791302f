"""Charts: one Vega-Lite spec per chart, compiled to Vega and exported on the server.

The browser never sees Vega-Lite: a page embeds the Vega spec from
:func:`compile_to_vega` and ``static/js/chart.js`` renders it with the vendored vega.
Downloads (PNG, SVG) are rendered here by vl-convert with the title, the source and
the date burnt in. Nothing in this module touches the network: specs carry their
data inline and every vl-convert render forbids external URLs.

Colour is never the only carrier of meaning: each area of a time series also has its
own point shape and line dash, and every chart has a table alternative on its page.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import vl_convert
from markupsafe import Markup, escape

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
WIDTH = 640
"""Plot width in pixels; the rendered SVG has a viewBox and scales down with CSS."""
HEIGHT = 300
PNG_SCALE = 2
"""Exported PNGs are rendered at twice the size, for sharp print and HiDPI screens."""

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow: last, it has the least contrast on white
)
"""Okabe-Ito colours, distinguishable with the common colour-vision deficiencies."""
SHAPES: tuple[str, ...] = (
    "circle",
    "square",
    "triangle-up",
    "diamond",
    "cross",
    "triangle-down",
    "wye",
    "triangle-right",
)
"""Vega point shapes, one per area, so a series is found without telling colours."""
STROKE_DASHES: tuple[tuple[int, ...], ...] = (
    (1, 0),
    (6, 3),
    (2, 2),
    (8, 3, 2, 3),
    (4, 4),
    (1, 3),
    (10, 4),
    (6, 2, 2, 2),
)
"""Line dash patterns (dash, gap, …), one per area."""
MAX_AREAS = len(PALETTE)
"""More lines than this are unreadable; show a table or the comparison page instead."""
LEGEND: dict[str, Any] = {
    "orient": "bottom",
    "direction": "horizontal",
    # Filled symbols; a stroke would carry the line's dash into the legend.
    "symbolStrokeWidth": 0,
    "symbolSize": 90,
}
INCREASE_COLOUR = "#0072B2"
DECREASE_COLOUR = "#D55E00"

NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "de": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
    },
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
}
"""d3-format locales (de-DE, en-GB) as vl-convert and vega name them."""
TIME_LOCALES: dict[str, dict[str, Any]] = {
    "de": {
        "dateTime": "%A, der %e. %B %Y, %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [
            "Sonntag",
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
        ],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "shortMonths": [
            "Jan",
            "Feb",
            "Mrz",
            "Apr",
            "Mai",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Okt",
            "Nov",
            "Dez",
        ],
    },
    "en": {
        "dateTime": "%a %e %b %X %Y",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "shortMonths": [
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ],
    },
}
"""d3-time-format locales (de-DE, en-GB) as vl-convert and vega name them."""

WORDS: dict[str, dict[str, str]] = {
    "de": {
        "area": "Gebiet",
        "period": "Zeitraum",
        "value": "Wert",
        "change": "Veränderung",
        "source": "Quelle",
    },
    "en": {
        "area": "Area",
        "period": "Period",
        "value": "Value",
        "change": "Change",
        "source": "Source",
    },
}
"""The few words a chart writes itself; everything else is passed in."""


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


def number_format(decimals: int, *, sign: bool = False) -> str:
    """The d3-format specifier for a value with ``decimals`` places.

    Grouping is switched on; the locale (:data:`NUMBER_LOCALES`) turns it into
    ``1.234,5`` in German and ``1,234.5`` in English.

    Examples
    --------
    >>> number_format(1)
    ',.1f'
    >>> number_format(2, sign=True)
    '+,.2f'
    """
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, not {decimals}")
    return f"{'+' if sign else ''},.{decimals}f"


def vega_locale(lang: str) -> dict[str, Any]:
    """The ``config.locale`` of a spec in ``lang`` ("de" or "en").

    Examples
    --------
    >>> vega_locale("de")["number"]["decimal"]
    ','
    """
    _words(lang)
    return {
        "number": copy.deepcopy(NUMBER_LOCALES[lang]),
        "time": copy.deepcopy(TIME_LOCALES[lang]),
    }


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
        One :class:`Series` per area, at most :data:`MAX_AREAS`, names distinct.
        Periods are ordinal labels kept in the order given; a period only some
        areas have is placed by its neighbours in those areas' series.
    lang
        ``"de"`` or ``"en"``: axis titles and number format (``1.234,5``).
    decimals
        Decimal places of axis labels and tooltips.

    Returns
    -------
    dict
        A Vega-Lite spec; compile it with :func:`compile_to_vega` for a page.

    Raises
    ------
    ValueError
        For no series, more than :data:`MAX_AREAS`, repeated area names or an
        unknown language.

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
    words = _words(lang)
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
                {"area": s.area_name, "period": period, "value": _finite(value)}
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
        "config": _config(lang),
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
    words = _words(lang)
    _check_area_names([c.area_name for c in changes])
    known = [(c.area_name, v) for c in changes if (v := _finite(c.change)) is not None]
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
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "anchor": "start"},
        "description": title,
        "width": WIDTH,
        "height": {"step": 22},
        "autosize": {"type": "fit-x", "contains": "padding"},
        "data": {"values": [{"area": name, "change": value} for name, value in known]},
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
                        {
                            "field": "change",
                            "type": "quantitative",
                            "title": axis_title,
                            "format": change_format,
                        },
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
                    "text": {
                        "field": "change",
                        "type": "quantitative",
                        "format": change_format,
                    },
                },
            },
            {
                "mark": {"type": "rule", "color": "#1a1a1a"},
                "encoding": {"x": {"datum": 0}},
            },
        ],
        "config": _config(lang),
    }


def compile_to_vega(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """Compile a Vega-Lite spec to the Vega spec a page embeds.

    The number and time locale of ``lang`` is put into the spec's
    ``config.locale``, which Vega applies when it parses the spec, so the browser
    writes ``1.234,5`` whatever its default locale. About 3 ms once vl-convert is
    warm (see :func:`warm_up`); nothing is cached.

    Parameters
    ----------
    spec
        A Vega-Lite spec, e.g. from :func:`time_series_spec`; not changed.
    lang
        ``"de"`` or ``"en"``.

    Returns
    -------
    dict
        The Vega spec (``$schema`` of Vega), with the data inline.
    """
    compiled: dict[str, Any] = vl_convert.vegalite_to_vega(_localised(spec, lang))
    return compiled


def warm_up() -> None:
    """Start vl-convert's JavaScript runtime now rather than in the first request.

    The first conversion in a process costs about 350 ms; call this once when the
    app starts.
    """
    spec = time_series_spec(
        title="warm-up",
        unit="",
        series=[Series("A", [("2020", 1.0), ("2021", 2.0)])],
        lang="de",
        decimals=0,
    )
    compile_to_vega(spec, "de")
    _render(spec, fmt="svg", lang="de")


def export_chart(
    spec: dict[str, Any],
    *,
    fmt: Literal["png", "svg"],
    title: str,
    source: str,
    date: str,
    lang: str,
) -> bytes:
    """Render a chart as a download with title, source and date burnt in.

    Parameters
    ----------
    spec
        A Vega-Lite spec from this module; not changed.
    fmt
        ``"png"`` (rendered at :data:`PNG_SCALE`) or ``"svg"`` (UTF-8 bytes).
    title
        The chart title shown on top (replaces the spec's own).
    source
        The data source, written as ``Quelle: {source}`` below the chart.
    date
        Shown as given below the source line, e.g. ``"Stand: 31.12.2021"`` or
        ``"Datenstand: Demo 2021"``.
    lang
        ``"de"`` or ``"en"``: number format and the word before the source.

    Returns
    -------
    bytes
        The PNG or SVG file.

    Raises
    ------
    ValueError
        For an unknown format or language, or a spec that asks for external data
        (vl-convert is not allowed to fetch anything).
    """
    framed = _framed(spec, title=title, source=source, date=date, lang=lang)
    return _render(framed, fmt=fmt, lang=lang)


def sparkline_svg(
    values: Sequence[float | None], *, label: str, width: int = 80, height: int = 20
) -> Markup:
    """A small inline SVG line of ``values``, for tables; no JavaScript involved.

    Missing values break the line; a dot marks the last value there is. The line
    takes the text colour (``currentColor``).

    Parameters
    ----------
    values
        The series in time order; ``None`` (or NaN) is a gap.
    label
        The accessible name (``aria-label``), e.g. ``"SGB-II-Quote 2015–2021"``;
        escaped here.
    width, height
        Size in pixels.

    Returns
    -------
    Markup
        The ``<svg>`` element, safe to put into a template as it is.

    Examples
    --------
    >>> svg = sparkline_svg([1.0, None, 3.0, 2.0], label="A & B", width=40, height=10)
    >>> 'aria-label="A &amp; B"' in svg, svg.count("<polyline")
    (True, 1)
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"a sparkline needs a positive size, not {width}×{height}")
    radius = 1.5
    pad = radius + 0.5
    cleaned = [_finite(v) for v in values]
    known = [(i, v) for i, v in enumerate(cleaned) if v is not None]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sparkline" role="img" '
        f'aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" focusable="false">'
    ]
    if known:
        low = min(v for _, v in known)
        high = max(v for _, v in known)
        step = (width - 2 * pad) / max(len(cleaned) - 1, 1)

        def point(index: int, value: float) -> tuple[str, str]:
            x = pad + index * step if len(cleaned) > 1 else width / 2
            share = (value - low) / (high - low) if high > low else 0.5
            return f"{x:.1f}", f"{height - pad - share * (height - 2 * pad):.1f}"

        segments: list[list[tuple[str, str]]] = [[]]
        for index, value in enumerate(cleaned):
            if value is None:
                segments.append([])
            else:
                segments[-1].append(point(index, value))
        for segment in segments:
            if len(segment) > 1:
                coordinates = " ".join(f"{x},{y}" for x, y in segment)
                parts.append(
                    f'<polyline points="{coordinates}" fill="none" '
                    'stroke="currentColor" stroke-width="1.2" '
                    'stroke-linejoin="round" stroke-linecap="round"/>'
                )
            elif segment:
                # A value between two gaps has no line; a small dot shows it.
                x, y = segment[0]
                parts.append(f'<circle cx="{x}" cy="{y}" r="0.8" fill="currentColor"/>')
        x, y = point(*known[-1])
        parts.append(
            f'<circle class="sparkline-last" cx="{x}" cy="{y}" r="{radius}" '
            'fill="currentColor"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _framed(
    spec: dict[str, Any], *, title: str, source: str, date: str, lang: str
) -> dict[str, Any]:
    """``spec`` under ``title`` with the source and date as text below it."""
    words = _words(lang)
    body = {
        key: value
        for key, value in spec.items()
        if key not in {"$schema", "config", "title", "autosize"}
    }
    width = body.get("width")
    footer = {
        "data": {"values": [{}]},
        "width": width if isinstance(width, int) else WIDTH,
        "height": 30,
        "mark": {
            "type": "text",
            "text": [f"{words['source']}: {source}", date],
            "x": 0,
            "y": 0,
            "align": "left",
            "baseline": "top",
            "lineHeight": 15,
            "fontSize": 11,
            "color": "#444444",
        },
    }
    framed = {
        "$schema": VEGA_LITE_SCHEMA,
        "title": {"text": title, "anchor": "start", "fontSize": 15},
        "background": "white",
        "padding": 12,
        "spacing": 16,
        "vconcat": [body, footer],
        # The legend stays with its chart, above the source line.
        "resolve": {
            "legend": dict.fromkeys(("color", "shape", "strokeDash"), "independent")
        },
        # No frame around the source line's empty view.
        "config": {**copy.deepcopy(spec.get("config", {})), "view": {"stroke": None}},
    }
    return framed


def _words(lang: str) -> dict[str, str]:
    try:
        return WORDS[lang]
    except KeyError:
        raise ValueError(f"charts speak {' and '.join(WORDS)}, not {lang!r}") from None


def _config(lang: str) -> dict[str, Any]:
    return {
        "locale": vega_locale(lang),
        "font": "system-ui, sans-serif",
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 240},
        "title": {"fontSize": 14},
        "view": {"stroke": None},
    }


def _localised(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """A copy of ``spec`` whose ``config.locale`` is that of ``lang``."""
    localised = copy.deepcopy(spec)
    localised.setdefault("config", {})["locale"] = vega_locale(lang)
    return localised


def _render(spec: dict[str, Any], *, fmt: str, lang: str) -> bytes:
    localised = _localised(spec, lang)
    options: dict[str, Any] = {
        # No URL is allowed: a spec asking for external data fails instead of
        # making the server fetch it.
        "allowed_base_urls": [],
        "format_locale": NUMBER_LOCALES[lang],
        "time_format_locale": TIME_LOCALES[lang],
    }
    if fmt == "png":
        png: bytes = vl_convert.vegalite_to_png(localised, scale=PNG_SCALE, **options)
        return png
    if fmt == "svg":
        svg: str = vl_convert.vegalite_to_svg(localised, **options)
        return svg.encode("utf-8")
    raise ValueError(f"charts export as png or svg, not {fmt!r}")


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


def _finite(value: float | None) -> float | None:
    """``None`` for missing and non-finite values (JSON has no NaN)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)
