"""What the indicator page reads, through the public read gate, and what it caches.

A view reads only what it shows: one level and one period for map and table, two
periods for the change view, the series of at most eight areas for the chart.
Two things are kept between requests in the snapshot's caches (so an import or a
publication replaces them): the boundaries of a level under a top-level area, and
the values of the top-level area itself, which for a ratio or a count the gate
computes from all the areas below (at Germany size from 11,000 municipalities, for
every request that shows the national figure otherwise).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period, period_order
from sozialmonitor.store import queries
from sozialmonitor.web import formatting, svgmap
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.positions import Positions
from sozialmonitor.web.snapshot import Snapshot
from sozialmonitor.web.values import shown_value, suppressed, top_values

FloatArray = npt.NDArray[np.float64]
BOUNDARY_CACHE = 16
"""Levels whose boundaries are kept (least recently used are dropped)."""
LEVEL_CACHE = 64
"""Periods of a level kept (indicator × top-level area × level × period): arrays of
~0.7 MB each at Germany size (11,000 municipalities), so 30 change views (60
periods) are kept whole."""
SVG_CACHE = 24
"""Drawn maps kept, per view and language (~460 KB each at Germany size)."""
CLASSES_CACHE = 256
"""Map classifications kept (natural breaks of 1,000 values take ~60 ms)."""
OPTIONS_CACHE = BOUNDARY_CACHE
"""Prepared ``<option>`` lists of the areas of a level kept (11,000 at Germany
size)."""
FLAG_SIGNS: tuple[tuple[int, str], ...] = (
    (int(Flag.PROVISIONAL), "p"),
    (int(Flag.REVISED), "r"),
    (int(Flag.ESTIMATED), "s"),
    (int(Flag.BREAK), "|"),
    (int(Flag.CONFIDENTIAL), "v"),
    (int(Flag.RECOMPUTED), "u"),
)
"""Signs written after a value (Destatis "Zeichenerklärung"; | = series break;
v = confidential: shown to the administration only, hidden from the public;
u = recomputed on today's areas from the predecessors)."""


def boundaries(
    conn: Connection, snap: Snapshot, root: str, level: str
) -> dict[str, str | None]:
    """Area code → GeoJSON boundary of the level's areas under a top-level area."""

    def load() -> dict[str, str | None]:
        return {
            a.code: a.geometry
            for a in queries.list_areas(conn, level=level, with_geometry=True)
            if snap.root_of.get(a.code) == root
        }

    cache = snap.lru("indicator-boundaries", BOUNDARY_CACHE)
    return cache.get_or_make((root, level), load)


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, kw_only=True)
class LevelPeriod:
    """One indicator's values in one period for the areas of a level under a top
    area, by position in the snapshot's order of those areas (German name order).

    Columns rather than an object per area, for what runs over the whole level
    (ranking, classes, changes: array operations over 11,000 municipalities at
    Germany size) and for what is kept: cached periods hold arrays, not 11,000
    objects each for the garbage collector to walk. ``observation`` makes the
    value of a row a page shows.
    """

    areas: Sequence[Area]
    shown: FloatArray
    """The value a page may show; NaN where there is none (missing or secret)."""
    flags: IntArray
    """Each value's flags; 0 without a value."""
    has_parts: bool
    """Whether any value has a numerator or denominator a page may show."""
    notes: tuple[tuple[Area, str], ...]
    """The notes of stored values, in name order (computed values explain themselves
    by their flag)."""
    observation: Callable[[int], Observation | None]
    """The value at a position as read; None without one."""


@dataclass(frozen=True, kw_only=True)
class _StoredColumns:
    """Stored values of one period by position, as arrays (NaN = none)."""

    indicator: str
    period: str
    areas: Sequence[Area]
    present: npt.NDArray[np.bool_]
    values: FloatArray
    numerators: FloatArray
    denominators: FloatArray
    flags: IntArray
    releases: IntArray
    release_names: dict[int, str]
    notes: dict[int, str]

    def __call__(self, position: int) -> Observation | None:
        if not self.present[position]:
            return None
        return Observation(
            indicator=self.indicator,
            area=self.areas[position].code,
            period=self.period,
            value=known(self.values[position]),
            numerator=known(self.numerators[position]),
            denominator=known(self.denominators[position]),
            flags=int(self.flags[position]),
            note=self.notes.get(position),
            release=self.release_names[int(self.releases[position])],
        )


@dataclass(frozen=True, kw_only=True)
class _Kept:
    """Observations read (computed values among them), by position."""

    record_at: IntArray
    records: Sequence[Observation]

    def __call__(self, position: int) -> Observation | None:
        at = int(self.record_at[position])
        return None if at < 0 else self.records[at]


def known(value: np.float64) -> float | None:
    """An array's value as a page uses it: None for NaN (no value)."""
    return None if np.isnan(value) else float(value)


