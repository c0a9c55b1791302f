"""The hot-spot map of the indicator page (``ansicht=hotspots``): LISA clusters on
the areas' own boundaries, with Moran's I in words.

The numbers are those of ``sozialmonitor stats spatial`` and
``/api/v1/statistics/spatial`` for the same indicator, level, period and rule: the
page calls the same service function
(:func:`sozialmonitor.analysis.service.clusters.spatial_level`), which reads through
the read gate, so a suppressed value is no value — its area is drawn hatched, not
classified, and takes no part in its neighbours' statistics. The analysis covers
every area of the level (as the command does); the map draws those under the page's
top area. A result is kept per data version.

At Germany size one analysis of 10,786 municipalities takes about a second
(reading the period's values, 999 permutations; the contiguity is built once per
level), too long for a page. So the keep-warm thread has every indicator and period
of such a level computed ahead (:func:`precompute`, newest periods first, for the
public and then for the administration) and the page reads the result. A view not
computed yet is analysed in the background; the page waits up to
``FIRST_VIEW_WAIT`` for it and otherwise says it is being computed. Both run in a
worker process (:mod:`sozialmonitor.analysis.service.cluster_worker`), one analysis
at a time, so that they do not slow the pages served meanwhile. Each finished
analysis is also stored in the database, per data version and audience
(:mod:`sozialmonitor.analysis.service.cluster_store`), and read from there before
anything is computed: a restarted portal serves at once what it computed before.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, wait
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from sozialmonitor.analysis.service import cluster_store, cluster_worker
from sozialmonitor.analysis.service.cluster_worker import (
    KINDS,
    ClusterJob,
    CompactClusters,
    compact_clusters,
)
from sozialmonitor.analysis.spatial import (
    DEFAULT_ALPHA,
    DEFAULT_PERMUTATIONS,
    MIN_AREAS,
    Cluster,
    Contiguity,
    GlobalMoran,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.period import period_order
from sozialmonitor.lru import Lru
from sozialmonitor.web import formatting, svgmap
from sozialmonitor.web.page import Later, made_later
from sozialmonitor.web.pages import indicator_data as data
from sozialmonitor.web.pages.indicator_context import Context
from sozialmonitor.web.pages.indicator_views import (
    LegendItem,
    LevelValues,
    choropleth_key,
)
from sozialmonitor.web.snapshot import Snapshot, snapshot

METHOD_TEXT = (
    "Lokale Moran-Statistik (LISA, Anselin 1995) über alle {n} Gebiete der Ebene "
    "{level} mit Wert und Nachbargebiet, Nachbarn mit gemeinsamem Grenzpunkt "
    "(Queen), {permutations} Permutationen, Signifikanzniveau {alpha} %. "
    "Hoch-hoch: ein hoher Wert, umgeben von hohen Werten; Ausreißer: ein hoher "
    "Wert zwischen niedrigen oder umgekehrt. Gebiete, deren Wert geheim zu "
    "halten ist, werden nicht eingeordnet."
)
"""How the clusters are found (translated: ``translations/en``)."""
RULE = Contiguity.QUEEN
"""Neighbours share a boundary point: the default of ``stats spatial``."""
HOTSPOT_CACHE = 4096
"""Analyses kept per data version (indicator × level × period): each a byte per
area and Moran's I, some 11 KB at Germany size, so 100 indicators × 10 periods of
the municipalities take some 11 MB."""
IN_REQUEST_LIMIT = svgmap.INTERACTIVE_LIMIT
"""Levels with up to this many areas are analysed while the request waits (the
demo's 542 planning areas: some 20 ms); larger ones ahead by the keep-warm thread
(:func:`precompute`) or in the background."""
FIRST_VIEW_WAIT = 3.0
"""Seconds a request waits for the background analysis of a view not computed
ahead (10,786 municipalities: about half a second) before the page says it is
being computed."""
MAX_PENDING = 4
"""Background analyses queued at most: more distinct views asked for at once are
told to come back, so that no crowd of first views piles up work."""
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

_pending = threading.BoundedSemaphore(MAX_PENDING)
_precomputing = threading.Lock()
"""One round of :func:`precompute` at a time: the keep-warm thread starts one every
few seconds, and a caller waiting for the round (``bench/portal.py``) must not
compute the same analyses beside it."""


@dataclass(frozen=True, kw_only=True)
class HotspotResult:
    """What the page keeps of ``stats spatial``'s report, compactly: a byte per
    area (one result per indicator and period is kept ahead)."""

    positions: dict[str, int]
    """Area code → its byte in ``kinds``; shared by the results of a level."""
    kinds: bytes
    """Each area's cluster, as its index in ``Cluster``."""
    n: int
    """Areas in the statistics."""
    moran: GlobalMoran | None
    note: str
    """Why there is no Moran's I (the report's note; empty with one)."""

    @property
    def analysed(self) -> bool:
        """Whether the level had boundaries to analyse."""
        return bool(self.positions)

    def cluster(self, code: str) -> Cluster:
        at = self.positions.get(code)
        return Cluster.NOT_ANALYSED if at is None else KINDS[self.kinds[at]]


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
    """Whether the map is drawn (boundaries there, the analysis done)."""
    linked: bool = True
    """Whether each area links to its profile (not in a map drawn as one image)."""
    pending: bool
    """Whether the analysis is still being computed (the page says so)."""
    reload_url: str
    clusters: dict[str, str]
    """Area code → cluster code of the areas under the top area (the JSON twin)."""
    moran_i: float | None
    moran_p: float | None
    svg: Later = made_later()


def _job(conn: Connection, snap: Snapshot, key: tuple[str, str, str]) -> ClusterJob:
    """The analysis of ``key`` for the snapshot's audience; a scoped reader's
    scope holding the whole level reads the administration's values, and so is
    given its analysis (:func:`cluster_store.analysed_audience`)."""
    indicator, level, period = key
    audience = snap.audience
    if audience.scoped:
        audience = snap.remember(
            ("hotspot-audience", level),
            lambda: cluster_store.analysed_audience(conn, snap.audience, level),
        )
    return ClusterJob(
        indicator=indicator,
        level=level,
        period=period,
        rule=RULE.value,
        audience=audience,
    )


def _result(snap: Snapshot, level: str, found: CompactClusters) -> HotspotResult:
    """The page's result of an analysis; the areas' positions are shared by the
    results of a level (one dict, not one per indicator and period)."""
    codes = found.codes
    positions = snap.remember(
        ("hotspot-positions", level, codes),
        lambda: {code: at for at, code in enumerate(codes)},
    )
    return HotspotResult(
        positions=positions,
        kinds=found.kinds,
        n=found.n,
        moran=found.moran,
        note=found.note,
    )


def hotspot_result(ctx: Context, areas: int) -> HotspotResult | None:
    """The analysis of the view's level and period, the same as ``sozialmonitor
    stats spatial``; None while it is computed in the background (a level of more
    than ``IN_REQUEST_LIMIT`` areas not computed ahead, after ``FIRST_VIEW_WAIT``)."""
    view, snap = ctx.view, ctx.snap
    assert view.ebene is not None and view.zeitraum is not None
    key = (ctx.indicator.id, view.ebene, view.zeitraum)
    cache = snap.lru("indicator-hotspots", HOTSPOT_CACHE)
    found: HotspotResult | None = cache.get(key)
    if found is not None:
        return found
    engine = ctx.conn.engine
    analysis = _job(ctx.conn, snap, key)
    if areas <= IN_REQUEST_LIMIT:
        found = _result(snap, view.ebene, compact_clusters(engine, analysis))
        cache.put(key, found)
        return found
    pattern = cluster_store.pattern_of(ctx.conn, analysis)
    stored = cluster_store.lookup(ctx.conn, snap.version, analysis, pattern)
    if stored is not None:
        found = _result(snap, view.ebene, stored)
        cache.put(key, found)
        return found
    job_key = ("hotspot-job", *key)

    def start() -> Future[CompactClusters] | None:
        slots = _pending  # the slot goes back where it was taken from
        if not slots.acquire(blocking=False):
            return None
        job = cluster_worker.submit(engine, analysis)
        job.add_done_callback(lambda _: slots.release())
        job.add_done_callback(
            lambda done: _keep(engine, snap, cache, key, done, analysis, pattern)
        )
        return job

    job: Future[CompactClusters] | None = snap.remember(job_key, start)
    if job is not None:
        wait([job], timeout=FIRST_VIEW_WAIT)
    if job is None or (job.done() and (job.cancelled() or job.exception() is not None)):
        # Too many at once, or failed (the database briefly away): the next
        # request tries again.
        snap.forget(job_key, job)
        return None
    return _result(snap, view.ebene, job.result()) if job.done() else None


def _keep(
    engine: Engine,
    snap: Snapshot,
    cache: Lru,
    key: tuple[str, str, str],
    job: Future[CompactClusters],
    analysis: ClusterJob,
    pattern: str,
) -> None:
    if not job.cancelled() and job.exception() is None:
        cache.put(key, _result(snap, key[1], job.result()))
        cluster_store.save(engine, snap.version, analysis, pattern, job.result())


def precompute(engine: Engine, audience: Audience = Audience.PUBLIC) -> int:
    """Analyse ahead every indicator and period of each level with more than
    ``IN_REQUEST_LIMIT`` areas, newest periods first, into the cache the page
    reads; stops when the data version changes. For the keep-warm thread: at
    Germany size (100 indicators × 10 periods of 10,786 municipalities) some
    minutes of one core of the worker process per data version and audience; this
    thread only waits for each result. A second caller waits for the round under
    way, then finds its results. Returns how many it computed."""
    with _precomputing:
        return _precompute(engine, audience)


def _precompute(engine: Engine, audience: Audience) -> int:
    snap = snapshot(engine, audience)
    cache = snap.lru("indicator-hotspots", HOTSPOT_CACHE)
    large = {
        lvl.code for lvl in snap.levels if level_size(snap, lvl.code) > IN_REQUEST_LIMIT
    }
    queue: list[tuple[int, tuple[str, str, str]]] = []
    for indicator in snap.indicators:
        for level in large:
            periods = {
                period
                for scope in snap.scopes_for(indicator)
                for period in scope.periods_by_level.get(level, ())
            }
            ordered = sorted(periods, key=period_order, reverse=True)
            queue += [(age, (indicator.id, level, p)) for age, p in enumerate(ordered)]
    queue.sort(key=lambda item: item[0])  # stable: the catalogue's order in each
    computed = 0
    for _, key in queue:
        if cache.get(key) is not None:
            continue
        if snapshot(engine, audience) is not snap:
            break  # a new data version: its own round starts over
        with engine.connect() as conn:
            analysis = _job(conn, snap, key)
            pattern = cluster_store.pattern_of(conn, analysis)
            stored = cluster_store.lookup(conn, snap.version, analysis, pattern)
        if stored is not None:  # computed before a restart
            cache.put(key, _result(snap, key[1], stored))
            continue
        # One at a time, so that a first view asked for meanwhile waits for one
        # analysis in the worker's queue, not for the round.
        found = cluster_worker.submit(engine, analysis).result()
        cache.put(key, _result(snap, key[1], found))
        cluster_store.save(engine, snap.version, analysis, pattern, found)
        computed += 1
    return computed


def statement(ctx: Context, result: HotspotResult | None) -> str:
    """Moran's I in a sentence."""
    t = ctx.t
    if result is None:
        return t(
            "Die Hot-Spot-Analyse der vielen Gebiete dieser Ebene wird gerade "
            "berechnet (das dauert einige Sekunden). Bitte laden Sie die Seite "
            "gleich neu."
        )
    if not result.analysed:
        return t("Ohne Gebietsgrenzen lässt sich kein räumliches Muster prüfen.")
    moran = result.moran
    if moran is None:
        if result.n < MIN_AREAS:
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


def level_size(snap: Snapshot, level: str) -> int:
    """Areas of the level, every vintage (what the analysis reads at most)."""
    return snap.remember(
        ("level-size", level),
        lambda: sum(1 for a in snap.areas.values() if a.level == level),
    )


def hotspot_view(ctx: Context, level: LevelValues) -> HotspotView:
    """The LISA clusters of the level's areas under the top area, drawn."""
    view, t = ctx.view, ctx.t
    assert view.ebene is not None and view.zeitraum is not None
    areas = level.period.areas
    result = hotspot_result(ctx, level_size(ctx.snap, view.ebene))
    shown = [result.cluster(a.code) if result else Cluster.NOT_ANALYSED for a in areas]
    classes = [CLASSES.index(c) if c in CLUSTER_COLOURS else None for c in shown]
    legend = [
        LegendItem(label=t(cluster.label), colour=CLUSTER_COLOURS[cluster], count=count)
        for cluster in CLASSES
        if (count := shown.count(cluster))
    ]
    unclassified = classes.count(None)
    if unclassified and result is not None:
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
    method = t(
        METHOD_TEXT,
        n=formatting.number(result.n if result else 0, 0, ctx.lang),
        level=ctx.level(),
        permutations=formatting.number(DEFAULT_PERMUTATIONS, 0, ctx.lang),
        alpha=formatting.number(DEFAULT_ALPHA * 100, 0, ctx.lang),
    )
    geometries = data.boundaries(ctx.conn, ctx.snap, ctx.root.code, view.ebene)
    drawn = (
        result is not None
        and result.analysed
        and any(geometries.get(a.code) for a in areas)
    )
    day = data.period_end(view.zeitraum)
    image = len(areas) > svgmap.INTERACTIVE_LIMIT
    plain = (
        data.map_areas(ctx.conn, ctx.snap, ctx.root.code, view.ebene, day)
        if image and drawn
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

    moran = result.moran if result else None
    key = (ctx.indicator.id, ctx.root.code, view.ebene, view.zeitraum, ctx.lang)
    return HotspotView(
        linked=not image,
        title=title,
        statement=statement(ctx, result),
        legend=tuple(legend),
        method=method,
        drawn=drawn,
        pending=result is None,
        reload_url=ctx.url(),
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
