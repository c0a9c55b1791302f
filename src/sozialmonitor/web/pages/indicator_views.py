"""The map and the table of the indicator page: one level in one period.

Each builder returns a declared dataclass; the page template renders it and the JSON
twin serialises it (without the map, which only the page draws). The downloads use
the same rows (:func:`level_values`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from sozialmonitor.analysis.index_categories import Category, categories_of
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.observation import FLAG_NAMES as _NAMES
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.web import formatting, svgmap
from sozialmonitor.web.page import Later, made_later
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
    sorted_positions,
)
from sozialmonitor.web.pages.indicator_params import SCHEMES
from sozialmonitor.web.pages.trend_marker import TrendMarker, area_trends, trend_note
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
    trend: TrendMarker | None = None
    """The area's trend test (the table's rows only, not the downloads)."""


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
    linked: bool = True
    """Whether each area links to its profile (not in a map drawn as one image)."""
    choices: ChoiceGroup
    """Every area of the level, for the "Gebiet wählen" form."""
    svg: Later = made_later()
    """The drawn map (none without boundaries)."""


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
    trend_note: str = ""
    """The trend test's method, named once under the table."""


# --- the level in one period: map and table ----------------------------------------


class LevelEntry(NamedTuple):
    """One area's value, unformatted: made only for the rows a page shows (and for
    the downloads, which have every row)."""

    area: Area
    obs: Observation | None
    value: float | None
    """The value a page may show (None when missing or secret)."""
    rank: int | None


@dataclass(frozen=True, kw_only=True)
class LevelValues:
    """The level's areas in the view's period, sorted as the view asks."""

    period: data.LevelPeriod
    order: list[int]
    """Positions of the areas as the view sorts them (without a value last)."""
    ranks: npt.NDArray[np.int64]
    """Rank of each position by value, highest first (equal values share a rank);
    0 without a value."""
    root_obs: Observation | None
    """The top area's own value."""

    @property
    def root_value(self) -> float | None:
        return shown_value(self.root_obs)

    def entry(self, position: int) -> LevelEntry:
        obs = self.period.observation(position)
        rank = int(self.ranks[position])
        return LevelEntry(
            self.period.areas[position],
            obs,
            None if rank == 0 else shown_value(obs),
            rank or None,
        )

    @property
    def entries(self) -> list[LevelEntry]:
        """Every area, sorted as the view asks."""
        return [self.entry(i) for i in self.order]

    def difference(self, entry: LevelEntry) -> float | None:
        root = self.root_value
        return None if entry.value is None or root is None else entry.value - root


def level_values(ctx: Context) -> LevelValues:
    """Every area of the level under the top area in the view's period, ranked by
    value (highest first; equal values share a rank), and the top area's value."""
    view, indicator = ctx.view, ctx.indicator
    assert view.ebene is not None and view.zeitraum is not None
    period = view.zeitraum
    values = data.level_values(
        ctx.conn, ctx.snap, indicator, ctx.root.code, view.ebene, [period]
    )[period]
    root_obs = data.root_values(
        ctx.conn, ctx.snap, indicator, ctx.root.code, [period]
    ).get(period)
    return LevelValues(
        period=values,
        order=sorted_positions(values.shown, view.sortierung),
        ranks=ranks(values.shown),
        root_obs=root_obs,
    )


def ranks(values: data.FloatArray) -> npt.NDArray[np.int64]:
    """Rank of each value, highest first, equal values sharing the better rank;
    0 for NaN.

    Examples
    --------
    >>> ranks(np.array([3.0, np.nan, 5.0, 3.0, 1.0])).tolist()
    [2, 0, 1, 2, 4]
    """
    known = np.flatnonzero(~np.isnan(values))
    ordered = known[np.argsort(-values[known], kind="stable")]
    sorted_values = values[ordered]
    first = np.ones(len(ordered), dtype=bool)
    first[1:] = sorted_values[1:] != sorted_values[:-1]
    place = np.arange(1, len(ordered) + 1)
    found = np.zeros(len(values), dtype=np.int64)
    found[ordered] = np.maximum.accumulate(np.where(first, place, 0))
    return found


def extremes(values: data.FloatArray) -> tuple[list[int], list[int]]:
    """Positions of the lowest and of the highest value (NaN aside)."""
    if np.isnan(values).all():
        return [], []
    low, high = np.nanmin(values), np.nanmax(values)
    return np.flatnonzero(values == low).tolist(), np.flatnonzero(
        values == high
    ).tolist()


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


def area_row(
    ctx: Context,
    level: LevelValues,
    entry: LevelEntry,
    trend: TrendMarker | None = None,
) -> AreaRow:
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
        trend=trend,
    )


