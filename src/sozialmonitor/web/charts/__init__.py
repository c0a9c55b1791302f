"""Charts: one Vega-Lite spec per chart, compiled to Vega and exported on the server.

The browser never sees Vega-Lite: a page embeds the Vega spec from
:func:`compile_to_vega` and ``static/js/chart.js`` renders it with the vendored vega.
Downloads (PNG, SVG) are rendered here by vl-convert with the title, the source and
the date burnt in. Nothing in this package touches the network: specs carry their
data inline and every vl-convert render forbids external URLs.

Colour is never the only carrier of meaning: each area of a time series also has its
own point shape and line dash, and every chart has a table alternative on its page.

The package, and what its modules hold (everything public is importable from here):

- :mod:`~sozialmonitor.web.charts.spec`: the Vega-Lite specs (time series, change).
- :mod:`~sozialmonitor.web.charts.style`: size, colours, shapes, dashes, fonts.
- :mod:`~sozialmonitor.web.charts.localisation`: number and time locales, words.
- :mod:`~sozialmonitor.web.charts.export`: compiling to Vega, PNG/SVG downloads.
- :mod:`~sozialmonitor.web.charts.sparkline`: inline SVG sparklines for tables.
"""

from __future__ import annotations

from sozialmonitor.web.charts.export import (
    PNG_SCALE,
    compile_to_vega,
    compiled_script,
    export_chart,
    warm_up,
)
from sozialmonitor.web.charts.localisation import (
    NUMBER_LOCALES,
    TIME_LOCALES,
    WORDS,
    number_format,
    vega_locale,
)
from sozialmonitor.web.charts.sparkline import sparkline_svg
from sozialmonitor.web.charts.spec import (
    VEGA_LITE_SCHEMA,
    AreaChange,
    Series,
    change_spec,
    time_series_spec,
)
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
)

__all__ = [
    "DECREASE_COLOUR",
    "HEIGHT",
    "INCREASE_COLOUR",
    "LEGEND",
    "MAX_AREAS",
    "NUMBER_LOCALES",
    "PALETTE",
    "PNG_SCALE",
    "SHAPES",
    "STROKE_DASHES",
    "TIME_LOCALES",
    "VEGA_LITE_SCHEMA",
    "WIDTH",
    "WORDS",
    "AreaChange",
    "Series",
    "change_spec",
    "compile_to_vega",
    "compiled_script",
    "export_chart",
    "number_format",
    "sparkline_svg",
    "time_series_spec",
    "vega_locale",
    "warm_up",
]
