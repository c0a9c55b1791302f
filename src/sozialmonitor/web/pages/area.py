"""Area pages: the index of all areas (``/gebiet``) and the area profile
(``/gebiet/{code}``, for municipalities the "Sozialstrukturprofil").

The profile shows every indicator with values for one area, grouped by topic: the
latest value, the parent area's and the region's (the top-level area's) value of the
same period, the changes against the previous period and over 5 and 10 years, a
sparkline and a plain-language reading (:mod:`sozialmonitor.web.reading`) that uses
the significance test of :mod:`sozialmonitor.analysis.comparison` where the values
carry numerator and denominator.

What is read: all values of the one area (``ObservationQuery(areas=[code])``, on the
area index), and for the parent and the region only the latest period of each
indicator. Values the read gate has to compute from child areas are the expensive
part at Germany size (the country from 11,000 municipalities), so they are read only
for the indicators that can be aggregated and cached per data version
(:class:`_ValueCache`); an area with many areas below it
gets only the computed values of some periods (:func:`area_values`).
"""

from __future__ import annotations

import functools
import itertools
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import Markup
from sqlalchemy import Connection

from sozialmonitor.analysis.changes import changes as changes_of
from sozialmonitor.analysis.comparison import BenchmarkComparison, compare_observations
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period, step_back
from sozialmonitor.errors import (
    InvalidPeriodError,
    MissingBoundariesError,
    SozialmonitorError,
    UnknownAreaError,
    UnknownLevelError,
)
from sozialmonitor.store import queries
from sozialmonitor.web import formatting
from sozialmonitor.web.charts import sparkline_svg
from sozialmonitor.web.i18n import Language, Translator
from sozialmonitor.web.page import (
    current_snapshot,
    frame_for,
    render,
    request_language,
    to_json,
)
from sozialmonitor.web.reading import in_area, read_value
from sozialmonitor.web.snapshot import AUDIENCE, Scope, Snapshot
from sozialmonitor.web.svgmap import MapArea, locator_svg
from sozialmonitor.web.urls import href

router = APIRouter()

FULL_LIST_LIMIT = 200
"""The index lists a level of a top-level area in full up to this many areas; a
larger level is listed page by page (or found with the filter)."""
OPEN_LIST_LIMIT = 30
"""Levels with up to this many areas are shown unfolded in the index."""
PAGE_SIZE = 100
"""Areas per page of a filtered or paged index list."""
COMPUTE_BUDGET = 8_000
"""Child values (areas below × indicators × periods) a cold profile may aggregate
for an area's own computed series (the read gate needs about 25 µs each); above it
only the periods of the changes, or only the latest period, are computed (and
cached)."""
CHILD_LIST_LIMIT = 200
"""The profile lists an area's sub-areas up to this many."""
VALUE_CACHE_SIZE = 200_000
"""Cached benchmark and computed values (one entry per indicator, area, period)."""
LOCATOR_CACHE_SIZE = 64
"""Cached sibling boundaries for the locator maps (one entry per parent area)."""
BERLIN = "11000000"
"""AGS of Berlin, whose sub-areas carry LOR numbers (Lebensweltlich orientierte
Räume)."""
MUNICIPALITY = "municipality"
PROFILE_CHANGE_SPANS = ("previous", "5y", "10y")
CHANGE_HEADERS = {
    "previous": "ggü. Vorperiode",
    "5y": "in 5 Jahren",
    "10y": "in 10 Jahren",
}

Key = tuple[str, str, str]
"""(indicator, area, period)"""


# --- reading values ---------------------------------------------------------------


