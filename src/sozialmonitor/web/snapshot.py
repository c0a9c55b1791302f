"""What every page needs to know about the catalogue, read once per data version.

Indicators, levels, areas (without boundaries), releases and the coverage of each
indicator change only when someone imports or publishes. Pages ask ``snapshot(engine)``,
which costs one small fingerprint query while nothing changed.

Everything a page keeps between requests hangs on the snapshot: single results in
:meth:`Snapshot.remember`, many-entry caches in :meth:`Snapshot.lru`. A new data
version makes a new snapshot and so drops all of it at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import weakref
from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.period import period_order
from sozialmonitor.domain.release import Release
from sozialmonitor.domain.search import IndicatorSearch
from sozialmonitor.errors import UnknownAreaError, UnknownIndicatorError
from sozialmonitor.lru import Lru
from sozialmonitor.store import queries
from sozialmonitor.store.coverage import Coverage, read_coverage
from sozialmonitor.store.data_version import data_version
from sozialmonitor.web.urls import slug

T = TypeVar("T")
_tokens = itertools.count(1)


@dataclass(frozen=True, kw_only=True)
class Topic:
    """A Themenfeld and its indicators."""

    name: str
    slug: str
    indicators: tuple[Indicator, ...]
    name_en: str = ""
    """The English name (the first ``topic_en`` of its indicators; empty: none)."""


@dataclass(frozen=True, kw_only=True)
class Scope:
    """Where an indicator has values below one top-level area."""

    root: Area
    periods_by_level: dict[str, tuple[str, ...]]
    """Level code → periods with values (stored, or computed from the children),
    from the largest level to the smallest; periods oldest first
    (:func:`period_order`)."""

    @property
    def levels(self) -> list[str]:
        return list(self.periods_by_level)

    @property
    def latest(self) -> str | None:
        """The newest period of the top area's level (or the largest level)."""
        first = next(iter(self.periods_by_level.values()), ())
        return first[-1] if first else None


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """The catalogue as one audience sees it at one data version."""

    version: tuple[int, ...]
    audience: Audience
    """Whom the snapshot serves: its values and caches are this audience's."""
    release: Release | None
    """The newest published release (Datenstand)."""
    releases: tuple[Release, ...]
    indicators: tuple[Indicator, ...]
    levels: tuple[AreaLevel, ...]
    areas: dict[str, Area]
    """Area code → area, without boundaries."""
    coverage: tuple[Coverage, ...]
    token: int = field(default_factory=lambda: next(_tokens), compare=False)
    """Unique per snapshot (two databases at one data version differ): names
    its boundaries in the drawing module's cache of prepared maps."""
    _remembered: dict[Hashable, Any] = field(
        default_factory=dict, repr=False, compare=False
    )
    _locks: dict[Hashable, threading.Lock] = field(
        default_factory=dict, repr=False, compare=False
    )
    _lrus: dict[str, Lru] = field(default_factory=dict, repr=False, compare=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, repr=False, compare=False
    )

    def serving(self, audience: Audience) -> Snapshot:
        """The same catalogue for another audience, with caches of its own."""
        return Snapshot(
            version=self.version,
            audience=audience,
            release=self.release,
            releases=self.releases,
            indicators=self.indicators,
            levels=self.levels,
            areas=self.areas,
            coverage=self.coverage,
        )

    def remember(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()`` once per snapshot (data version) and ``key``.

        For reads whose result changes only with the data, such as the top areas'
        series of a topic. Requests asking for the same key while it is computed
        wait for that result instead of computing it again.
        """
        if key in self._remembered:
            return self._remembered[key]  # type: ignore[no-any-return]
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._remembered:
                self._remembered[key] = compute()
        return self._remembered[key]  # type: ignore[no-any-return]

    def forget(self, key: Hashable, value: object) -> None:
        """Drop what :meth:`remember` keeps for ``key`` if it is still ``value``
        (e.g. a background job that failed, so that the next request starts it
        again)."""
        with self._lock:
            if self._remembered.get(key) is value:
                del self._remembered[key]

    def lru(self, name: str, size: int) -> Lru:
        """The snapshot's cache called ``name``, keeping at most ``size`` entries
        (made on first use).

        For reads with many possible keys, such as the values of one period or a
        drawn map; the keys need not name the database or the data version.
        """
        with self._lock:
            found = self._lrus.get(name)
            if found is None:
                found = self._lrus[name] = Lru(size)
        return found

    @cached_property
    def indicator_by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @cached_property
    def topics(self) -> tuple[Topic, ...]:
        grouped: dict[str, list[Indicator]] = defaultdict(list)
        for indicator in self.indicators:
            grouped[indicator.topic].append(indicator)
        return tuple(
            Topic(
                name=name,
                slug=slug(name),
                indicators=tuple(found),
                name_en=next((i.topic_en for i in found if i.topic_en), ""),
            )
            for name, found in sorted(grouped.items(), key=lambda t: german_key(t[0]))
        )

    @cached_property
    def search(self) -> IndicatorSearch:
        return IndicatorSearch(self.indicators)

    @cached_property
    def level_by_code(self) -> dict[str, AreaLevel]:
        return {lvl.code: lvl for lvl in self.levels}

    @cached_property
    def children(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for area in self.areas.values():
            if area.parent:
                found[area.parent].append(area.code)
        return dict(found)

    @cached_property
    def scopes(self) -> dict[str, tuple[Scope, ...]]:
        """Indicator id → where it has values: one scope per top-level area."""
        stored: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(
            lambda: defaultdict(set)
        )
        computed: dict[tuple[str, str], set[str]] = defaultdict(set)
        for item in self.coverage:
            if item.under not in self.areas:
                continue
            root = self.top_area(item.under).code
            stored[(item.indicator, root)][item.level].update(item.periods)
            indicator = self.indicator_by_id.get(item.indicator)
            if indicator is None:
                continue
            aggregates = indicator.kind is IndicatorKind.COUNT or (
                indicator.is_ratio and item.parts
            )
            if aggregates and self.areas[item.under].level != item.level:
                chain = [self.areas[item.under], *self.ancestors(item.under)]
                computed[(item.indicator, root)].update(a.level for a in chain)
        found: dict[str, list[Scope]] = defaultdict(list)
        for (indicator_id, root), by_level in stored.items():
            indicator = self.indicator_by_id.get(indicator_id)
            if indicator is None:
                continue
            lowest = max(by_level, key=lambda code: self.level_by_code[code].rank)
            periods = {code: tuple(self._ordered(p)) for code, p in by_level.items()}
            for code in computed[(indicator_id, root)] - set(by_level):
                periods[code] = periods[lowest]
            found[indicator_id].append(
                Scope(
                    root=self.areas[root],
                    periods_by_level={
                        lvl.code: periods[lvl.code]
                        for lvl in self.levels
                        if lvl.code in periods
                    },
                )
            )
        return {
            key: tuple(sorted(value, key=lambda s: german_key(s.root.name)))
            for key, value in found.items()
        }

    @staticmethod
    def _ordered(periods: set[str]) -> list[str]:
        return sorted(periods, key=period_order)

    def scopes_for(self, indicator: Indicator) -> tuple[Scope, ...]:
        return self.scopes.get(indicator.id, ())

    def indicator(self, indicator_id: str) -> Indicator:
        found = self.indicator_by_id.get(indicator_id)
        if found is None:
            raise UnknownIndicatorError(
                f"There is no indicator with the id '{indicator_id}'."
            )
        return found

    def area(self, code: str) -> Area:
        found = self.areas.get(code)
        if found is None:
            raise UnknownAreaError(f"There is no area with the code '{code}'.")
        return found

    def topic(self, topic_slug: str) -> Topic | None:
        return next((t for t in self.topics if t.slug == topic_slug), None)

    def ancestors(self, code: str) -> list[Area]:
        """The area's parent, grandparent … up to the top, nearest first."""
        found: list[Area] = []
        parent = self.areas[code].parent
        while parent and parent in self.areas and len(found) < 20:
            found.append(self.areas[parent])
            parent = self.areas[parent].parent
        return found

    def top_area(self, code: str) -> Area:
        """The topmost ancestor of an area (the region of a profile), or itself."""
        ancestors = self.ancestors(code)
        return ancestors[-1] if ancestors else self.areas[code]

    @cached_property
    def level_counts(self) -> dict[str, int]:
        """Level code → number of areas."""
        found: dict[str, int] = defaultdict(int)
        for area in self.areas.values():
            found[area.level] += 1
        return dict(found)

    @cached_property
    def root_of(self) -> dict[str, str]:
        """Area code → code of its top-level area."""
        return {code: self.top_area(code).code for code in self.areas}

    @cached_property
    def _areas_by_root_and_level(self) -> dict[tuple[str, str], list[Area]]:
        found: dict[tuple[str, str], list[Area]] = defaultdict(list)
        for area in self.areas.values():
            found[(self.root_of[area.code], area.level)].append(area)
        return {
            key: sorted(value, key=lambda a: german_key(a.name))
            for key, value in found.items()
        }

    def areas_in(self, root: str, level: str) -> list[Area]:
        """The areas of one level below a top-level area, in German name order."""
        return self._areas_by_root_and_level.get((root, level), [])

    def vintage(self, root: str, level: str, day: dt.date) -> dt.date | None:
        """What names the areas of a level valid on ``day`` in cache keys: the day
        where some of the level's areas have validity dates, None where none has
        (the same areas on every day: 11,000 municipalities at Germany size)."""
        dated = self.remember(
            ("level-dated", root, level),
            lambda: any(
                a.valid_from is not None or a.valid_to is not None
                for a in self.areas_in(root, level)
            ),
        )
        return day if dated else None

    def areas_on(self, root: str, level: str, day: dt.date | None) -> list[Area]:
        """The areas of one level below a top-level area valid on ``day``
        (:meth:`Area.valid_at`), in German name order; all of them for None.

        Worked out once per snapshot, top area, level and day; a level without
        validity dates gives :meth:`areas_in` itself."""
        areas = self.areas_in(root, level)
        vintage = None if day is None else self.vintage(root, level, day)
        if vintage is None:
            return areas
        return self.remember(
            ("areas-on", root, level, vintage),
            lambda: [a for a in areas if a.valid_at(vintage)],
        )


SCOPED_SNAPSHOTS = 64
"""Snapshots kept per database for scoped internal readers (one per area scope)."""
_lock = threading.Lock()
_cache: weakref.WeakKeyDictionary[Engine, dict[Audience, Snapshot]] = (
    weakref.WeakKeyDictionary()
)


def snapshot(engine: Engine, audience: Audience = Audience.PUBLIC) -> Snapshot:
    """The current snapshot of the engine's database for ``audience``; rebuilt
    after any change. Each audience has its own snapshot, and so its own caches:
    nothing one audience read is ever served to another. A scoped reader shares
    the administration's catalogue (its scope limits values, not which indicators
    exist), with caches of its own."""
    with engine.connect() as conn:
        version = data_version(conn)
        cached = _cache.get(engine, {}).get(audience)
        if cached is not None and cached.version == version:
            return cached
        with _lock:
            known = _cache.setdefault(engine, {})
            cached = known.get(audience)  # built while this thread waited?
            if cached is not None and cached.version == version:
                return cached
            catalogue = known.get(audience.catalogue)
            if catalogue is None or catalogue.version != version:
                catalogue = _read(conn, version, audience.catalogue)
                known[audience.catalogue] = catalogue
            fresh = catalogue
            if audience != audience.catalogue:
                fresh = catalogue.serving(audience)
                scoped = [a for a in known if a.scoped and a != audience]
                for old in scoped[: max(0, len(scoped) - SCOPED_SNAPSHOTS + 1)]:
                    del known[old]
            known[audience] = fresh
    return fresh


def _read(conn: Connection, version: tuple[int, ...], audience: Audience) -> Snapshot:
    return Snapshot(
        version=version,
        audience=audience,
        release=queries.latest_published(conn),
        releases=tuple(queries.list_releases(conn, audience=audience)),
        indicators=tuple(queries.list_indicators(conn, audience=audience)),
        levels=tuple(queries.list_levels(conn)),
        areas={a.code: a for a in queries.list_areas(conn)},
        coverage=tuple(read_coverage(conn, audience=audience)),
    )
