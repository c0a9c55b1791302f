"""The start page's stand-in for a key figure the site's area has no value of:
the median of the areas of the next level below it that has values, with their
range — clearly labelled, never passed off as the area's own value.

Berlin's MSS shares exist per planning area only (the MSS publishes no Berlin-wide
share, and without numerators and denominators none can be computed from the
planning areas), so the Berlin site's start page would show almost no key figure.
A planner reads the median and the range of the planning areas as what they are:
the typical planning area and the spread between them. Index values (z-scores,
index values, classes) get no stand-in: they are standardised over these very
areas, so their median says nothing about the city.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.pages.indicator_context import LEVEL_PLURALS
from sozialmonitor.web.pages.indicator_data import level_values
from sozialmonitor.web.snapshot import Scope, Snapshot


@dataclass(frozen=True, kw_only=True)
class LevelMedian:
    """The median and range of an indicator over the areas of one level below an
    area (those with a value that may be shown)."""

    level: str
    """Code of the level (``planning_area``)."""
    period: str
    count: int
    """Areas with a value."""
    value: float
    low: float
    high: float
    label: str
    """``Median in den 536 Planungsräumen``."""
    range_text: str
    """``0,00 % bis 30,20 %``."""


def next_level(snap: Snapshot, area: Area, scope: Scope) -> str | None:
    """The largest level below ``area``'s with values of the scope's indicator."""
    order = [level.code for level in snap.levels]
    if area.level not in order:
        return None
    below = order[order.index(area.level) + 1 :]
    return next((lvl for lvl in below if scope.periods_by_level.get(lvl)), None)


def level_median(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    area: Area,
    scope: Scope,
    lang: Language,
) -> LevelMedian | None:
    """The median of the next level below ``area`` in its newest period; None for
    index values, or where no area of that level below ``area`` has a value."""
    if indicator.kind is IndicatorKind.INDEX:
        return None
    level = next_level(snap, area, scope)
    if level is None:
        return None
    period = scope.periods_by_level[level][-1]
    values = level_values(conn, snap, indicator, scope.root.code, level, [period])
    found = values[period]
    within = np.array(
        [
            area.code == scope.root.code
            or any(a.code == area.code for a in snap.ancestors(child.code))
            for child in found.areas
        ],
        dtype=bool,
    )
    shown = found.shown[within & ~np.isnan(found.shown)]
    if not len(shown):
        return None
    t = Translator(lang=lang)
    plural = LEVEL_PLURALS.get(level, ("Gebieten", "areas"))
    low, high = float(shown.min()), float(shown.max())
    return LevelMedian(
        level=level,
        period=period,
        count=len(shown),
        value=float(np.median(shown)),
        low=low,
        high=high,
        label=t(
            "Median in den {n} {areas}",
            n=formatting.number(len(shown), 0, lang),
            areas=plural[0] if lang == "de" else plural[1],
        ),
        range_text=t(
            "{low} bis {high}",
            low=formatting.with_unit(low, indicator, lang),
            high=formatting.with_unit(high, indicator, lang),
        ),
    )