class _ValueCache:
    """Values read through the gate for one snapshot; the least recently used go
    first. ``None`` records that a key has no value."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._data: OrderedDict[Key, Observation | None] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, keys: Iterable[Key]) -> tuple[dict[Key, Observation], set[Key]]:
        found: dict[Key, Observation] = {}
        missing: set[Key] = set()
        with self._lock:
            for key in keys:
                if key in self._data:
                    self._data.move_to_end(key)
                    obs = self._data[key]
                    if obs is not None:
                        found[key] = obs
                else:
                    missing.add(key)
        return found, missing

    def store(self, values: dict[Key, Observation | None]) -> None:
        with self._lock:
            for key, obs in values.items():
                self._data[key] = obs
                self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)


@dataclass
class _Derived:
    """What the area pages derive from one snapshot (one database at one data
    version), and the values and boundaries they cache for it."""

    scope: dict[tuple[str, str], Scope]
    """(indicator, top-level area) → where it has values."""
    parts: frozenset[tuple[str, str]]
    """(indicator, top-level area) whose values carry numerator and denominator."""
    descendants: dict[str, int]
    """Area code → number of areas below it."""
    folded: tuple[tuple[str, str, str, str], ...]
    """(code, casefolded code, name transliterated, name without accents) per area,
    for the index filter."""
    levels_present: frozenset[str]
    """Levels that have areas."""
    token: int
    """Unique per snapshot: names its boundaries in the map cache."""
    values: _ValueCache = field(default_factory=lambda: _ValueCache(VALUE_CACHE_SIZE))
    locators: OrderedDict[str, tuple[MapArea, ...]] = field(default_factory=OrderedDict)
    """Parent code → its children's boundaries."""
    lock: threading.Lock = field(default_factory=threading.Lock)


GENERATIONS = 4
"""Snapshots whose derived data and caches are kept (the newest first)."""
_derived_lock = threading.Lock()
_derived_cache: OrderedDict[int, tuple[Snapshot, _Derived]] = OrderedDict()
_tokens = itertools.count(1)


def _fold(text: str) -> tuple[str, str]:
    """Two umlaut-tolerant forms: ``München`` → ``muenchen`` and ``munchen``."""
    low = text.casefold()
    transliterated = low.translate(_TRANSLITERATE)
    return transliterated, german_key(text)


_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _derive(snap: Snapshot) -> _Derived:
    """The derived data of a snapshot, made once. The snapshot object is the key
    (held here, so its id is not reused): two databases at the same data version
    never share cached values."""
    with _derived_lock:
        cached = _derived_cache.get(id(snap))
        if cached is not None and cached[0] is snap:
            return cached[1]
    scope = {
        (indicator.id, s.root.code): s
        for indicator in snap.indicators
        for s in snap.scopes_for(indicator)
    }
    parts = frozenset(
        (c.indicator, snap.root_of[c.under])
        for c in snap.coverage
        if c.parts and c.under in snap.root_of
    )
    descendants: dict[str, int] = {}
    rank = {code: level.rank for code, level in snap.level_by_code.items()}
    for area in sorted(snap.areas.values(), key=lambda a: -rank.get(a.level, 0)):
        descendants[area.code] = sum(
            descendants.get(child, 0) + 1 for child in snap.children.get(area.code, ())
        )
    folded = tuple(
        (area.code, area.code.casefold(), *_fold(area.name))
        for area in snap.areas.values()
    )
    derived = _Derived(
        scope=scope,
        parts=parts,
        descendants=descendants,
        folded=folded,
        levels_present=frozenset(a.level for a in snap.areas.values()),
        token=next(_tokens),
    )
    with _derived_lock:
        cached = _derived_cache.get(id(snap))
        if cached is not None and cached[0] is snap:
            return cached[1]  # made meanwhile by another request
        _derived_cache[id(snap)] = (snap, derived)
        while len(_derived_cache) > GENERATIONS:
            _derived_cache.popitem(last=False)
    return derived


def _read(
    conn: Connection, keys: set[Key], *, computed: bool
) -> dict[Key, Observation]:
    """One gate read for the cross product of the keys' parts; only the keys kept."""
    if not keys:
        return {}
    query = queries.ObservationQuery(
        indicators=sorted({k[0] for k in keys}),
        areas=sorted({k[1] for k in keys}),
        periods=sorted({k[2] for k in keys}),
        computed=computed,
    )
    return {
        obs.key: obs
        for obs in queries.read_observations(conn, query, audience=AUDIENCE)
        if obs.key in keys
    }


