"""The values of an area for the area pages: read through the gate, computed where
needed, cached per data version.

The profile (:mod:`sozialmonitor.web.pages.area`) and the comparison
(:mod:`sozialmonitor.web.pages.compare`) read all values of an area
(``ObservationQuery(areas=[code])``, on the area index), and for the parent and the
region only the latest period of each indicator. Values the read gate has to compute
from child areas are the expensive part at Germany size (the country from 11,000
municipalities), so they are read only for the indicators that can be aggregated and
cached per data version (in the snapshot's cache, :data:`VALUE_CACHE_SIZE`); an area
with many areas below it gets only the computed values of some periods
(:func:`area_values`).

What the area pages derive from a snapshot (:func:`derive`), such as the index
filter's folded names, is made once per data version.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import step_back
from sozialmonitor.lru import Lru
from sozialmonitor.store import queries
from sozialmonitor.web.snapshot import Scope, Snapshot
from sozialmonitor.web.values import Key, top_values

COMPUTE_BUDGET = 8_000
"""Child values (areas below × indicators × periods) a cold profile may aggregate
for an area's own computed series (the read gate needs about 25 µs each); above it
only the periods of the changes, or only the latest period, are computed (and
cached)."""
VALUE_CACHE_SIZE = 200_000
"""Cached benchmark and computed values (one entry per indicator, area, period)."""


@dataclass(frozen=True, kw_only=True)
class DerivedData:
    """What the area pages derive from one snapshot (one database at one data
    version)."""

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


def fold(text: str) -> tuple[str, str]:
    """Two umlaut-tolerant forms: ``München`` → ``muenchen`` and ``munchen``.

    Examples
    --------
    >>> fold("München")
    ('muenchen', 'munchen')
    """
    low = text.casefold()
    transliterated = low.translate(_TRANSLITERATE)
    return transliterated, german_key(text)


_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def derive(snap: Snapshot) -> DerivedData:
    """The derived data of a snapshot, made once (:meth:`Snapshot.remember`)."""
    return snap.remember("area-derived", lambda: _derive(snap))


def _values(snap: Snapshot) -> Lru:
    """The snapshot's cache of values read through the gate: key → observation,
    ``None`` recording that a key has no value."""
    return snap.lru("area-values", VALUE_CACHE_SIZE)


def _derive(snap: Snapshot) -> DerivedData:
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
        (area.code, area.code.casefold(), *fold(area.name))
        for area in snap.areas.values()
    )
    return DerivedData(
        scope=scope,
        parts=parts,
        descendants=descendants,
        folded=folded,
        levels_present=frozenset(a.level for a in snap.areas.values()),
    )


def _read(
    conn: Connection, snap: Snapshot, keys: set[Key], *, computed: bool
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
        for obs in queries.read_observations(conn, query, audience=snap.audience)
        if obs.key in keys
    }


def _computable(
    snap: Snapshot, derived: DerivedData, indicator: Indicator, code: str
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
    derived = derive(snap)
    wanted = {k for k in keys if k[0] in snap.indicator_by_id and k[1] in snap.areas}
    # Top-level areas: from the values kept for them all.
    top, root_of = top_values(conn, snap), snap.root_of
    at_top = {k for k in wanted if root_of[k[1]] == k[1]}
    found: dict[Key, Observation] = {
        k: obs for k in at_top if (obs := top.get(k[:2], {}).get(k[2])) is not None
    }
    held, missing = _values(snap).lookup(wanted - at_top)
    found.update((k, o) for k, o in held.items() if o is not None)
    if not missing:
        return found
    got = _read(conn, snap, missing, computed=False)
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
        got.update(_read(conn, snap, group, computed=True))
    _values(snap).store({k: got.get(k) for k in missing})
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
    derived = derive(snap)
    stored = queries.read_observations(
        conn,
        queries.ObservationQuery(areas=[area.code], computed=False),
        audience=snap.audience,
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
    if _values(snap).lookup(wanted)[1] and size * len(wanted) > COMPUTE_BUDGET:
        mode, wanted = "changes", keys(_change_periods)
        if size * len(wanted) > COMPUTE_BUDGET:
            mode, wanted = "latest", keys(lambda periods: periods[-1:])
    for key, obs in cached_values(conn, snap, wanted).items():
        by_indicator[key[0]][key[2]] = obs
    return AreaValues(by_indicator=dict(by_indicator), computed_periods=mode)


def warm_benchmarks(conn: Connection, snap: Snapshot) -> None:
    """Read the values a profile compares with — each indicator's latest period in
    every area between the top areas and the smallest ones (a municipality's Kreis
    and Land) — for all such areas at once, one read a level, into the cache of
    :func:`cached_values`. At Germany size a Kreis's values are computed from its
    municipalities: ~20 ms a Kreis on a profile's first request, some seconds for
    all 400 here, in ``warm_data``, once per data version."""
    derived = derive(snap)
    # The latest period of each level's series: a profile compares its own latest
    # period, which its parent may not have (then its key is kept as "none").
    latest: set[tuple[str, str, str]] = {
        (indicator_id, root, periods[-1])
        for (indicator_id, root), scope in derived.scope.items()
        for periods in scope.periods_by_level.values()
        if periods
    }
    levels = {
        area.level
        for code, area in snap.areas.items()
        if snap.children.get(code) and snap.root_of.get(code) != code
    }
    cache = _values(snap)
    periods = sorted({period for _, _, period in latest})
    for level in sorted(levels):
        wanted = {
            (indicator_id, area.code, period)
            for area in snap.areas.values()
            if area.level == level and snap.children.get(area.code)
            for indicator_id, root, period in latest
            if snap.root_of.get(area.code) == root
        }
        if len(wanted) > VALUE_CACHE_SIZE // 2:
            continue  # more than the cache keeps: left to the requests
        query = queries.ObservationQuery(level=level, periods=periods)
        found = {
            obs.key: obs
            for obs in queries.read_observations(conn, query, audience=snap.audience)
            if obs.key in wanted
        }
        cache.store({key: found.get(key) for key in wanted})