@dataclass(frozen=True, kw_only=True)
class _LevelRead:
    """What was read for a level, as columns: one entry per value read."""

    indicator: str
    positions: IntArray
    """Each value's position among the level's areas; -1 under another top area."""
    periods: npt.NDArray[np.object_]
    values: FloatArray
    numerators: FloatArray
    denominators: FloatArray
    flags: IntArray
    notes: Sequence[str | None]
    releases: IntArray
    """Stored values: each one's release id."""
    release_names: dict[int, str]
    kept: Sequence[Observation] | None = None
    """Read as observations (with computed values): those, kept as they are."""

    @classmethod
    def of_rows(
        cls, indicator: str, read: queries.StoredRows, codes: Positions
    ) -> _LevelRead:
        """Rows of :func:`queries.read_stored_rows`, transposed at C speed."""
        rows = read.rows
        columns = list(zip(*rows, strict=True)) if rows else [()] * 9
        return cls(
            indicator=indicator,
            positions=codes.of(columns[1]),
            periods=np.array(columns[2], dtype=object),
            values=np.array(columns[4], dtype=float),
            numerators=np.array(columns[5], dtype=float),
            denominators=np.array(columns[6], dtype=float),
            flags=np.array(columns[7], dtype=np.int64),
            notes=columns[8],
            releases=np.array(columns[3], dtype=np.int64),
            release_names=read.releases,
        )

    @classmethod
    def of_observations(
        cls, indicator: str, found: list[Observation], codes: Positions
    ) -> _LevelRead:
        return cls(
            indicator=indicator,
            positions=codes.of([o.area for o in found]),
            periods=np.array([o.period for o in found], dtype=object),
            values=np.array([o.value for o in found], dtype=float),
            numerators=np.array([o.numerator for o in found], dtype=float),
            denominators=np.array([o.denominator for o in found], dtype=float),
            flags=np.array([o.flags for o in found], dtype=np.int64),
            notes=[o.note for o in found],
            releases=np.full(len(found), -1, np.int64),
            release_names={},
            kept=found,
        )

    def period(self, areas: Sequence[Area], period: str) -> LevelPeriod:
        """The level's columns in one period (None values are NaN here)."""
        chosen = np.flatnonzero((self.periods == period) & (self.positions >= 0))
        at = self.positions[chosen]
        n = len(areas)

        def spread(column: npt.NDArray[Any], empty: Any) -> npt.NDArray[Any]:
            out = np.full(n, empty, dtype=column.dtype)
            out[at] = column[chosen]
            return out

        flags = spread(self.flags, 0)
        values = spread(self.values, np.nan)
        numerators = spread(self.numerators, np.nan)
        denominators = spread(self.denominators, np.nan)
        visible = (flags & SUPPRESSED) == 0
        notes = {
            int(at[i]): note
            for i, j in enumerate(chosen.tolist())
            if (note := self.notes[j])
        }
        observation: Callable[[int], Observation | None]
        if self.kept is None:
            present = np.zeros(n, dtype=bool)
            present[at] = True
            observation = _StoredColumns(
                indicator=self.indicator,
                period=period,
                areas=areas,
                present=present,
                values=values,
                numerators=numerators,
                denominators=denominators,
                flags=flags,
                releases=spread(self.releases, -1),
                release_names=self.release_names,
                notes=notes,
            )
        else:
            record_at = np.full(n, -1, np.int64)
            record_at[at] = chosen
            observation = _Kept(record_at=record_at, records=self.kept)
        return LevelPeriod(
            areas=areas,
            shown=np.where(visible, values, np.nan),
            flags=flags,
            has_parts=bool(
                (visible & ~(np.isnan(numerators) & np.isnan(denominators))).any()
            ),
            notes=tuple(
                (areas[i], note)
                for i, note in sorted(notes.items())
                if not flags[i] & COMPUTED
            ),
            observation=observation,
        )


def map_areas(
    conn: Connection, snap: Snapshot, root: str, level: str, day: dt.date | None
) -> list[svgmap.MapArea]:
    """The level's areas under a top-level area valid on ``day`` as a map draws
    them without values (code, name, boundary), in the snapshot's order, kept with
    the boundaries."""

    def make() -> list[svgmap.MapArea]:
        geometries = boundaries(conn, snap, root, level)
        return [
            svgmap.MapArea(
                code=a.code,
                name=a.name,
                geometry=geometries.get(a.code),
                label=a.name,
                class_index=None,
            )
            for a in snap.areas_on(root, level, day)
        ]

    cache = snap.lru("indicator-map-areas", BOUNDARY_CACHE)
    vintage = None if day is None else snap.vintage(root, level, day)
    return cache.get_or_make((root, level, vintage), make)


def period_end(period: str) -> dt.date:
    """The day whose areas a period's values belong to (its Stichtag, the end)."""
    return parse_period(period).end


