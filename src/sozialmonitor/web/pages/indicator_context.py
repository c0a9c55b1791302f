"""What the indicator page's views share: the request context, paging, sorting.

The views themselves are built in :mod:`indicator_views` (map and table),
:mod:`indicator_series` (time series) and :mod:`indicator_change` (change).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import quote

import numpy as np
import numpy.typing as npt
from markupsafe import escape
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import PeriodKind, parse_period
from sozialmonitor.web import formatting
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import html_only
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.indicator_params import PAGE_SIZE, View, level_label
from sozialmonitor.web.snapshot import Scope, Snapshot
from sozialmonitor.web.urls import href

LEVEL_PLURALS: dict[str, tuple[str, str]] = {
    "country": ("Staaten", "countries"),
    "state": ("Ländern", "states"),
    "region": ("Kreisen", "districts"),
    "municipality": ("Gemeinden", "municipalities"),
    "district": ("Bezirken", "districts"),
    "forecast_area": ("Prognoseräumen", "forecast areas"),
    "district_region": ("Bezirksregionen", "district regions"),
    "social_quarter": ("Sozialräumen", "social areas"),
    "planning_area": ("Planungsräumen", "planning areas"),
    "block": ("Baublöcken", "blocks"),
}
"""Level → plural (German dative: "in den 21 Gemeinden") for the summaries."""
MAX_OPTIONS = 1000
"""A level with more areas is chosen by name or code in a text field, not a select
(11,000 options weigh 450 KB and take as long to send as the rest of the page)."""
PAGE_LINKS_AROUND = 2
"""Page links shown before and after the current page."""


@dataclass(frozen=True, kw_only=True)
class Context:
    """What every builder needs: the request's data, language and view."""

    conn: Connection
    snap: Snapshot
    t: Translator
    indicator: Indicator
    view: View

    @property
    def lang(self) -> Language:
        return self.t.lang

    @property
    def name(self) -> str:
        """The indicator's name in the page's language where the catalogue has it
        (``name_en``), else German."""
        return self.indicator.text_in("name", self.lang)[0]

    @property
    def root(self) -> Area:
        assert self.view.raum is not None
        return self.snap.areas[self.view.raum]

    @property
    def scope(self) -> Scope:
        """Where the indicator has values under the view's top area."""
        return next(
            s
            for s in self.snap.scopes_for(self.indicator)
            if s.root.code == self.view.raum
        )

    def url(self, **changes: object) -> str:
        """This page with some of the view changed."""
        return href(
            f"/indikator/{self.indicator.id}",
            self.lang,
            **self.view.params(**changes),
        )

    @cached_property
    def _lang_suffix(self) -> str:
        return href("/", self.lang)[1:]

    def area_url(self, code: str) -> str:
        """The area's profile (a map links 11,000 of them: no ``href`` call each)."""
        path = code if code.isalnum() else quote(code, safe="")
        return f"/gebiet/{path}{self._lang_suffix}"

    def period(self, code: str) -> str:
        return formatting.period_label(code, self.lang)

    def level(self) -> str:
        assert self.view.ebene is not None
        return level_label(self.snap, self.view.ebene, self.t)

    def plural(self) -> str:
        assert self.view.ebene is not None
        words = LEVEL_PLURALS.get(self.view.ebene, ("Gebieten", "areas"))
        return words[0] if self.lang == "de" else words[1]

    def value(self, obs: Observation | None) -> str:
        return data.value_text(obs, self.indicator, self.lang)

    def number(self, value: float | None) -> str:
        return formatting.with_unit(value, self.indicator, self.lang)


@dataclass(frozen=True, kw_only=True)
class ChoiceGroup:
    """The areas of one level for a select (an ``optgroup`` in the chart's form)."""

    level: str
    label: str
    count: int
    """Number of areas to choose from."""
    searchable: bool
    """Too many for a select (> ``MAX_OPTIONS``): the page offers a text field."""
    options: str = html_only()
    """The ``<option>`` elements (prepared once per level; empty when searchable)."""


def option_markup(area: Area) -> str:
    return f'<option value="{escape(area.code)}">{escape(area.name)}</option>'


def choice_group(
    ctx: Context,
    level: str,
    *,
    day: dt.date | None = None,
    leave_out: Iterable[Area] = (),
) -> ChoiceGroup:
    """The areas of a level under the view's top area, in German name order: those
    valid on ``day`` (the map's: never an old and a new area of the same name), or
    of every vintage for None (a series may pick an area that has ended)."""
    areas = ctx.snap.areas_on(ctx.root.code, level, day)
    vintage = None if day is None else ctx.snap.vintage(ctx.root.code, level, day)
    if len(areas) > MAX_OPTIONS:
        return ChoiceGroup(
            level=level,
            label=level_label(ctx.snap, level, ctx.t),
            count=len(areas),
            searchable=True,
        )
    options: str = ctx.snap.lru("indicator-options", data.OPTIONS_CACHE).get_or_make(
        (ctx.root.code, level, vintage),
        lambda: "".join(option_markup(a) for a in areas),
    )
    left_out = 0
    for area in leave_out:
        if area.level == level and area.code != ctx.root.code:
            options = options.replace(option_markup(area), "", 1)
            left_out += 1
    return ChoiceGroup(
        level=level,
        label=level_label(ctx.snap, level, ctx.t),
        count=len(areas) - left_out,
        searchable=False,
        options=options,
    )


