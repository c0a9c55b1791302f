"""The hot-spot map of the indicator page (``ansicht=hotspots``): LISA clusters on
the areas' own boundaries, with Moran's I in words.

The numbers are those of ``sozialmonitor stats spatial`` and
``/api/v1/statistics/spatial`` for the same indicator, level, period and rule: the
page calls the same service function
(:func:`sozialmonitor.analysis.service.clusters.spatial_level`), which reads through
the read gate, so a suppressed value is no value — its area is drawn hatched, not
classified, and takes no part in its neighbours' statistics. The analysis covers
every area of the level (as the command does); the map draws those under the page's
top area. A result is kept per data version (at Germany size the neighbours and 999
permutations of 11,000 municipalities take seconds).
"""

from __future__ import annotations

from dataclasses import dataclass

from sozialmonitor.analysis.service.clusters import SpatialReport, spatial_level
from sozialmonitor.analysis.spatial import (
    DEFAULT_ALPHA,
    DEFAULT_PERMUTATIONS,
    MIN_AREAS,
    Cluster,
    Contiguity,
)
from sozialmonitor.errors import MissingBoundariesError
from sozialmonitor.web import formatting, svgmap
from sozialmonitor.web.page import Later, made_later
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.indicator_context import Context
from sozialmonitor.web.pages.indicator_views import (
    LegendItem,
    LevelValues,
    choropleth_key,
)

RULE = Contiguity.QUEEN
"""Neighbours share a boundary point: the default of ``stats spatial``."""
HOTSPOT_CACHE = 32
"""Spatial analyses kept per data version (indicator × level × period)."""
CLUSTER_COLOURS: dict[Cluster, str] = {
    Cluster.HIGH_HIGH: "#b2182b",
    Cluster.LOW_LOW: "#2166ac",
    Cluster.HIGH_LOW: "#f4a582",
    Cluster.LOW_HIGH: "#92c5de",
    Cluster.NOT_SIGNIFICANT: "#e0e0e0",
    Cluster.NO_NEIGHBOURS: "#9e9e9e",
}
"""GeoDa's LISA colours (red hot spots, blue cold spots, light outliers), as
ColorBrewer RdBu; areas without a value or not analysed are hatched."""
CLASSES: tuple[Cluster, ...] = tuple(CLUSTER_COLOURS)
"""The drawn categories in legend order."""


@dataclass(frozen=True, kw_only=True)
class HotspotView:
    title: str
    statement: str
    """Moran's I in words, with its p-value (or why there is none)."""
    legend: tuple[LegendItem, ...]
    """One entry per cluster type present, then the areas not classified."""
    method: str
    """How the clusters are found, named once."""
    drawn: bool
    """Whether the level has boundaries to draw."""
    clusters: dict[str, str]
    """Area code → cluster code of the areas under the top area (the JSON twin)."""
    moran_i: float | None
    moran_p: float | None
    svg: Later = made_later()


def spatial_report(ctx: Context) -> SpatialReport | None:
    """The analysis of the view's level and period (None without boundaries)."""
    view = ctx.view
    assert view.ebene is not None and view.zeitraum is not None
    key = (ctx.indicator.id, view.ebene, view.zeitraum, RULE.value)

    def analyse() -> SpatialReport | None:
        try:
            return spatial_level(
                ctx.conn,
                indicator=ctx.indicator.id,
                level=view.ebene or "",
                period=view.zeitraum,
                rule=RULE.value,
                audience=ctx.snap.audience,
            )
        except MissingBoundariesError:
            return None

    found: SpatialReport | None = ctx.snap.lru(
        "indicator-hotspots", HOTSPOT_CACHE
    ).get_or_make(key, analyse)
    return found


def statement(ctx: Context, report: SpatialReport | None) -> str:
    """Moran's I in a sentence."""
    t = ctx.t
    if report is None:
        return t("Ohne Gebietsgrenzen lässt sich kein räumliches Muster prüfen.")
    moran = report.analysis.moran
    if moran is None:
        if report.analysis.n < MIN_AREAS:
            return t(
                "Kein Test auf ein räumliches Muster: Moran's I braucht mindestens "
                "{n} Gebiete mit Wert und Nachbargebiet.",
                n=MIN_AREAS,
            )
        return t("Kein Test auf ein räumliches Muster: alle Werte sind gleich.")
    figures = t(
        "Moran's I = {i}, p = {p}",
        i=formatting.number(moran.i, 2, ctx.lang),
        p=formatting.number(moran.p_value, 3, ctx.lang),
    )
    if moran.p_value <= DEFAULT_ALPHA and moran.i > 0:
        return t("Die Werte sind räumlich geclustert ({figures}).", figures=figures)
    if moran.p_value <= DEFAULT_ALPHA:
        return t(
            "Die Werte sind räumlich gestreut: benachbarte Gebiete unterscheiden "
            "sich stärker als zufällig ({figures}).",
            figures=figures,
        )
    return t("Kein räumliches Muster ({figures}).", figures=figures)