def _computable(
    snap: Snapshot, derived: _Derived, indicator: Indicator, code: str
) -> bool:
    """Whether the gate can compute the indicator for the area from its children."""
    if not snap.children.get(code):
        return False
    if indicator.kind is IndicatorKind.COUNT:
        return True
    return indicator.is_ratio and (indicator.id, snap.root_of[code]) in derived.parts


def cached_values(
    conn: Connection, snap: Snapshot, keys: Iterable[Key]
) -> dict[Key, Observation]:
    """Values of exactly these keys: stored ones first, computed ones only where
    none is stored and the indicator can be aggregated; cached per data version.

    Parameters
    ----------
    conn
        An open connection.
    snap
        The current snapshot (its version keys the cache).
    keys
        (indicator, area, period) to read; keys of unknown indicators are skipped.

    Returns
    -------
    dict
        Key → observation, for the keys that have one.
    """
    derived = _derive(snap)
    wanted = {k for k in keys if k[0] in snap.indicator_by_id and k[1] in snap.areas}
    found, missing = derived.values.lookup(wanted)
    if not missing:
        return found
    got = _read(conn, missing, computed=False)
    # One computed read per area and set of periods, so that an indicator whose
    # latest period is older does not make every indicator compute that period.
    periods_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for key in missing - got.keys():
        indicator = snap.indicator_by_id[key[0]]
        if _computable(snap, derived, indicator, key[1]):
            periods_of[(key[1], key[0])].add(key[2])
    groups: dict[tuple[str, frozenset[str]], set[Key]] = defaultdict(set)
    for (area, indicator_id), periods in periods_of.items():
        groups[(area, frozenset(periods))].update(
            (indicator_id, area, p) for p in periods
        )
    for group in groups.values():
        got.update(_read(conn, group, computed=True))
    derived.values.store({k: got.get(k) for k in missing})
    found.update(got)
    return found


@dataclass(frozen=True, kw_only=True)
class AreaValues:
    """All values of one area, by indicator and period."""

    by_indicator: dict[str, dict[str, Observation]]
    computed_periods: str
    """Which periods of values computed from the child areas were read: ``all``,
    ``changes`` (the latest and those the changes compare with), ``latest`` or
    empty (none needed)."""


def _change_periods(periods: Sequence[str]) -> set[str]:
    """The latest period and the periods its changes compare with."""
    latest = periods[-1]
    wanted = {latest, *(step_back(latest, years) for years in (0, 5, 10))}
    return wanted & set(periods)


def area_values(conn: Connection, snap: Snapshot, area: Area) -> AreaValues:
    """Every value of one area: its stored values of all indicators and periods,
    and computed ones from its children where none is stored.

    A leaf area costs one indexed read. For a parent area the computed values are
    cached per data version; a cold read aggregates at most about
    :data:`COMPUTE_BUDGET` child values: the whole series while that suffices, else
    the periods of the changes, else the latest period only.
    """
    derived = _derive(snap)
    stored = queries.read_observations(
        conn,
        queries.ObservationQuery(areas=[area.code], computed=False),
        audience=AUDIENCE,
    )
    by_indicator: dict[str, dict[str, Observation]] = defaultdict(dict)
    for obs in stored:
        by_indicator[obs.indicator][obs.period] = obs
    if not snap.children.get(area.code):
        return AreaValues(by_indicator=dict(by_indicator), computed_periods="")
    root = snap.root_of[area.code]
    missing: dict[str, tuple[str, ...]] = {}
    for indicator in snap.indicators:
        if not _computable(snap, derived, indicator, area.code):
            continue
        scope = derived.scope.get((indicator.id, root))
        periods = scope.periods_by_level.get(area.level, ()) if scope else ()
        have = by_indicator.get(indicator.id, {})
        if any(p not in have for p in periods):
            missing[indicator.id] = periods
    if not missing:
        return AreaValues(by_indicator=dict(by_indicator), computed_periods="")
    size = max(derived.descendants.get(area.code, 0), 1)

    def keys(choose: Any) -> set[Key]:
        return {
            (ind, area.code, p)
            for ind, periods in missing.items()
            for p in choose(periods)
            if p not in by_indicator.get(ind, {})
        }

    mode, wanted = "all", keys(lambda periods: periods)
    if derived.values.lookup(wanted)[1] and size * len(wanted) > COMPUTE_BUDGET:
        mode, wanted = "changes", keys(_change_periods)
        if size * len(wanted) > COMPUTE_BUDGET:
            mode, wanted = "latest", keys(lambda periods: periods[-1:])
    for key, obs in cached_values(conn, snap, wanted).items():
        by_indicator[key[0]][key[2]] = obs
    return AreaValues(by_indicator=dict(by_indicator), computed_periods=mode)


