"""The key of a choropleth: the class colours and the legend that names them.

The colours are ColorBrewer's YlGnBu, light to dark and colour-blind safe
(:func:`palette`); :func:`sozialmonitor.web.svgmap.choropleth_svg` fills the areas
with them and a hatch where there is no value. The legend counts the areas per class
(:func:`build_legend`) and renders as a list with a swatch per class
(:func:`legend_html`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import escape

if TYPE_CHECKING:  # svgmap imports this module for the palette
    from sozialmonitor.web.svgmap import MapArea

NO_VALUE_LABEL = "keine Angabe"
"""Legend text for areas without a value."""

# ColorBrewer YlGnBu (Cynthia Brewer, Penn State; colour-blind safe), light to dark.
_PALETTES: dict[int, tuple[str, ...]] = {
    1: ("#41b6c4",),
    2: ("#edf8b1", "#2c7fb8"),
    3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
    4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
    5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
    6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
    7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
}


@dataclass(frozen=True, kw_only=True)
class LegendEntry:
    """One line of the legend."""

    label: str
    """Class text (``10,0 bis unter 12,5 %``) or ``keine Angabe``."""
    colour: str | None
    """Fill colour; None = the hatch for areas without a value."""
    count: int
    """Number of areas in the class."""


@dataclass(frozen=True, kw_only=True)
class Legend:
    """The classes of a choropleth, light to dark, then ``keine Angabe`` if needed."""

    entries: tuple[LegendEntry, ...]


def palette(k: int) -> tuple[str, ...]:
    """Return ``k`` colour-blind safe sequential colours, light to dark.

    Parameters
    ----------
    k : int
        Number of classes, 1 to 7.

    Returns
    -------
    tuple of str
        Hex colours from ColorBrewer YlGnBu.

    Raises
    ------
    ValueError
        If ``k`` is outside 1 … 7.

    Examples
    --------
    >>> palette(3)
    ('#edf8b1', '#7fcdbb', '#2c7fb8')
    """
    if k not in _PALETTES:
        raise ValueError(f"A map has 1 to 7 classes, not {k}.")
    return _PALETTES[k]


def build_legend(areas: Sequence[MapArea], *, class_labels: Sequence[str]) -> Legend:
    """Count the areas per class; add ``keine Angabe`` when any area has no value.

    Parameters
    ----------
    areas : sequence of MapArea
        All areas of the map, also those without geometry.
    class_labels : sequence of str
        Text of each class, light to dark; their number is ``k``.

    Returns
    -------
    Legend

    Examples
    --------
    >>> from sozialmonitor.web.svgmap import MapArea
    >>> areas = [
    ...     MapArea(code=c, name=c, geometry=None, label=c, class_index=i)
    ...     for c, i in [("1", 0), ("2", 0), ("3", None)]
    ... ]
    >>> legend = build_legend(areas, class_labels=["bis 5", "über 5"])
    >>> [(e.label, e.count) for e in legend.entries]
    [('bis 5', 2), ('über 5', 0), ('keine Angabe', 1)]
    """
    colours = palette(len(class_labels))
    counts = [0] * (len(class_labels) + 1)
    for area in areas:
        counts[-1 if area.class_index is None else area.class_index] += 1
    entries = [
        LegendEntry(label=label, colour=colour, count=count)
        for label, colour, count in zip(class_labels, colours, counts[:-1], strict=True)
    ]
    if counts[-1]:
        entries.append(LegendEntry(label=NO_VALUE_LABEL, colour=None, count=counts[-1]))
    return Legend(entries=tuple(entries))


def legend_html(legend: Legend) -> str:
    """Render the legend as a list: swatch, class text, number of areas.

    The swatch of ``keine Angabe`` shows the map's hatch, drawn without a pattern id.
    """
    items = []
    for entry in legend.entries:
        if entry.colour is None:
            swatch = (
                '<rect width="16" height="16" fill="#fff" stroke="#767676"/>'
                '<path d="M0 8 8 0M0 16 16 0M8 16l8-8" stroke="#767676"/>'
            )
        else:
            swatch = (
                f'<rect width="16" height="16" fill="{entry.colour}" stroke="#767676"/>'
            )
        count = f"{entry.count:,}".replace(",", ".")
        noun = "Gebiet" if entry.count == 1 else "Gebiete"
        items.append(
            '<li><svg class="swatch" width="16" height="16" viewBox="0 0 16 16" '
            f'aria-hidden="true" focusable="false">{swatch}</svg> '
            f'{escape(entry.label)} <span class="count">({count} {noun})</span></li>'
        )
    return '<ul class="map-legend">' + "".join(items) + "</ul>"
