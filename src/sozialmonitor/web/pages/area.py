"""The area profile (``/gebiet/{code}``, "Gebietsprofil" for every kind of area): its
routes, its content and the one function building it.

The profile shows every indicator with values for one area, grouped by topic: the
latest value, the parent area's and the region's (the top-level area's) value of the
same period, the changes against the previous period and over 5 and 10 years, a
sparkline and a plain-language reading (:mod:`sozialmonitor.web.reading`) that uses
the significance test of :mod:`sozialmonitor.analysis.comparison` where the values
carry numerator and denominator.

Around it: :mod:`~sozialmonitor.web.pages.area_values` reads the values (computed
from child areas where needed, cached per data version),
:mod:`~sozialmonitor.web.figure` formats them,
:mod:`~sozialmonitor.web.pages.area_locator` draws the locator map, and
:mod:`~sozialmonitor.web.pages.area_index` is the index of all areas (``/gebiet``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.analysis.comparison import BenchmarkComparison, compare_observations
from sozialmonitor.domain.aggregation import can_aggregate
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.errors import UnknownAreaError
from sozialmonitor.web import formatting
from sozialmonitor.web.embedding import EmbedCode
from sozialmonitor.web.figure import (
    PROFILE_CHANGE_SPANS,
    ChangeCell,
    Figure,
    SeriesPoint,
    change_cells,
    figure,
    series_points,
    sparkline,
)
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    json_response,
    render,
    request_language,
    site_of,
)
from sozialmonitor.web.pages.area_embed import profile_embed
from sozialmonitor.web.pages.area_lineage import (
    LineageStep,
    lineage_steps,
    validity_text,
)
from sozialmonitor.web.pages.area_locator import locator
from sozialmonitor.web.pages.area_type import AreaTypeInfo, area_type
from sozialmonitor.web.pages.area_values import area_values, cached_values, derive
from sozialmonitor.web.pages.boundary_state import (
    TODAY,
    BoundarySwitch,
    boundary_switch,
    chosen_state,
    is_recomputed,
    parse_state,
    predecessors,
    recomputed_note,
    today_values,
)
from sozialmonitor.web.pages.not_found import not_found
from sozialmonitor.web.pages.recommendations import QualitativeBlock, linked_block
from sozialmonitor.web.pages.sozialindex_data import IndexPosition, area_positions
from sozialmonitor.web.pages.trend_marker import (
    TrendMarker,
    indicator_trends,
    trend_note,
)
from sozialmonitor.web.reading import NO_BENCHMARK, in_area, read_value
from sozialmonitor.web.site import DEFAULT_SITE, Site
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.typology_setting import TypologySetting
from sozialmonitor.web.urls import href
from sozialmonitor.web.values import repeats_only_child, shown_value, suppressed

router = APIRouter()

CHILD_LIST_LIMIT = 200
"""The profile lists an area's sub-areas up to this many."""
BERLIN = "11000000"
"""AGS of Berlin, whose sub-areas carry LOR numbers (Lebensweltlich orientierte
Räume)."""
MUNICIPALITY = "municipality"
PROFILE_NAME = "Gebietsprofil"
NO_BENCHMARK_AT_ALL = (
    "Ein Vergleichswert {benchmark} fehlt bei allen Kennzahlen dieses Gebietsprofils."
)
NO_BENCHMARK_FOR = (
    "Ein Vergleichswert {benchmark} fehlt bei {n} Kennzahl: {names}.",
    "Ein Vergleichswert {benchmark} fehlt bei {n} Kennzahlen: {names}.",
)
BENCHMARK_ONLY_FOR = (
    "Einen Vergleichswert {benchmark} gibt es nur bei {n} Kennzahl: {names}.",
    "Einen Vergleichswert {benchmark} gibt es nur bei {n} Kennzahlen: {names}.",
)
"""The profile's one note on missing benchmark values (issue 16): for every row,
for a few (named), or only a few have one (those named); singular and plural."""
"""What the page of an area is called, for every kind of area."""
CHANGE_HEADERS = {
    "previous": "ggü. Vorperiode",
    "5y": "in 5 Jahren",
    "10y": "in 10 Jahren",
}
"""Headings of the change columns, by span
(:data:`~sozialmonitor.web.figure.PROFILE_CHANGE_SPANS`)."""


# --- the page content ------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AreaRef:
    """An area as a link."""

    code: str
    name: str
    level: str
    level_label: str
    url: str