def hotspot_view(ctx: Context, level: LevelValues) -> HotspotView:
    """The LISA clusters of the level's areas under the top area, drawn."""
    view, t = ctx.view, ctx.t
    assert view.ebene is not None and view.zeitraum is not None
    report = spatial_report(ctx)
    by_code = (
        {
            area.code: local.cluster
            for area, local in zip(report.areas, report.analysis.local, strict=True)
        }
        if report
        else {}
    )
    areas = level.period.areas
    shown = [by_code.get(a.code, Cluster.NOT_ANALYSED) for a in areas]
    classes = [CLASSES.index(c) if c in CLUSTER_COLOURS else None for c in shown]
    legend = [
        LegendItem(label=t(cluster.label), colour=CLUSTER_COLOURS[cluster], count=count)
        for cluster in CLASSES
        if (count := shown.count(cluster))
    ]
    unclassified = classes.count(None)
    if unclassified:
        legend.append(
            LegendItem(
                label=t("nicht untersucht (kein Wert oder keine Grenze)"),
                colour=None,
                count=unclassified,
            )
        )
    title = t(
        "Hot Spots: {name} {period} nach {level}",
        name=ctx.indicator.name,
        period=ctx.period(view.zeitraum),
        level=ctx.level(),
    )
    n = report.analysis.n if report else 0
    method = t(
        "Lokale Moran-Statistik (LISA, Anselin 1995) über alle {n} Gebiete der Ebene "
        "{level} mit Wert und Nachbargebiet, Nachbarn mit gemeinsamem Grenzpunkt "
        "(Queen), {permutations} Permutationen, Signifikanzniveau {alpha} %. "
        "Hoch-hoch: ein hoher Wert, umgeben von hohen Werten; Ausreißer: ein hoher "
        "Wert zwischen niedrigen oder umgekehrt. Gebiete, deren Wert geheim zu "
        "halten ist, werden nicht eingeordnet.",
        n=formatting.number(n, 0, ctx.lang),
        level=ctx.level(),
        permutations=formatting.number(DEFAULT_PERMUTATIONS, 0, ctx.lang),
        alpha=formatting.number(DEFAULT_ALPHA * 100, 0, ctx.lang),
    )
    geometries = data.boundaries(ctx.conn, ctx.snap, ctx.root.code, view.ebene)
    drawn = report is not None and any(geometries.get(a.code) for a in areas)
    day = data.period_end(view.zeitraum)
    image = len(areas) > svgmap.INTERACTIVE_LIMIT
    plain = (
        data.map_areas(ctx.conn, ctx.snap, ctx.root.code, view.ebene, day)
        if image
        else []
    )
    colours = tuple(CLUSTER_COLOURS.values())

    def draw() -> str:
        cache_key = choropleth_key(ctx.snap, ctx.root.code, view.ebene or "", day)
        if image:
            return svgmap.class_image_svg(
                plain,
                classes,
                k=len(colours),
                title=title,
                cache_key=cache_key,
                colours=colours,
            )
        period = level.period
        map_areas = [
            svgmap.MapArea(
                code=area.code,
                name=area.name,
                geometry=geometries.get(area.code),
                label=f"{area.name}: {ctx.value(period.observation(at))} – "
                f"{t(cluster.label)}",
                class_index=cls,
                href=ctx.area_url(area.code),
            )
            for at, (area, cluster, cls) in enumerate(
                zip(areas, shown, classes, strict=True)
            )
        ]
        return svgmap.choropleth_svg(
            map_areas,
            k=len(colours),
            title=title,
            cache_key=cache_key,
            interactive=True,
            colours=colours,
        )

    moran = report.analysis.moran if report else None
    key = (ctx.indicator.id, ctx.root.code, view.ebene, view.zeitraum, ctx.lang)
    return HotspotView(
        title=title,
        statement=statement(ctx, report),
        legend=tuple(legend),
        method=method,
        drawn=drawn,
        clusters={a.code: c.value for a, c in zip(areas, shown, strict=True)},
        moran_i=moran.i if moran else None,
        moran_p=moran.p_value if moran else None,
        svg=Later(
            lambda: ctx.snap.lru("indicator-hotspot-maps", data.SVG_CACHE).get_or_make(
                key, draw
            )
        )
        if drawn
        else Later(),
    )