@dataclass(frozen=True, kw_only=True)
class PageLink:
    label: str
    url: str
    current: bool


@dataclass(frozen=True, kw_only=True)
class SortLink:
    label: str
    url: str
    aria_sort: str | None
    """``ascending``/``descending`` on the column the table is sorted by."""


@dataclass(frozen=True, kw_only=True)
class Paging:
    """Which rows of a long table this page shows, and links to the others."""

    total: int
    page: int
    pages: int
    first: int
    """Number of the first row shown (from 1; 0 when there are none)."""
    last: int
    links: tuple[PageLink | None, ...]
    """Page links; None stands for a gap (…)."""
    previous_url: str | None
    next_url: str | None


# --- shared pieces ----------------------------------------------------------------


def quoted(text: str, lang: Language) -> str:
    """``„Text“`` in German, ``“Text”`` in English."""
    return f"„{text}“" if lang == "de" else f"“{text}”"


def period_phrase(code: str, lang: Language) -> str:
    """``Im Jahr 2021``, ``Am 31.12.2020``, ``Im 1. Halbjahr 2022`` (or English)."""
    kind = parse_period(code).kind
    label = formatting.period_label(code, lang)
    if kind is PeriodKind.YEAR:
        return f"Im Jahr {label}" if lang == "de" else f"In {label}"
    if kind is PeriodKind.DATE:
        return f"Am {label}" if lang == "de" else f"On {label}"
    return f"Im {label}" if lang == "de" else f"In {label}"


def sort_links(ctx: Context) -> tuple[SortLink, SortLink]:
    order = ctx.view.sortierung
    by_value = order in ("wert-ab", "wert-auf")
    return (
        SortLink(
            label=ctx.t("Nach Name sortieren"),
            url=ctx.url(sortierung="name", seite=1),
            aria_sort="ascending" if order == "name" else None,
        ),
        SortLink(
            label=ctx.t("Nach Wert sortieren"),
            url=ctx.url(
                sortierung="wert-auf" if order == "wert-ab" else "wert-ab", seite=1
            ),
            aria_sort=(
                None
                if not by_value
                else "descending"
                if order == "wert-ab"
                else "ascending"
            ),
        ),
    )


def sorted_positions(values: npt.NDArray[np.float64], sortierung: str) -> list[int]:
    """Positions of values (given in German name order of their areas) sorted as a
    view's ``sortierung`` asks, equal values in name order; NaN (no value) last.

    Examples
    --------
    >>> values = np.array([1.0, np.nan, 3.0, 1.0])
    >>> sorted_positions(values, "wert-ab"), sorted_positions(values, "wert-auf")
    ([2, 0, 3, 1], [0, 3, 2, 1])
    >>> sorted_positions(values, "name")
    [0, 1, 2, 3]
    """
    if sortierung == "name":
        return list(range(len(values)))
    missing = np.isnan(values)
    known = np.flatnonzero(~missing)
    key = -values[known] if sortierung == "wert-ab" else values[known]
    ordered = known[np.argsort(key, kind="stable")]
    return [*ordered.tolist(), *np.flatnonzero(missing).tolist()]


def paged(ctx: Context, rows: list[Any]) -> tuple[list[Any], Paging, str]:
    """The rows of the view's page, the paging and a message for a page too far."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = ctx.view.seite
    message = ""
    if page > pages:
        message = ctx.t(
            "Die Seite {value} gibt es nicht; gezeigt wird Seite {n}.",
            value=page,
            n=pages,
        )
        page = pages
    start = (page - 1) * PAGE_SIZE
    wanted = sorted(
        {1, pages}
        | set(
            range(
                max(1, page - PAGE_LINKS_AROUND),
                min(pages, page + PAGE_LINKS_AROUND) + 1,
            )
        )
    )
    links: list[PageLink | None] = []
    for number in wanted:
        if links and links[-1] is not None and int(links[-1].label) < number - 1:
            links.append(None)
        links.append(
            PageLink(
                label=str(number), url=ctx.url(seite=number), current=number == page
            )
        )
    shown = rows[start : start + PAGE_SIZE]
    return (
        shown,
        Paging(
            total=len(rows),
            page=page,
            pages=pages,
            first=start + 1 if shown else 0,
            last=start + len(shown),
            links=tuple(links) if pages > 1 else (),
            previous_url=ctx.url(seite=page - 1) if page > 1 else None,
            next_url=ctx.url(seite=page + 1) if page < pages else None,
        ),
        message,
    )
