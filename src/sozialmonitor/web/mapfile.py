"""The map view as a file: a standalone SVG (and a PNG of it) with title, legend,
source and date.

The map itself is the page's own drawing (:mod:`sozialmonitor.web.svgmap`), placed
into a larger SVG that adds what a map needs once it leaves the page: its title
above, the legend with each class's colour and count below, then the source line
and the Datenstand. The PNG is that SVG rendered by vl-convert (``svg_to_png``,
offline, no external resources), at ``PNG_SCALE``.

The size is bounded: the map is drawn in a viewBox of at most
``svgmap.VIEW_SIZE`` units, the legend has one row per class, and long texts are
wrapped to the width and cut after ``MAX_LINES`` lines.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import vl_convert
from markupsafe import escape

PNG_SCALE = 1.5
"""The PNG has 1.5 pixels per SVG unit (a map 800 units wide: 1,260 pixels)."""
PAD = 20
"""Space around the content (SVG units)."""
MIN_WIDTH = 800
"""The file is at least this wide (a tall map's file too), so that title, legend
and source lines fit."""
LINE = 20
"""Height of a text line."""
SWATCH = 14
CHAR_WIDTH = 0.62
"""Width of an average character in font sizes (DejaVu Sans, bold at most)."""
MAX_LINES = 4
"""Lines of one text at most (the rest is cut with an ellipsis)."""
FONT = 'font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif"'
_VIEWBOX = re.compile(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"')
_LINK = re.compile(r"<a [^>]*>|</a>")


@dataclass(frozen=True, kw_only=True)
class LegendRow:
    label: str
    colour: str | None
    """Fill; None = hatched (no value)."""
    count: str
    """``(12 Gebiete)``."""


def _lines(text: str, width: float, size: int) -> list[str]:
    """``text`` wrapped to ``width`` units in a font of ``size``."""
    chars = max(20, int(width / (size * CHAR_WIDTH)))
    lines = textwrap.wrap(text, chars) or [""]
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], lines[MAX_LINES - 1][: chars - 1] + "…"]
    return lines


def map_file_svg(
    map_svg: str,
    *,
    title: str,
    legend: Sequence[LegendRow],
    legend_title: str,
    source: str,
    date: str,
) -> str:
    """The standalone SVG file of a drawn map.

    Parameters
    ----------
    map_svg : str
        The ``<svg>`` element from :func:`sozialmonitor.web.svgmap.choropleth_svg`
        or ``class_image_svg`` (links to the profiles are taken out: a file has no
        portal around it).
    title, legend_title, source, date : str
        Texts burnt into the file.
    legend : sequence of LegendRow
        The classes as the page's legend shows them.

    Returns
    -------
    str
        A complete SVG document.

    Examples
    --------
    >>> inner = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 50"></svg>'
    >>> svg = map_file_svg(inner, title="Karte", legend=[LegendRow(label="bis 5",
    ...     colour="#fff", count="(1 Gebiet)")], legend_title="Legende",
    ...     source="Quelle: Test", date="Datenstand: 2021")
    >>> svg.startswith("<?xml") and "bis 5" in svg and "Quelle: Test" in svg
    True
    """
    found = _VIEWBOX.search(map_svg)
    if found is None:
        raise ValueError("The map has no viewBox.")
    map_width, map_height = float(found.group(1)), float(found.group(2))
    width = max(map_width, MIN_WIDTH) + 2 * PAD
    parts: list[str] = []
    y = PAD
    for line in _lines(title, width - 2 * PAD, 18):
        y += LINE + 2
        parts.append(
            f'<text x="{PAD}" y="{y}" font-size="18" font-weight="bold">'
            f"{escape(line)}</text>"
        )
    y += PAD // 2
    inner = _LINK.sub("", map_svg).replace(
        "<svg ",
        f'<svg x="{PAD}" y="{y}" width="{map_width:g}" height="{map_height:g}" ',
        1,
    )
    parts.append(inner)
    y += int(map_height) + PAD + LINE
    parts.append(
        f'<text x="{PAD}" y="{y}" font-size="15" font-weight="bold">'
        f"{escape(legend_title)}</text>"
    )
    for row in legend:
        y += LINE + 4
        fill = escape(row.colour) if row.colour else "url(#file-no-value)"
        parts.append(
            f'<rect x="{PAD}" y="{y - SWATCH + 2}" width="{SWATCH}" '
            f'height="{SWATCH}" fill="{fill}" stroke="#767676" stroke-width=".5"/>'
            f'<text x="{PAD + SWATCH + 8}" y="{y}" font-size="14">'
            f"{escape(row.label)} {escape(row.count)}</text>"
        )
    y += LINE // 2
    for text in (source, date):
        for line in _lines(text, width - 2 * PAD, 12):
            y += LINE
            parts.append(
                f'<text x="{PAD}" y="{y}" font-size="12" fill="#333">'
                f"{escape(line)}</text>"
            )
    height = y + PAD
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" '
        f'height="{height}" viewBox="0 0 {width:g} {height}" {FONT} fill="#111">'
        f"<title>{escape(title)}</title>"
        '<defs><pattern id="file-no-value" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#fff"/>'
        '<path d="M0 0v6" stroke="#767676" stroke-width="2"/></pattern></defs>'
        f'<rect width="{width:g}" height="{height}" fill="#fff"/>'
        + "".join(parts)
        + "</svg>"
    )


def map_file_png(svg: str) -> bytes:
    """The PNG of :func:`map_file_svg`'s document (vl-convert, offline)."""
    return bytes(vl_convert.svg_to_png(svg, scale=PNG_SCALE))
