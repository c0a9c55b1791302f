"""The combined map of the Sozialindex page: each area in the colour of its cell
(status × dynamics) or status class, as the definition declares them. Up to
``svgmap.INTERACTIVE_LIMIT`` areas a labelled link per area to its profile; more
(Germany's 11,000 municipalities) one image with a path per class, on the paths
prepared for the level's indicator maps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sozialmonitor.analysis.index_categories import (
    Category,
    cell_categories,
    class_categories,
)
from sozialmonitor.analysis.index_definition import IndexDefinition
from sozialmonitor.web import svgmap
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.pages import sozialindex_data as results
from sozialmonitor.web.pages.sozialindex_words import reason_text
from sozialmonitor.web.urls import href


def map_categories(d: IndexDefinition, lang: str = "de") -> list[Category]:
    """What the map colours: the combined cells, or the status classes (labels in
    ``lang``)."""
    if d.dynamics is not None:
        return list(cell_categories(d, lang))
    return list(class_categories(d, "status", lang))


def _drawn_codes(
    d: IndexDefinition, found: results.PeriodResults
) -> results.FloatArray:
    """Each area's code of what the map colours (NaN: none)."""
    return found.cell if d.dynamics is not None else found.status_class


def linked_map(
    stored: results.StoredIndex,
    found: results.PeriodResults,
    geometries: dict[str, str | None],
    title: str,
    cache_key: str,
    lang: Language,
) -> str:
    """One labelled link per area to its profile."""
    d = stored.definition
    t = Translator(lang=lang)
    categories = map_categories(d, lang)
    by_code = {c.code: (i, c) for i, c in enumerate(categories)}
    suffix = href("/", lang)[1:]
    areas = []
    for at, (area, code) in enumerate(
        zip(found.areas, _drawn_codes(d, found).tolist(), strict=True)
    ):
        position, category = (
            by_code.get(int(code), (None, None)) if code == code else (None, None)
        )
        if category is not None:
            text = f"{category.symbol}: {category.label}"
        elif found.suppressed[at]:
            text = t("nicht ausgewiesen")
        else:
            text = reason_text(found.reasons[at], t) or t("keine Angabe")
        areas.append(
            svgmap.MapArea(
                code=area.code,
                name=area.name,
                geometry=geometries.get(area.code),
                label=f"{area.name}: {text}",
                class_index=position,
                href=f"/gebiet/{area.code}{suffix}",
            )
        )
    return svgmap.choropleth_svg(
        areas,
        k=len(categories),
        title=title,
        cache_key=cache_key,
        colours=[c.colour for c in categories],
    )


def image_map(
    stored: results.StoredIndex,
    found: results.PeriodResults,
    plain: Sequence[svgmap.MapArea],
    title: str,
    cache_key: str,
) -> str:
    """One image for many areas (``plain``: the level's areas as
    ``data.map_areas`` keeps them), a path per class."""
    d = stored.definition
    categories = map_categories(d)
    codes = _drawn_codes(d, found)
    at = found.positions.of([a.code for a in plain])
    wanted = np.where(at >= 0, codes[at], np.nan)  # NaN: no class, or not indexed
    classes: list[int | None] = [None] * len(plain)
    for i, c in enumerate(categories):
        for k in np.flatnonzero(wanted == c.code).tolist():
            classes[k] = i
    return svgmap.class_image_svg(
        plain,
        classes,
        k=len(categories),
        title=title,
        cache_key=cache_key,
        colours=[c.colour for c in categories],
    )
