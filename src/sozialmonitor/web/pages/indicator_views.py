"""The map and the table of the indicator page: one level in one period.

Each builder returns a declared dataclass; the page template renders it and the JSON
twin serialises it (without the ``html_only`` SVG). The downloads use the same rows
(:func:`level_values`).
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.observation import FLAG_NAMES as _NAMES
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.web import formatting, svgmap
from sozialmonitor.web.page import html_only
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.indicator_classes import (
    MapClasses,
    class_labels,
    map_classes,
)
from sozialmonitor.web.pages.indicator_context import (
    ChoiceGroup,
    Context,
    Paging,
    SortLink,
    choice_group,
    paged,
    period_phrase,
    sort_links,
)
from sozialmonitor.web.pages.indicator_params import SCHEMES
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.values import shown_value

FLAG_NAMES = tuple((n, int(f)) for n, f in _NAMES.items() if f is not Flag.REMOVED)


@dataclass(frozen=True, kw_only=True)
class AreaRow:
    """One area of the level in one period (map, table, downloads)."""

    rank: int | None
    """Rank by value, highest first (equal values share a rank); None without one."""
    code: str
    name: str
    url: str
    value: float | None
    """The value shown; None when missing or secret."""
    value_text: str
    numerator: float | None
    numerator_text: str
    denominator: float | None
    denominator_text: str
    difference: float | None
    """Value minus the top-level area's value."""
    difference_text: str
    flags: tuple[str, ...]
    note: str


@dataclass(frozen=True, kw_only=True)
class LegendItem:
    label: str
    colour: str | None
    """Fill; None = hatched (no value)."""
    count: int


@dataclass(frozen=True, kw_only=True)
class MapView:
    title: str
    scheme_label: str
    legend: tuple[LegendItem, ...]
    note: str
    """About the classes: a sample, fewer classes than asked for."""
    drawn: bool
    """Whether the level has boundaries to draw."""
    choices: ChoiceGroup
    """Every area of the level, for the "Gebiet wählen" form."""
    svg: str = html_only()


@dataclass(frozen=True, kw_only=True)
class TableView:
    caption: str
    root_name: str
    root_value_text: str
    rows: tuple[AreaRow, ...]
    """The rows of this page."""
    paging: Paging
    name_sort: SortLink
    value_sort: SortLink
    show_parts: bool
    """Whether numerators and denominators are known (else the columns are left out)."""
    show_difference: bool
    """Whether the top area has a value to compare with."""


# --- the level in one period: map and table ----------------------------------------


class LevelEntry(NamedTuple):
    """One area's value, unformatted: what the whole level needs (sorting, classes,
    downloads); only the rows a page shows become :class:`AreaRow`. A named tuple:
    at Germany size there are 11,000 of them per request."""

    area: Area
    obs: Observation | None
    value: float | None
    """The value a page may show (None when missing or secret)."""
    rank: int | None


@dataclass(frozen=True, kw_only=True)
class LevelValues:
    """The level's areas in the view's period, sorted as the view asks."""

    entries: list[LevelEntry]
    root_obs: Observation | None
    """The top area's own value."""

    @property
    def root_value(self) -> float | None:
        return shown_value(self.root_obs)

    def difference(self, entry: LevelEntry) -> float | None:
        root = self.root_value
        return None if entry.value is None or root is None else entry.value - root


def level_values(ctx: Context) -> LevelValues:
    """Every area of the level under the top area in the view's period, ranked by
    value (highest first; equal values share a rank), and the top area's value.

    Lean on purpose: at Germany size this runs over 11,000 areas per request."""
    view, indicator = ctx.view, ctx.indicator
    assert view.ebene is not None and view.zeitraum is not None
    period = view.zeitraum
    values = data.level_values(
        ctx.conn, ctx.snap, indicator, ctx.root.code, view.ebene, [period]
    )[period]
    root_obs = data.root_values(
        ctx.conn, ctx.snap, indicator, ctx.root.code, [period]
    ).get(period)
    secret = data.SUPPRESSED
    known: list[tuple[Area, Observation, float]] = []
    unknown: list[LevelEntry] = []
    for area in ctx.snap.areas_in(ctx.root.code, view.ebene):
        obs = values.get(area.code)
        if obs is None or obs.value is None or obs.flags & secret:
            unknown.append(LevelEntry(area, obs, None, None))
        else:
            known.append((area, obs, obs.value))
    known.sort(key=itemgetter(2), reverse=True)  # stable: equal values by name
    ranked: list[LevelEntry] = []
    rank, previous = 0, None
    for position, (area, obs, value) in enumerate(known, start=1):
        if value != previous:
            rank, previous = position, value
        ranked.append(LevelEntry(area, obs, value, rank))
    order = view.sortierung
    if order == "wert-auf":
        ranked = sorted(ranked, key=itemgetter(2))
    if order == "name":
        names = ctx.snap.areas_in(ctx.root.code, view.ebene)
        by_code = {e.area.code: e for e in [*ranked, *unknown]}
        return LevelValues(entries=[by_code[a.code] for a in names], root_obs=root_obs)
    return LevelValues(entries=ranked + unknown, root_obs=root_obs)