def warm_up(engine: Any, *, codes: Sequence[str] | None = None) -> None:
    """Compute the latest values of every area with sub-areas (or of ``codes``)
    ahead of the first profile that needs them as parent or region.

    At Germany size that is the country (about 4 s), the states and the districts
    (about 30 s in all); meant for a background thread at server start.
    """
    from sozialmonitor.web.snapshot import snapshot

    snap = snapshot(engine)
    derived = _derive(snap)
    targets = codes or sorted(
        snap.children,
        key=lambda code: snap.level_by_code[snap.areas[code].level].rank,
    )
    with engine.connect() as conn:
        for code in targets:
            if code not in snap.areas:
                continue
            root = snap.root_of[code]
            level = snap.areas[code].level
            keys: set[Key] = set()
            for indicator in snap.indicators:
                scope = derived.scope.get((indicator.id, root))
                periods = scope.periods_by_level.get(level, ()) if scope else ()
                if periods:
                    keys.add((indicator.id, code, periods[-1]))
            cached_values(conn, snap, keys)


@functools.lru_cache(maxsize=4096)
def period_order(code: str) -> tuple[Any, str]:
    """Sort key of a period code: by its end, then by its code."""
    return (parse_period(code).end, code)


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
class Figure:
    """One area's value for one period, formatted."""

    area: str
    """Area code."""
    period: str
    value: float | None
    """None when missing or suppressed."""
    text: str
    """``9,1 %``, ``.`` (suppressed) or ``–`` (no value)."""
    flags: tuple[str, ...] = ()
    computed: bool = False
    """Computed from the child areas (not stored)."""


@dataclass(frozen=True, kw_only=True)
class ChangeCell:
    """A change of the latest value against an earlier period."""

    span: str
    """``previous``, ``5y`` or ``10y``."""
    base_period: str
    absolute: float | None
    """Difference (percentage points for shares); None: not available."""
    text: str
    """``+2,3 Prozentpunkte`` or ``–``."""
    title: str
    """``gegenüber 2016``"""


@dataclass(frozen=True, kw_only=True)
class SeriesPoint:
    period: str
    value: float | None


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
    """``Sozialstrukturprofil Laatzen`` / ``Gebietsprofil Mitte``."""
    profile_kind: str
    code_label: str
    """``AGS``, ``Kreisschlüssel``, ``LOR-Schlüssel`` or ``Gebietsschlüssel``."""
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
    """``all``, ``changes``, ``latest`` or empty: see :class:`AreaValues`."""
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
    locator: Markup = field(default=Markup(""), metadata={"html_only": True})


def _ref(snap: Snapshot, area: Area, lang: Language, t: Translator) -> AreaRef:
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


def _marks(obs: Observation) -> tuple[str, ...]:
    found = []
    for flag, name in (
        (Flag.PROVISIONAL, "provisional"),
        (Flag.REVISED, "revised"),
        (Flag.ESTIMATED, "estimated"),
        (Flag.BREAK, "break"),
        (Flag.SUPPRESSED, "suppressed"),
        (Flag.COMPUTED, "computed"),
    ):
        if obs.flags & flag:
            found.append(name)
    return tuple(found)