@dataclass(frozen=True, kw_only=True)
class ProfileRow:
    """One indicator of the profile."""

    indicator: str
    name: str
    unit: str
    kind: str
    polarity: str
    url: str
    period: str
    period_text: str
    figure: Figure
    parent: Figure | None
    region: Figure | None
    changes: tuple[ChangeCell, ...]
    series: tuple[SeriesPoint, ...]
    benchmark: str | None
    """Code of the area the reading compares with."""
    result: str
    """Comparison code: better, similar, worse, higher, lower, not_compared,
    untested (plain difference), no_benchmark, suppressed."""
    tested: bool
    """Whether ``result`` rests on a significance test (95 % confidence interval)."""
    reading: str
    result_class: str = ""
    """CSS class: ``better`` or ``worse`` (the words say it too)."""
    trend: TrendMarker | None = None
    """The trend test of the area's series (as ``sozialmonitor stats trend``)."""
    embed: EmbedCode | None = None
    """The embed code of the row's chart (``/einbetten/gebiet/…``); None for an
    internal indicator."""
    sparkline: Markup = field(default=Markup(""), metadata={"html_only": True})


@dataclass(frozen=True, kw_only=True)
class ProfileTopic:
    name: str
    slug: str
    rows: tuple[ProfileRow, ...]


@dataclass(frozen=True, kw_only=True)
class AreaProfile:
    """The content of ``/gebiet/{code}``."""

    area: AreaRef
    title: str
    """``Gebietsprofil Laatzen``: one name for every kind of area (issue 16)."""
    profile_kind: str
    code_label: str
    """``AGS``, ``Kreisschlüssel``, ``LOR-Schlüssel`` or ``Gebietsschlüssel``."""
    validity: str
    """``gültig von 01.01.2019 bis 31.12.2020``; empty when the area has no dates."""
    predecessors: tuple[LineageStep, ...]
    """The areas it came from (merged, split, renamed, recoded)."""
    successors: tuple[LineageStep, ...]
    """The areas it became."""
    ancestors: tuple[AreaRef, ...]
    """From the top-level area down to the parent."""
    parent: AreaRef | None
    region: AreaRef | None
    """The top-level area, when it is not the area itself."""
    region_phrase: str
    """``in der Region Hannover``"""
    show_parent_column: bool
    """Whether the parent gets its own column (it is not the region)."""
    column_count: int
    """Columns of the topic tables."""
    children: tuple[AreaRef, ...]
    children_count: int
    children_url: str
    topics: tuple[ProfileTopic, ...]
    indicator_count: int
    computed_periods: str
    """``all``, ``changes``, ``latest`` or empty: see
    :class:`~sozialmonitor.web.pages.area_values.AreaValues`."""
    compare_parent_url: str
    compare_region_url: str
    sources: tuple[str, ...]
    change_spans: tuple[str, ...]
    """The change columns shown: spans at least one indicator has a change for."""
    change_headers: tuple[str, ...]
    """Their headings."""
    show_sparklines: bool
    """Whether any series has two values or more (else no "Verlauf" column)."""
    locator_title: str
    boundary: BoundarySwitch | None = None
    """The Gebietsstand switch of the series (changes and sparklines); None for an
    area without predecessors."""
    index_positions: tuple[IndexPosition, ...] = ()
    """Where the area stands in each stored Sozialindex of its level."""
    trend_note: str = ""
    """The trend test's method, named once."""
    missing_benchmark: str = ""
    """Where the benchmark has no value for some indicators: said once for the
    profile, naming each indicator once (issue 16); empty otherwise."""
    missing_benchmark_indicators: tuple[str, ...] = ()
    """The ids of those indicators, in the profile's order."""
    area_type: AreaTypeInfo | None = None
    """The area's type, where a typology is configured for its level."""
    qualitative: QualitativeBlock | None = None
    """The findings and recommendations linked to the area (None: none)."""
    locator: Markup = field(default=Markup(""), metadata={"html_only": True})


def area_ref(snap: Snapshot, area: Area, lang: Language, t: Translator) -> AreaRef:
    """The area as a link to its profile."""
    level = snap.level_by_code.get(area.level)
    return AreaRef(
        code=area.code,
        name=area.name,
        level=area.level,
        level_label=t(level.label) if level else area.level,
        url=href(f"/gebiet/{area.code}", lang),
    )


def code_label(snap: Snapshot, area: Area) -> str:
    """What the area's code is called: AGS, Kreisschlüssel, LOR-Schlüssel …

    Examples
    --------
    >>> from sozialmonitor.domain.area import Area
    >>> class Snap:  # a stand-in with what the function asks
    ...     root_of = {"03241009": "03241"}
    >>> code_label(Snap(), Area(code="03241009", name="Laatzen", level="municipality"))
    'AGS'
    """
    digits = area.code.isdigit()
    if snap.root_of.get(area.code) == BERLIN and area.code != BERLIN:
        return "LOR-Schlüssel"
    if area.level == MUNICIPALITY and digits and len(area.code) == 8:
        return "AGS"
    if area.level == "region" and digits and len(area.code) == 5:
        return "Kreisschlüssel"
    return "Gebietsschlüssel"