def entry_flags(obs: Observation | None) -> tuple[str, ...]:
    """Flag names of a value as the downloads and the JSON name them."""
    if obs is None or not obs.flags:
        return ()
    return tuple(name for name, bit in FLAG_NAMES if obs.flags & bit)


def entry_note(obs: Observation | None) -> str:
    """A stored value's note (computed values explain themselves by their flag)."""
    if obs is None or not obs.note or obs.flags & data.COMPUTED:
        return ""
    return obs.note


def area_row(ctx: Context, level: LevelValues, entry: LevelEntry) -> AreaRow:
    numerator, denominator = data.parts(entry.obs)
    difference = level.difference(entry)
    return AreaRow(
        rank=entry.rank,
        code=entry.area.code,
        name=entry.area.name,
        url=ctx.area_url(entry.area.code),
        value=entry.value,
        value_text=ctx.value(entry.obs),
        numerator=numerator,
        numerator_text=data.count_text(numerator, ctx.lang),
        denominator=denominator,
        denominator_text=data.count_text(denominator, ctx.lang),
        difference=difference,
        difference_text=formatting.change(difference, ctx.indicator, ctx.lang),
        flags=entry_flags(entry.obs),
        note=entry_note(entry.obs),
    )


def first_by_name(entries: list[Any]) -> Any:
    """The entry whose area comes first in German name order."""
    return min(entries, key=lambda e: german_key(e.area.name))


def level_summary(ctx: Context, level: LevelValues) -> str:
    """The text alternative of map and table: range, extremes, the top area."""
    assert ctx.view.zeitraum is not None
    t, name, root = ctx.t, ctx.indicator.name, ctx.root
    phrase = period_phrase(ctx.view.zeitraum, ctx.lang)
    entries = level.entries
    known = [e for e in entries if e.value is not None]
    if not known:
        return t(
            "{phrase} gibt es für „{name}“ auf der Ebene {level} in {root} keine "
            "Werte.",
            phrase=phrase,
            name=name,
            level=ctx.level(),
            root=root.name,
        )
    if len(entries) == 1:
        return t(
            "{phrase} betrug „{name}“ in {area} {value}.",
            phrase=phrase,
            name=name,
            area=known[0].area.name,
            value=ctx.value(known[0].obs),
        )
    lowest = min(e.value or 0.0 for e in known)
    highest = max(e.value or 0.0 for e in known)
    low = first_by_name([e for e in known if e.value == lowest])
    high = first_by_name([e for e in known if e.value == highest])
    text = t(
        "{phrase} reichte „{name}“ in den {n} {areas} im Gebiet {root} von {low} "
        "({low_area}) bis {high} ({high_area})",
        phrase=phrase,
        name=name,
        n=formatting.number(len(entries), 0, ctx.lang),
        areas=ctx.plural(),
        root=root.name,
        low=ctx.number(low.value),
        low_area=low.area.name,
        high=ctx.number(high.value),
        high_area=high.area.name,
    )
    if level.root_value is not None:
        text += t(
            "; {root} insgesamt: {value}",
            root=root.name,
            value=ctx.value(level.root_obs),
        )
    text += "."
    if len(known) < len(entries):
        text += " " + t(
            "Für {m} von {n} Gebieten gibt es keinen Wert.",
            m=formatting.number(len(entries) - len(known), 0, ctx.lang),
            n=formatting.number(len(entries), 0, ctx.lang),
        )
    return text


def level_notes(level: LevelValues) -> list[str]:
    """Notes of the stored values of the level, each once."""
    return list(
        dict.fromkeys(
            f"{e.area.name}: {note}"
            for e in level.entries
            if (note := entry_note(e.obs))
        )
    )


def table_view(ctx: Context, level: LevelValues) -> tuple[TableView, str]:
    """The ranking table: one page of rows, sort links, paging."""
    shown, paging, message = paged(ctx, level.entries)
    name_sort, value_sort = sort_links(ctx)
    assert ctx.view.zeitraum is not None
    return (
        TableView(
            caption=ctx.t(
                "{name}: {areas} im Gebiet {root}, {period}",
                name=ctx.indicator.name,
                areas=ctx.level(),
                root=ctx.root.name,
                period=ctx.period(ctx.view.zeitraum),
            ),
            root_name=ctx.root.name,
            root_value_text=ctx.value(level.root_obs),
            rows=tuple(area_row(ctx, level, e) for e in shown),
            paging=paging,
            name_sort=name_sort,
            value_sort=value_sort,
            show_parts=any(
                e.obs is not None
                and (e.obs.numerator is not None or e.obs.denominator is not None)
                for e in level.entries
            ),
            show_difference=level.root_value is not None,
        ),
        message,
    )