_SIGNS = {"provisional": "p", "revised": "r", "estimated": "s"}


def shown(obs: Observation | None) -> float | None:
    """The value a page may show: None when missing or suppressed."""
    if obs is None or obs.flags & Flag.SUPPRESSED:
        return None
    return obs.value


def figure(
    obs: Observation | None,
    indicator: Indicator,
    lang: Language,
    *,
    area: str,
    period: str,
) -> Figure:
    """A value as the tables show it: ``9,1 %``, ``9,1 % p``, ``.`` or ``–``."""
    if obs is None:
        return Figure(
            area=area, period=period, value=None, text=formatting.NO_VALUE_SIGN
        )
    flags = _marks(obs)
    value = shown(obs)
    if obs.flags & Flag.SUPPRESSED:
        text = formatting.SUPPRESSED_SIGN
    else:
        text = formatting.with_unit(value, indicator, lang)
        signs = "".join(_SIGNS[f] for f in flags if f in _SIGNS)
        if signs and value is not None:
            text = f"{text} {signs}"
    return Figure(
        area=area,
        period=period,
        value=value,
        text=text,
        flags=flags,
        computed=bool(obs.flags & Flag.COMPUTED),
    )


def series_points(
    periods: dict[str, Observation], scope_periods: Sequence[str]
) -> tuple[SeriesPoint, ...]:
    """The area's series from its first to its last period, with gaps where the
    level has a period the area has no value for."""
    own = sorted(periods, key=period_order)
    if not own:
        return ()
    first, last = period_order(own[0]), period_order(own[-1])
    axis = {p for p in scope_periods if first <= period_order(p) <= last} | set(own)
    return tuple(
        SeriesPoint(period=p, value=shown(periods.get(p)))
        for p in sorted(axis, key=period_order)
    )


def sparkline(points: Sequence[SeriesPoint], name: str, lang: Language) -> Markup:
    """The inline sparkline of a series, named by indicator and period range."""
    if not points:
        return Markup("")
    first = formatting.period_label(points[0].period, lang)
    last = formatting.period_label(points[-1].period, lang)
    span = first if first == last else f"{first}–{last}"
    return sparkline_svg([p.value for p in points], label=f"{name}, {span}")


def _changes(
    indicator: Indicator,
    periods: dict[str, Observation],
    latest: str,
    lang: Language,
    t: Translator,
) -> tuple[ChangeCell, ...]:
    series = {p: shown(o) for p, o in periods.items()}
    try:
        found = changes_of(
            series, period=latest, share=indicator.kind is IndicatorKind.SHARE
        )
    except InvalidPeriodError:  # a series that mixes years and reference dates
        found = ()
    by_span = {c.span.value: c for c in found}
    cells = []
    for span in PROFILE_CHANGE_SPANS:
        change = by_span.get(span)
        if change is None:
            cells.append(
                ChangeCell(
                    span=span,
                    base_period="",
                    absolute=None,
                    text=formatting.NO_VALUE_SIGN,
                    title="",
                )
            )
            continue
        cells.append(
            ChangeCell(
                span=span,
                base_period=change.base_period,
                absolute=change.absolute,
                text=formatting.change(change.absolute, indicator, lang),
                title=t(
                    "gegenüber {period}",
                    period=formatting.period_label(change.base_period, lang),
                ),
            )
        )
    return tuple(cells)


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