# --- building it -----------------------------------------------------------------


def _comparison(
    indicator: Indicator, obs: Observation, bench: Observation | None
) -> BenchmarkComparison | None:
    """The significance test against the benchmark, where it has something to rest
    on (a share or rate with numerator and denominator); None otherwise."""
    if bench is None or not indicator.is_ratio:
        return None
    if obs.numerator is None or obs.denominator is None:
        return None
    return compare_observations(indicator, obs, bench)


_RESULT_CLASS = {"better": "better", "worse": "worse"}


def _benchmark(
    snap: Snapshot,
    code: str,
    values: Mapping[tuple[str, str, str], Observation],
    indicator: str,
    period: str,
) -> Observation | None:
    """An ancestor's value to compare with: stored (a Land's own figure, imported
    as the benchmark), or computed from its child areas — but not computed from
    its only one, which would repeat that child's value as the ancestor's (a Land
    above the one district an installation holds)."""
    obs = values.get((indicator, code, period))
    return None if obs is None or repeats_only_child(snap, obs) else obs


def area_profile(
    conn: Connection,
    snap: Snapshot,
    lang: Language,
    code: str,
    gebietsstand: str | None = None,
    site: Site = DEFAULT_SITE,
    typology: TypologySetting | None = None,
    base_url: str = "",
) -> AreaProfile:
    """The profile of one area; its series on today's area or as it was
    (``gebietsstand``, see :mod:`boundary_state`), and its type in ``typology``.
    It compares with the top-level area, or with the site's ``compare_area``
    where that is one of the area's ancestors; its topics and indicators follow
    the site's order.

    Raises
    ------
    UnknownAreaError
        For a code no area has.
    """
    area = snap.area(code)
    t = Translator(lang=lang)
    ancestors = snap.ancestors(code)
    parent = ancestors[0] if ancestors else None
    chosen = next((a for a in ancestors if a.code == site.compare_area), None)
    top = chosen or (ancestors[-1] if ancestors else None)
    root = snap.root_of[code]
    derived = derive(snap)
    values = area_values(conn, snap, area)
    boundary = _on_today_area(conn, snap, area, values.by_indicator, gebietsstand, t)

    latest: dict[str, str] = {}
    for indicator in snap.indicators:
        periods = values.by_indicator.get(indicator.id)
        if periods:
            latest[indicator.id] = max(periods, key=period_order)
    benchmarks = [a for a in (parent, top) if a is not None]
    bench_values = cached_values(
        conn,
        snap,
        {(i, b.code, p) for i, p in latest.items() for b in {*benchmarks}},
    )

    # The area's whole series were read for the profile (unless a parent area's
    # computed values were read for some periods only): tested on them.
    complete = values.computed_periods in ("", "all")
    trends = indicator_trends(
        conn,
        snap,
        [i for i in snap.indicators if i.id in latest],
        code,
        t,
        known={
            (indicator, code): series.values()
            for indicator, series in values.by_indicator.items()
        }
        if complete
        else None,
    )
    topics = []
    sources: set[str] = set()
    missing: dict[str, list[tuple[str, str]]] = {}
    """Benchmark name → the (id, name) of the indicators it has no value for."""
    for topic in site.order.arrange(snap.topics):
        rows = []
        for indicator in topic.indicators:
            period = latest.get(indicator.id)
            if period is None:
                continue
            periods = values.by_indicator[indicator.id]
            obs = periods[period]
            scope = derived.scope.get((indicator.id, root))
            scope_periods = scope.periods_by_level.get(area.level, ()) if scope else ()
            points = series_points(periods, scope_periods)
            parent_obs = (
                _benchmark(snap, parent.code, bench_values, indicator.id, period)
                if parent
                else None
            )
            top_obs = (
                _benchmark(snap, top.code, bench_values, indicator.id, period)
                if top
                else None
            )
            # The reading compares with the region; with the parent where the
            # region has no value (e.g. an indicator only its districts have).
            bench_area, bench_obs = next(
                (
                    (a, o)
                    for a, o in ((top, top_obs), (parent, parent_obs))
                    if a is not None and shown_value(o) is not None
                ),
                (top, top_obs),
            )
            reading = read_value(
                indicator,
                area_name=area.name,
                value=shown_value(obs),
                suppressed=suppressed(obs),
                benchmark_name=bench_area.name if bench_area else None,
                benchmark_value=shown_value(bench_obs),
                comparison=_comparison(indicator, obs, bench_obs),
                lang=lang,
            )
            if (
                bench_area is not None
                and shown_value(bench_obs) is None
                and reading.result == NO_BENCHMARK
            ):
                missing.setdefault(bench_area.name, []).append(
                    (indicator.id, indicator.short_name)
                )
            if indicator.source:
                sources.add(indicator.source)
            rows.append(
                ProfileRow(
                    indicator=indicator.id,
                    name=indicator.short_name,
                    unit=formatting.unit(indicator, lang),
                    kind=indicator.kind.value,
                    polarity=indicator.polarity.value,
                    url=href(f"/indikator/{indicator.id}", lang, gebiet=area.code),
                    period=period,
                    period_text=formatting.period_label(period, lang),
                    figure=figure(obs, indicator, lang, area=area.code, period=period),
                    parent=figure(
                        parent_obs, indicator, lang, area=parent.code, period=period
                    )
                    if parent
                    else None,
                    region=figure(
                        top_obs, indicator, lang, area=top.code, period=period
                    )
                    if top
                    else None,
                    changes=change_cells(indicator, periods, period, lang, t),
                    series=points,
                    benchmark=bench_area.code if bench_area else None,
                    result=reading.result,
                    tested=reading.tested,
                    reading=reading.text,
                    result_class=_RESULT_CLASS.get(reading.result, ""),
                    trend=trends.get(indicator.id),
                    embed=profile_embed(area, indicator, lang, t, base_url),
                    sparkline=sparkline(points, indicator.short_name, lang),
                )
            )
        if rows:
            topics.append(
                ProfileTopic(name=topic.name, slug=topic.slug, rows=tuple(rows))
            )

    all_rows = [row for topic in topics for row in topic.rows]
    spans = tuple(
        span
        for index, span in enumerate(PROFILE_CHANGE_SPANS)
        if any(row.changes[index].absolute is not None for row in all_rows)
    )
    show_sparklines = any(
        sum(p.value is not None for p in row.series) > 1 for row in all_rows
    )
    today = dt.date.today()
    children = sorted(
        # the sub-areas of today: those that ended are reached through their
        # successors' "Hervorgegangen aus"
        (
            child
            for c in snap.children.get(code, ())
            if (child := snap.areas[c]).valid_to is None or child.valid_to >= today
        ),
        key=lambda a: (snap.level_by_code[a.level].rank, german_key(a.name)),
    )
    profile_kind = t(PROFILE_NAME)
    predecessors, successors = lineage_steps(
        conn, snap, area, lang, lambda other: href(f"/gebiet/{other}", lang)
    )
    locator_title = (
        t("Lage von {area} {parent}", area=area.name, parent=in_area(parent.name, lang))
        if parent
        else ""
    )
    return AreaProfile(
        qualitative=linked_block(conn, snap, lang, area=area.code),
        area=area_ref(snap, area, lang, t),
        title=f"{profile_kind} {area.name}",
        profile_kind=profile_kind,
        code_label=t(code_label(snap, area)),
        validity=validity_text(area, lang, t),
        predecessors=predecessors,
        successors=successors,
        ancestors=tuple(area_ref(snap, a, lang, t) for a in reversed(ancestors)),
        parent=area_ref(snap, parent, lang, t) if parent else None,
        region=area_ref(snap, top, lang, t) if top else None,
        region_phrase=in_area(top.name, lang) if top else "",
        show_parent_column=parent is not None and parent is not top,
        column_count=2
        + len(spans)
        + show_sparklines
        + (parent is not None and parent is not top)
        + (top is not None),
        children=tuple(area_ref(snap, c, lang, t) for c in children[:CHILD_LIST_LIMIT])
        if len(children) <= CHILD_LIST_LIMIT
        else (),
        children_count=len(children),
        children_url=href("/gebiet", lang, unter=code) if children else "",
        topics=tuple(topics),
        indicator_count=sum(len(topic.rows) for topic in topics),
        computed_periods=values.computed_periods,
        compare_parent_url=href("/vergleich", lang, gebiete=[code, parent.code])
        if parent
        else "",
        compare_region_url=href("/vergleich", lang, gebiete=[code, top.code])
        if top is not None and top is not parent
        else "",
        sources=tuple(sorted(sources, key=german_key)),
        change_spans=spans,
        change_headers=tuple(t(CHANGE_HEADERS[span]) for span in spans),
        show_sparklines=show_sparklines,
        locator_title=locator_title,
        boundary=boundary,
        index_positions=area_positions(
            snap,
            area,
            values.by_indicator,
            lambda index, period: href(f"/sozialindex/{index}", lang, zeitraum=period),
            lang,
        ),
        trend_note=trend_note(t) if all_rows else "",
        missing_benchmark=_missing_benchmark_note(
            missing, [row.name for row in all_rows], t
        ),
        missing_benchmark_indicators=tuple(
            code for found in missing.values() for code, _ in found
        ),
        area_type=area_type(conn, snap, area, typology, t),
        locator=locator(conn, snap, area, locator_title),
    )