def first_by_name(entries: list[Any]) -> Any:
    """The entry whose area comes first in German name order."""
    return min(entries, key=lambda e: german_key(e.area.name))


def level_summary(ctx: Context, level: LevelValues) -> str:
    """The text alternative of map and table: range, extremes, the top area."""
    assert ctx.view.zeitraum is not None
    t, name, root = ctx.t, ctx.name, ctx.root
    phrase = period_phrase(ctx.view.zeitraum, ctx.lang)
    shown = level.period.shown
    total = len(shown)
    known = int(np.count_nonzero(~np.isnan(shown)))
    if not known:
        return t(
            "{phrase} gibt es für „{name}“ auf der Ebene {level} in {root} keine "
            "Werte.",
            phrase=phrase,
            name=name,
            level=ctx.level(),
            root=root.name,
        )
    if total == 1:
        only = level.entry(0)
        return t(
            "{phrase} betrug „{name}“ in {area} {value}.",
            phrase=phrase,
            name=name,
            area=only.area.name,
            value=ctx.value(only.obs),
        )
    lowest, highest = extremes(shown)
    low = first_by_name([level.entry(i) for i in lowest])
    high = first_by_name([level.entry(i) for i in highest])
    text = t(
        "{phrase} reichte „{name}“ in den {n} {areas} im Gebiet {root} von {low} "
        "({low_area}) bis {high} ({high_area})",
        phrase=phrase,
        name=name,
        n=formatting.number(total, 0, ctx.lang),
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
    if known < total:
        text += " " + t(
            "Für {m} von {n} Gebieten gibt es keinen Wert.",
            m=formatting.number(total - known, 0, ctx.lang),
            n=formatting.number(total, 0, ctx.lang),
        )
    return text


def level_notes(level: LevelValues) -> list[str]:
    """Notes of the stored values of the level, each once, in name order."""
    return list(
        dict.fromkeys(f"{area.name}: {note}" for area, note in level.period.notes)
    )


def table_view(ctx: Context, level: LevelValues) -> tuple[TableView, str]:
    """The ranking table: one page of rows, sort links, paging."""
    shown, paging, message = paged(ctx, level.order)
    name_sort, value_sort = sort_links(ctx)
    assert ctx.view.zeitraum is not None
    entries = [level.entry(i) for i in shown]
    trends = area_trends(
        ctx.conn, ctx.snap, ctx.indicator, [e.area.code for e in entries], ctx.t
    )
    return (
        TableView(
            caption=ctx.t(
                "{name}: {areas} im Gebiet {root}, {period}",
                name=ctx.name,
                areas=ctx.level(),
                root=ctx.root.name,
                period=ctx.period(ctx.view.zeitraum),
            ),
            root_name=ctx.root.name,
            root_value_text=ctx.value(level.root_obs),
            rows=tuple(
                area_row(ctx, level, e, trends.get(e.area.code)) for e in entries
            ),
            paging=paging,
            name_sort=name_sort,
            value_sort=value_sort,
            show_parts=level.period.has_parts,
            show_difference=level.root_value is not None,
            trend_note=trend_note(ctx.t),
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
    # The areas valid at the end of the period: a level with two vintages
    # (Berlin's planning areas of 2019 and of 2021) never overlaps.
    day = data.period_end(view.zeitraum)
    areas = level.period.areas
    key = (
        ctx.indicator.id,
        ctx.root.code,
        view.ebene,
        view.zeitraum,
        view.scheme,
    )

    categories = categories_of(ctx.indicator, ctx.lang)

    def classify() -> MapClasses:
        if categories:
            return category_classes(level.period.shown.tolist(), categories)
        return map_classes(level.period.shown, view.scheme)

    found: MapClasses = ctx.snap.lru(
        "indicator-classes", data.CLASSES_CACHE
    ).get_or_make(key, classify)
    if categories:
        labels: tuple[str, ...] = tuple(c.label for c in categories)
        colours: tuple[str, ...] = tuple(c.colour for c in categories)
    else:
        labels = class_labels(
            found.bins,
            decimals=ctx.indicator.decimals,
            unit=formatting.unit(ctx.indicator, ctx.lang),
            lang=ctx.lang,
        )
        colours = svgmap.palette(len(labels)) if labels else ()
    legend = [
        LegendItem(label=label, colour=colour, count=count)
        for label, colour, count in zip(labels, colours, found.counts, strict=True)
    ]
    missing = found.classes.count(None)
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
    if found.warning and labels and not categories:
        notes.append(
            t(
                "Es gibt nur {k} Klassen, weil es zu wenige verschiedene Werte gibt.",
                k=len(labels),
            )
        )
    geometries = data.boundaries(ctx.conn, ctx.snap, ctx.root.code, view.ebene)
    title = t(
        "{name} {period} nach {level}",
        name=ctx.name,
        period=ctx.period(view.zeitraum),
        level=ctx.level(),
    )
    drawn = any(geometries.get(a.code) for a in areas)

    # Read now: the page draws the map after the connection is closed.
    image = len(areas) > svgmap.INTERACTIVE_LIMIT  # one image, no link per area
    plain = (
        data.map_areas(ctx.conn, ctx.snap, ctx.root.code, view.ebene, day)
        if image
        else []
    )

    def draw() -> str:
        k = max(1, len(labels))
        cache_key = choropleth_key(ctx.snap, ctx.root.code, view.ebene, day)
        if image:
            return svgmap.class_image_svg(
                plain,
                found.classes,
                k=k,
                title=title,
                cache_key=cache_key,
                colours=colours if categories else None,
            )
        no_value = t("keine Angabe")
        period = level.period
        shown = period.shown.tolist()
        map_areas = [
            svgmap.MapArea(
                code=area.code,
                name=area.name,
                geometry=geometries.get(area.code),
                label=f"{area.name}: "
                + (no_value if value != value else ctx.value(period.observation(at))),
                class_index=cls,
                href=ctx.area_url(area.code),
            )
            for at, (area, value, cls) in enumerate(
                zip(areas, shown, found.classes, strict=True)
            )
        ]
        return svgmap.choropleth_svg(
            map_areas,
            k=k,
            title=title,
            cache_key=cache_key,
            interactive=True,
            colours=colours if categories else None,
        )

    return MapView(
        title=title,
        scheme_label=t("Klassen der Indexdefinition")
        if categories
        else t(SCHEMES[view.klassen][1]),
        legend=tuple(legend),
        note=" ".join(notes),
        drawn=drawn,
        linked=not image,
        choices=choice_group(ctx, view.ebene, day=day),
        svg=Later(
            lambda: ctx.snap.lru("indicator-maps", data.SVG_CACHE).get_or_make(
                (*key, ctx.lang), draw
            )
        )
        if drawn
        else Later(),
    )


def category_classes(
    values: list[float], categories: tuple[Category, ...]
) -> MapClasses:
    """The classes of a class indicator: each value's category, in the
    definition's order (never quantiles or intervals); a value that is no
    category of it (NaN: missing or secret) has none."""
    position = {c.code: i for i, c in enumerate(categories)}
    classes = tuple(
        position.get(int(v)) if v == v and float(v).is_integer() else None
        for v in values
    )
    counts = [0] * len(categories)
    for cls in classes:
        if cls is not None:
            counts[cls] += 1
    return MapClasses(
        scheme="categories",
        bins=tuple(float(c.code) for c in categories),
        classes=classes,
        counts=tuple(counts),
    )


def choropleth_key(
    snap: Snapshot, root: str, level: str, day: dt.date | None = None
) -> str:
    """Names the prepared paths of a level's areas under a top area valid on
    ``day`` (the day only counts where the level's areas have validity dates)."""
    vintage = None if day is None else snap.vintage(root, level, day)
    suffix = f":{vintage.isoformat()}" if vintage else ""
    return f"choropleth:{snap.token}:{root}:{level}{suffix}"


def prepare_maps(conn: Connection, snap: Snapshot) -> None:
    """Prepare the map paths of the levels that have values, largest first (as many
    as the boundary cache keeps), so that the first map of a level does not wait
    for its boundaries. A level with areas of several vintages is prepared for the
    areas of its newest period with values (the map a page opens with); older
    periods are prepared when first shown."""
    newest: dict[tuple[str, str], str] = {}
    for indicator in snap.indicators:
        for scope in snap.scopes_for(indicator):
            for level, periods in scope.periods_by_level.items():
                key = (scope.root.code, level)
                if periods and (
                    key not in newest
                    or period_order(periods[-1]) > period_order(newest[key])
                ):
                    newest[key] = periods[-1]
    largest = sorted(newest, key=lambda key: -len(snap.areas_in(*key)))
    for root, level in largest[: data.BOUNDARY_CACHE]:
        dated = snap.vintage(root, level, dt.date.max) is not None
        day = data.period_end(newest[(root, level)]) if dated else None
        areas = data.map_areas(conn, snap, root, level, day)
        if any(a.geometry for a in areas):
            svgmap.prepare(areas, choropleth_key(snap, root, level, day))
