"""How every chart looks: size, colours, point shapes, line dashes, legend, fonts.

Colour is never the only carrier of meaning: each area of a time series also has its
own point shape and line dash (one of each per area, up to :data:`MAX_AREAS`).
"""

from __future__ import annotations

from typing import Any

from sozialmonitor.web.charts.localisation import vega_locale

WIDTH = 640
"""Plot width in pixels; the rendered SVG has a viewBox and scales down with CSS."""
HEIGHT = 300
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


def chart_config(lang: str) -> dict[str, Any]:
    """The ``config`` of a spec in ``lang``: locale, font, sizes, no view frame."""
    return {
        "locale": vega_locale(lang),
        "font": "system-ui, sans-serif",
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 240},
        "title": {"fontSize": 14},
        "view": {"stroke": None},
    }