def _missing_benchmark_note(
    missing: Mapping[str, list[tuple[str, str]]], shown: list[str], t: Translator
) -> str:
    """``Ein Vergleichswert in Berlin fehlt bei 2 Kennzahlen: A, B.``, once for the
    whole profile (``shown``: the names of its rows); "bei allen Kennzahlen" where
    it is missing for every row, and where it is missing for most the few that
    have one are named instead."""
    notes = []
    for benchmark, found in missing.items():
        phrase = in_area(benchmark, t.lang)
        lacking = {name for _, name in found}
        having = [name for name in dict.fromkeys(shown) if name not in lacking]
        if not having:
            notes.append(t(NO_BENCHMARK_AT_ALL, benchmark=phrase))
        elif len(having) < len(lacking):
            notes.append(
                t.plural(
                    *BENCHMARK_ONLY_FOR,
                    len(having),
                    benchmark=phrase,
                    names=", ".join(having),
                )
            )
        else:
            notes.append(
                t.plural(
                    *NO_BENCHMARK_FOR,
                    len(found),
                    benchmark=phrase,
                    names=", ".join(dict.fromkeys(name for _, name in found)),
                )
            )
    return " ".join(notes)


def _on_today_area(
    conn: Connection,
    snap: Snapshot,
    area: Area,
    by_indicator: dict[str, dict[str, Observation]],
    asked: str | None,
    t: Translator,
) -> BoundarySwitch | None:
    """For an area with predecessors: the switch, and on today's area the values of
    the periods before it began, recomputed, added to ``by_indicator``; no switch
    where nothing was recomputed and no state was asked for."""
    links = predecessors(conn, snap).get(area.code)
    if not links:
        return None
    state = chosen_state(asked, True)
    recomputed: set[str] = set()
    if state == TODAY:
        # Only indicators whose values add up (counts, shares with their parts)
        # can be recomputed; a median or an index cannot.
        for indicator in (i for i in snap.indicators if can_aggregate(i)):
            found = today_values(conn, snap, indicator, [area.code])
            for (_, period), obs in found.items():
                if is_recomputed(obs) and period not in by_indicator.get(
                    indicator.id, {}
                ):
                    by_indicator.setdefault(indicator.id, {})[period] = obs
                    recomputed.add(period)
    if state == TODAY and not recomputed and asked is None:
        return None  # no predecessor has a value to recompute: both are the same
    notes = (
        (recomputed_note(snap, links, area.name, sorted(recomputed), t),)
        if recomputed
        else ()
    )
    return boundary_switch(
        state,
        lambda value: href(f"/gebiet/{area.code}", t.lang, gebietsstand=value),
        t,
        notes,
    )