def area_profile(
    conn: Connection, snap: Snapshot, lang: Language, code: str
) -> AreaProfile:
    """The profile of one area.

    Raises
    ------
    UnknownAreaError
        For a code no area has.
    """
    area = snap.area(code)
    t = Translator(lang=lang)
    ancestors = snap.ancestors(code)
    parent = ancestors[0] if ancestors else None
    top = ancestors[-1] if ancestors else None
    root = snap.root_of[code]
    derived = _derive(snap)
    values = area_values(conn, snap, area)

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

    topics = []
    sources: set[str] = set()
    for topic in snap.topics:
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
                bench_values.get((indicator.id, parent.code, period))
                if parent
                else None
            )
            top_obs = (
                bench_values.get((indicator.id, top.code, period)) if top else None
            )
            # The reading compares with the region; with the parent where the
            # region has no value (e.g. an indicator only its districts have).
            bench_area, bench_obs = next(
                (
                    (a, o)
                    for a, o in ((top, top_obs), (parent, parent_obs))
                    if a is not None and shown(o) is not None
                ),
                (top, top_obs),
            )
            reading = read_value(
                indicator,
                area_name=area.name,
                value=shown(obs),
                suppressed=bool(obs.flags & Flag.SUPPRESSED),
                benchmark_name=bench_area.name if bench_area else None,
                benchmark_value=shown(bench_obs),
                comparison=_comparison(indicator, obs, bench_obs),
                lang=lang,
            )
            if indicator.source:
                sources.add(indicator.source)
            rows.append(
                ProfileRow(
                    indicator=indicator.id,
                    name=indicator.short_name,
                    unit=indicator.unit,
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
                    changes=_changes(indicator, periods, period, lang, t),
                    series=points,
                    benchmark=bench_area.code if bench_area else None,
                    result=reading.result,
                    tested=reading.tested,
                    reading=reading.text,
                    result_class=_RESULT_CLASS.get(reading.result, ""),
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
    children = sorted(
        (snap.areas[c] for c in snap.children.get(code, ())),
        key=lambda a: (snap.level_by_code[a.level].rank, german_key(a.name)),
    )
    is_municipality = area.level == MUNICIPALITY
    profile_kind = t("Sozialstrukturprofil" if is_municipality else "Gebietsprofil")
    locator_title = (
        t("Lage von {area} {parent}", area=area.name, parent=in_area(parent.name, lang))
        if parent
        else ""
    )
    return AreaProfile(
        area=_ref(snap, area, lang, t),
        title=f"{profile_kind} {area.name}",
        profile_kind=profile_kind,
        code_label=t(code_label(snap, area)),
        ancestors=tuple(_ref(snap, a, lang, t) for a in reversed(ancestors)),
        parent=_ref(snap, parent, lang, t) if parent else None,
        region=_ref(snap, top, lang, t) if top else None,
        region_phrase=in_area(top.name, lang) if top else "",
        show_parent_column=parent is not None and parent is not top,
        column_count=2
        + len(spans)
        + show_sparklines
        + (parent is not None and parent is not top)
        + (top is not None),
        children=tuple(_ref(snap, c, lang, t) for c in children[:CHILD_LIST_LIMIT])
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
        locator=_locator(conn, snap, area, locator_title),
    )


# --- the locator map -------------------------------------------------------------


def _siblings(conn: Connection, snap: Snapshot, parent: str) -> tuple[MapArea, ...]:
    """The boundaries of a parent's children, read once per snapshot."""
    derived = _derive(snap)
    with derived.lock:
        hit = derived.locators.get(parent)
        if hit is not None:
            derived.locators.move_to_end(parent)
            return hit
    areas = tuple(
        MapArea(
            code=a.code,
            name=a.name,
            geometry=a.geometry,
            label=a.name,
            class_index=None,
        )
        for a in queries.list_areas(conn, parent=parent, with_geometry=True)
    )
    with derived.lock:
        derived.locators[parent] = areas
        while len(derived.locators) > LOCATOR_CACHE_SIZE:
            derived.locators.popitem(last=False)
    return areas


def _locator(conn: Connection, snap: Snapshot, area: Area, title: str) -> Markup:
    if not area.parent:
        return Markup("")
    siblings = _siblings(conn, snap, area.parent)
    if not any(a.geometry for a in siblings):
        return Markup("")
    try:
        svg = locator_svg(
            siblings,
            highlight=area.code,
            title=title,
            cache_key=f"locator:{_derive(snap).token}:{area.parent}",
        )
    except (MissingBoundariesError, UnknownAreaError):
        return Markup("")
    return Markup(svg)  # built from escaped parts by svgmap


# --- the index -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AreaLink:
    code: str
    name: str
    url: str
    level_label: str
    parent_name: str


@dataclass(frozen=True, kw_only=True)
class LevelGroup:
    level: str
    label: str
    count: int
    areas: tuple[AreaLink, ...]
    """All areas of the level, when there are at most FULL_LIST_LIMIT."""
    more_url: str
    """The paged list of a larger level; empty when ``areas`` has them all."""
    open: bool


@dataclass(frozen=True, kw_only=True)
class RootGroup:
    area: AreaLink
    levels: tuple[LevelGroup, ...]


@dataclass(frozen=True, kw_only=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True, kw_only=True)
class AreaIndexPage:
    """The content of ``/gebiet``."""

    query: str
    level: str
    under: str
    filtered: bool
    """Whether a list of results is shown (a filter, a level or a parent is set)."""
    total: int
    page: int
    pages: int
    results: tuple[AreaLink, ...]
    groups: tuple[RootGroup, ...]
    previous_url: str
    next_url: str
    level_options: tuple[Option, ...]
    under_options: tuple[Option, ...]
    area_count: int


def _link(snap: Snapshot, area: Area, lang: Language, t: Translator) -> AreaLink:
    level = snap.level_by_code.get(area.level)
    parent = snap.areas.get(area.parent) if area.parent else None
    return AreaLink(
        code=area.code,
        name=area.name,
        url=href(f"/gebiet/{area.code}", lang),
        level_label=t(level.label) if level else area.level,
        parent_name=parent.name if parent else "",
    )


def _descendants(snap: Snapshot, code: str) -> set[str]:
    found: set[str] = set()
    todo = list(snap.children.get(code, ()))
    while todo:
        child = todo.pop()
        if child not in found:
            found.add(child)
            todo.extend(snap.children.get(child, ()))
    return found


def matches(snap: Snapshot, query: str) -> list[Area]:
    """Areas whose name or code contains ``query``, tolerant of umlauts and case
    (``Muenchen``, ``Munchen`` and ``münchen`` all find München)."""
    text = query.strip()
    if not text:
        return list(snap.areas.values())
    code_part = text.casefold()
    transliterated, plain = _fold(text)
    return [
        snap.areas[code]
        for code, folded_code, name_tr, name_plain in _derive(snap).folded
        if code_part in folded_code or transliterated in name_tr or plain in name_plain
    ]


def area_index(
    snap: Snapshot,
    lang: Language,
    *,
    query: str = "",
    level: str = "",
    under: str = "",
    page: int = 1,
) -> AreaIndexPage:
    """The index of all areas, or the areas a filter finds, page by page.

    Raises
    ------
    UnknownLevelError, UnknownAreaError
        For a level or parent area (``unter``) that does not exist.
    """
    t = Translator(lang=lang)
    if level and level not in snap.level_by_code:
        raise UnknownLevelError(f"There is no area level '{level}'.")
    if under:
        snap.area(under)
    roots = sorted(
        (a for a in snap.areas.values() if not a.parent),
        key=lambda a: german_key(a.name),
    )
    filtered = bool(query.strip() or level or under)
    results: list[Area] = []
    groups: list[RootGroup] = []
    if filtered:
        found = matches(snap, query)
        if level:
            found = [a for a in found if a.level == level]
        if under:
            below = _descendants(snap, under)
            found = [a for a in found if a.code in below]
        rank = {code: lvl.rank for code, lvl in snap.level_by_code.items()}
        results = sorted(
            found, key=lambda a: (rank.get(a.level, 0), german_key(a.name), a.code)
        )
    else:
        for root in roots:
            levels = []
            for lvl in snap.levels:
                members = snap.areas_in(root.code, lvl.code)
                if not members:
                    continue
                complete = len(members) <= FULL_LIST_LIMIT
                levels.append(
                    LevelGroup(
                        level=lvl.code,
                        label=t(lvl.label),
                        count=len(members),
                        areas=tuple(_link(snap, a, lang, t) for a in members)
                        if complete
                        else (),
                        more_url=""
                        if complete
                        else href("/gebiet", lang, ebene=lvl.code, unter=root.code),
                        open=len(members) <= OPEN_LIST_LIMIT,
                    )
                )
            groups.append(
                RootGroup(area=_link(snap, root, lang, t), levels=tuple(levels))
            )
    total = len(results)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    shown_results = results[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    def page_url(number: int) -> str:
        return href(
            "/gebiet",
            lang,
            q=query.strip(),
            ebene=level,
            unter=under,
            seite=number if number > 1 else None,
        )

    under_codes = [r.code for r in roots]
    if under and under not in under_codes:
        under_codes.append(under)
    return AreaIndexPage(
        query=query.strip(),
        level=level,
        under=under,
        filtered=filtered,
        total=total,
        page=page,
        pages=pages,
        results=tuple(_link(snap, a, lang, t) for a in shown_results),
        groups=tuple(groups),
        previous_url=page_url(page - 1) if filtered and page > 1 else "",
        next_url=page_url(page + 1) if filtered and page < pages else "",
        level_options=tuple(
            Option(value=lvl.code, label=t(lvl.label), selected=lvl.code == level)
            for lvl in snap.levels
            if lvl.code in _derive(snap).levels_present
        ),
        under_options=tuple(
            Option(value=c, label=snap.areas[c].name, selected=c == under)
            for c in under_codes
        ),
        area_count=len(snap.areas),
    )


# --- routes ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NotFoundPage:
    """The content of the page for an area, level or indicator that does not
    exist."""

    code: str
    """The area code asked for, if any."""
    detail: str


def not_found(
    request: Request, snap: Snapshot, error: SozialmonitorError
) -> HTMLResponse:
    """The German (or English) page for an area or level that does not exist."""
    lang = request_language(request)
    t = Translator(lang=lang)
    frame = frame_for(
        request, snap, title=t("Nicht gefunden"), crumbs=((t("Gebiete"), "/gebiet"),)
    )
    response = render(
        request,
        "_area_not_found.html",
        frame=frame,
        page=NotFoundPage(
            code=request.path_params.get("code", ""), detail=error.message
        ),
    )
    response.status_code = 404
    return response


@router.get("/gebiet", response_class=HTMLResponse, include_in_schema=False)
def area_index_html(
    request: Request,
    q: str = "",
    ebene: str = "",
    unter: str = "",
    seite: int = Query(1, ge=1),
) -> HTMLResponse:
    snap = current_snapshot(request)
    lang = request_language(request)
    t = Translator(lang=lang)
    try:
        page = area_index(snap, lang, query=q, level=ebene, under=unter, page=seite)
    except (UnknownAreaError, UnknownLevelError) as error:
        return not_found(request, snap, error)
    frame = frame_for(request, snap, title=t("Gebiete"))
    return render(request, "area_index.html", frame=frame, page=page)


@router.get("/api/v1/pages/gebiet", tags=["pages"])
def area_index_json(
    request: Request,
    q: str = "",
    ebene: str = "",
    unter: str = "",
    seite: int = Query(1, ge=1),
) -> JSONResponse:
    """The area index (or the areas a filter finds) as JSON."""
    snap = current_snapshot(request)
    page = area_index(
        snap, request_language(request), query=q, level=ebene, under=unter, page=seite
    )
    return JSONResponse(to_json(page))


def _profile(request: Request, code: str) -> tuple[Snapshot, AreaProfile]:
    snap = current_snapshot(request)
    with request.app.state.engine.connect() as conn:
        return snap, area_profile(conn, snap, request_language(request), code)


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
    """The profile of one area as JSON (the numbers the page shows).

    Returned as a ready response: FastAPI's own encoding of a large page would
    cost as much again as building it.
    """
    return JSONResponse(to_json(_profile(request, code)[1]))
