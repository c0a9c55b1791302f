"""Charts on the server: compiled to the Vega a page embeds, and exported as PNG or
SVG downloads by vl-convert with the title, the source and the date burnt in.

Every vl-convert render forbids external URLs: a spec asking for external data fails
instead of making the server fetch it.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any, Literal

import vl_convert

from sozialmonitor.web.charts.localisation import (
    NUMBER_LOCALES,
    TIME_LOCALES,
    chart_words,
    vega_locale,
)
from sozialmonitor.web.charts.spec import VEGA_LITE_SCHEMA, Series, time_series_spec
from sozialmonitor.web.charts.style import WIDTH

PNG_SCALE = 2
"""Exported PNGs are rendered at twice the size, for sharp print and HiDPI screens."""


def compile_to_vega(spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """Compile a Vega-Lite spec to the Vega spec a page embeds.

    The number and time locale of ``lang`` is put into the spec's
    ``config.locale``, which Vega applies when it parses the spec, so the browser
    writes ``1.234,5`` whatever its default locale. About 3–12 ms once vl-convert
    is warm (see :func:`warm_up`); the last compilations are kept by the spec's
    text, so a chart shown again (the same view, or its JSON twin) costs nothing.

    Parameters
    ----------
    spec
        A Vega-Lite spec, e.g. from
        :func:`~sozialmonitor.web.charts.spec.time_series_spec`; not changed.
    lang
        ``"de"`` or ``"en"``.

    Returns
    -------
    dict
        The Vega spec (``$schema`` of Vega), with the data inline.
    """
    text = json.dumps(_localised(spec, lang), sort_keys=True, ensure_ascii=False)
    # A copy, so that no caller can change the kept compilation.
    return copy.deepcopy(_compiled(text))


def compiled_script(spec: dict[str, Any], lang: str) -> str:
    """The compiled Vega spec as the JSON text of a page's ``<script>`` element,
    escaped so that no ``</script>`` in a name can end the element early."""
    text = json.dumps(compile_to_vega(spec, lang), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


@functools.lru_cache(maxsize=64)
def _compiled(spec_text: str) -> dict[str, Any]:
    compiled: dict[str, Any] = vl_convert.vegalite_to_vega(json.loads(spec_text))
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
        A Vega-Lite spec from :mod:`~sozialmonitor.web.charts.spec`; not changed.
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


def chart_svg(spec: dict[str, Any], *, lang: str) -> str:
    """The chart alone as SVG text (no title or source burnt in): for the reports,
    whose caption and source line are text of their own.

    Raises
    ------
    ValueError
        For an unknown language or a spec that asks for external data.
    """
    return _render(spec, fmt="svg", lang=lang).decode("utf-8")


def _framed(
    spec: dict[str, Any], *, title: str, source: str, date: str, lang: str
) -> dict[str, Any]:
    """``spec`` under ``title`` with the source and date as text below it."""
    words = chart_words(lang)
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