# --- routes ----------------------------------------------------------------------


def _profile(request: Request, code: str) -> tuple[Snapshot, AreaProfile]:
    snap = current_snapshot(request)
    asked = parse_state(request.query_params.get("gebietsstand"))
    with request.app.state.engine.connect() as conn:
        return snap, area_profile(
            conn,
            snap,
            request_language(request),
            code,
            gebietsstand=asked,
            site=site_of(request),
            typology=getattr(request.app.state, "typology", None),
            base_url=request.app.state.base_url,
        )


@router.get("/gebiet/{code}", response_class=HTMLResponse, include_in_schema=False)
def area_html(request: Request, code: str) -> HTMLResponse:
    try:
        snap, page = _profile(request, code)
    except UnknownAreaError as error:
        return not_found(request, current_snapshot(request), error)
    t = Translator(lang=request_language(request))
    crumbs = ((t("Gebiete"), "/gebiet"),) + tuple(
        (a.name, f"/gebiet/{a.code}") for a in page.ancestors
    )
    frame = frame_for(request, snap, title=page.title, crumbs=crumbs)
    return render(request, "area.html", frame=frame, page=page)


@router.get("/api/v1/pages/gebiet/{code}", tags=["pages"])
def area_json(request: Request, code: str) -> JSONResponse:
    """The profile of one area as JSON (the numbers the page shows)."""
    return json_response(_profile(request, code)[1])