def map_view(ctx: Context, level: LevelValues) -> MapView:
    """The choropleth of the level: classes, legend, boundaries, links to profiles.

    Classes and the drawn map are kept per data version and view (a map of 11,000
    municipalities takes ~80 ms to label and draw; the same view looks the same for
    everyone until the next import or publication)."""
    view, t = ctx.view, ctx.t
    assert view.ebene is not None and view.zeitraum is not None
    areas = ctx.snap.areas_in(ctx.root.code, view.ebene)
    key = (
        ctx.indicator.id,
        ctx.root.code,
        view.ebene,
        view.zeitraum,
        view.scheme,
    )

    def classify() -> MapClasses:
        by_code = {e.area.code: e.value for e in level.entries}
        return map_classes([by_code[a.code] for a in areas], view.scheme)

    found: MapClasses = ctx.snap.lru(
        "indicator-classes", data.CLASSES_CACHE
    ).get_or_make(key, classify)
    labels = class_labels(
        found.bins,
        decimals=ctx.indicator.decimals,
        unit=ctx.indicator.unit,
        lang=ctx.lang,
    )
    colours = svgmap.palette(len(labels)) if labels else ()
    legend = [
        LegendItem(label=label, colour=colour, count=count)
        for label, colour, count in zip(labels, colours, found.counts, strict=True)
    ]
    missing = sum(c is None for c in found.classes)
    if missing:
        legend.append(LegendItem(label=t("keine Angabe"), colour=None, count=missing))
    notes = []
    if found.sample:
        notes.append(
            t(
                "Die natürlichen Unterbrechungen sind aus einer festen Stichprobe von "
                "{sample} der {n} Werte berechnet (schneller, fast gleiche Klassen).",
                sample=formatting.number(found.sample, 0, ctx.lang),
                n=formatting.number(sum(found.counts), 0, ctx.lang),
            )
        )
    if found.warning and labels:
        notes.append(
            t(
                "Es gibt nur {k} Klassen, weil es zu wenige verschiedene Werte gibt.",
                k=len(labels),
            )
        )
    geometries = data.boundaries(ctx.conn, ctx.snap, ctx.root.code, view.ebene)
    title = t(
        "{name} {period} nach {level}",
        name=ctx.indicator.name,
        period=ctx.period(view.zeitraum),
        level=ctx.level(),
    )
    drawn = any(geometries.get(a.code) for a in areas)

    def draw() -> str:
        no_value = t("keine Angabe")
        by_code = {e.area.code: e for e in level.entries}
        # Labels and links only where the map has one link per area.
        linked = len(areas) <= svgmap.INTERACTIVE_LIMIT

        def label(area: Area) -> str:
            entry = by_code[area.code]
            shown = ctx.value(entry.obs) if entry.value is not None else no_value
            return f"{area.name}: {shown}"

        map_areas = [
            svgmap.MapArea(
                code=area.code,
                name=area.name,
                geometry=geometries.get(area.code),
                label=label(area) if linked else area.name,
                class_index=cls,
                href=ctx.area_url(area.code) if linked else None,
            )
            for area, cls in zip(areas, found.classes, strict=True)
        ]
        return svgmap.choropleth_svg(
            map_areas,
            k=max(1, len(labels)),
            title=title,
            cache_key=choropleth_key(ctx.snap, ctx.root.code, view.ebene),
        )

    return MapView(
        title=title,
        scheme_label=t(SCHEMES[view.klassen][1]),
        legend=tuple(legend),
        note=" ".join(notes),
        drawn=drawn,
        choices=choice_group(ctx, view.ebene),
        svg=(
            ctx.snap.lru("indicator-maps", data.SVG_CACHE).get_or_make(
                (*key, ctx.lang), draw
            )
            if drawn
            else ""
        ),
    )


def choropleth_key(snap: Snapshot, root: str, level: str) -> str:
    """Names the prepared paths of a level's areas under a top area."""
    return f"choropleth:{snap.token}:{root}:{level}"


def prepare_maps(conn: Connection, snap: Snapshot) -> None:
    """Prepare the map paths of the levels that have values, largest first (as many
    as the boundary cache keeps), so that the first map of a level does not wait
    for its boundaries."""
    wanted = {
        (scope.root.code, level)
        for indicator in snap.indicators
        for scope in snap.scopes_for(indicator)
        for level in scope.levels
    }
    largest = sorted(wanted, key=lambda key: -len(snap.areas_in(*key)))
    for root, level in largest[: data.BOUNDARY_CACHE]:
        geometries = data.boundaries(conn, snap, root, level)
        if not any(geometries.values()):
            continue
        areas = [
            svgmap.MapArea(
                code=a.code,
                name=a.name,
                geometry=geometries.get(a.code),
                label=a.name,
                class_index=None,
            )
            for a in snap.areas_in(root, level)
        ]
        svgmap.prepare(areas, choropleth_key(snap, root, level))