def level_values(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    root: str,
    level: str,
    periods: Iterable[str],
    *,
    on: dt.date | None = None,
) -> dict[str, LevelPeriod]:
    """Period → the values of the level's areas under a top-level area: of the
    areas valid at the end of each period, or valid ``on`` a day given (the change
    view lists the areas of its later period for both).

    Kept per data version, period and set of areas, so that map, table and change
    view of one period share one read (11,000 values at Germany size take ~25 ms
    to read).
    """
    cache = snap.lru("indicator-level-values", LEVEL_CACHE)
    base = (indicator.id, root, level)

    def vintage(period: str) -> dt.date | None:
        return snap.vintage(root, level, on or period_end(period))

    keys = {(*base, p, vintage(p)): p for p in sorted(set(periods))}
    held, absent = cache.lookup(keys)
    found: dict[str, LevelPeriod] = {keys[key]: v for key, v in held.items()}
    missing: dict[dt.date | None, list[str]] = defaultdict(list)
    for key in absent:
        missing[key[-1]].append(keys[key])
    for day, wanted in missing.items():
        fresh = _read_level(conn, snap, indicator, root, level, sorted(wanted), day)
        cache.store({(*base, period, day): values for period, values in fresh.items()})
        found.update(fresh)
    return found


def _read_level(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    root: str,
    level: str,
    periods: list[str],
    day: dt.date | None,
) -> dict[str, LevelPeriod]:
    areas = snap.areas_on(root, level, day)
    codes = snap.remember(
        ("level-codes", root, level, day), lambda: Positions(a.code for a in areas)
    )
    # Values computed from child areas only where the level's areas have any
    # (not for municipalities without districts: that check costs 10 ms).
    parents = snap.remember(
        ("level-has-children", root, level, day),
        lambda: any(snap.children.get(a.code) for a in areas),
    )
    query = queries.ObservationQuery(
        indicators=[indicator.id], level=level, periods=periods, computed=parents
    )
    if parents:
        found = queries.read_observations(conn, query, audience=snap.audience)
        read = _LevelRead.of_observations(indicator.id, found, codes)
    else:
        # A level without children (municipalities at Germany size): its stored
        # values as rows, an Observation only for a row a page shows.
        rows = queries.read_stored_rows(conn, query, audience=snap.audience)
        read = _LevelRead.of_rows(indicator.id, rows, codes)
    return {p: read.period(areas, p) for p in periods}


def root_values(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    root: str,
    periods: Iterable[str],
) -> dict[str, Observation]:
    """Period → value of a top-level area, for these periods."""
    series = top_values(conn, snap).get((indicator.id, root), {})
    return {p: series[p] for p in sorted(set(periods)) if p in series}


def area_series(
    conn: Connection, snap: Snapshot, indicator: Indicator, areas: Iterable[str]
) -> dict[tuple[str, str], Observation]:
    """(area, period) → value, every period, for a few areas."""
    codes = sorted(set(areas))
    if not codes:
        return {}
    query = queries.ObservationQuery(indicators=[indicator.id], areas=codes)
    return {
        (o.area, o.period): o
        for o in queries.read_observations(conn, query, audience=snap.audience)
    }


def ordered_periods(periods: Iterable[str]) -> list[str]:
    """Periods oldest first."""
    return sorted(set(periods), key=period_order)


# --- how values are written -------------------------------------------------------


SUPPRESSED = int(Flag.SUPPRESSED)
COMPUTED = int(Flag.COMPUTED)
BREAK = int(Flag.BREAK)
_SIGNED = sum(bit for bit, _ in FLAG_SIGNS)


def flag_signs(obs: Observation | None) -> str:
    """``p``, ``r``, ``s`` and ``|`` of a value, in that order."""
    if obs is None or not obs.flags & _SIGNED:
        return ""
    return "".join(sign for bit, sign in FLAG_SIGNS if obs.flags & bit)


def value_text(obs: Observation | None, indicator: Indicator, lang: Language) -> str:
    """``12,5 %``, ``12,5 % p`` (provisional), ``.`` (secret) or ``–`` (none)."""
    if suppressed(obs):
        return formatting.SUPPRESSED_SIGN
    value = shown_value(obs)
    if value is None or value != value:
        return formatting.NO_VALUE_SIGN
    text = formatting.with_unit(value, indicator, lang)
    signs = flag_signs(obs)
    return f"{text} {signs}" if signs else text


def count_text(value: float | None, lang: Language) -> str:
    """A numerator or denominator: whole numbers without decimals."""
    if value is None:
        return formatting.NO_VALUE_SIGN
    decimals = 0 if float(value).is_integer() else 1
    return formatting.number(value, decimals, lang)


def parts(obs: Observation | None) -> tuple[float | None, float | None]:
    """Numerator and denominator a page may show (none of a secret value)."""
    if obs is None or suppressed(obs):
        return None, None
    return obs.numerator, obs.denominator


def uses_relative_change(indicator: Indicator) -> bool:
    """Counts change in percent; shares, rates, means and indices absolutely."""
    return indicator.kind is IndicatorKind.COUNT


def change_unit(indicator: Indicator, lang: Language) -> str:
    """The unit of a change: ``Prozentpunkte`` for shares in %, ``%`` for counts."""
    if uses_relative_change(indicator):
        return "%"
    if formatting.in_percentage_points(indicator):
        return formatting.PERCENTAGE_POINTS[lang]
    return formatting.unit(indicator, lang)
