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

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.store import queries
from sozialmonitor.web import formatting, svgmap
from sozialmonitor.web.i18n import Language
from sozialmonitor.web.snapshot import AUDIENCE, Snapshot
from sozialmonitor.web.values import shown_value, suppressed, top_values

FloatArray = npt.NDArray[np.float64]
BOUNDARY_CACHE = 16
"""Levels whose boundaries are kept (least recently used are dropped)."""
LEVEL_CACHE = 32
"""Periods of a level kept (indicator × top-level area × level × period)."""
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
)
"""Signs written after a value (Destatis "Zeichenerklärung"; | = series break)."""


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


@dataclass(frozen=True, kw_only=True)
class LevelPeriod:
    """One indicator's values in one period for the areas of a level under a top
    area, by position in the snapshot's order of those areas (German name order).

    Columns rather than an object per area for what runs over the whole level
    (ranking, classes, changes: array operations over 11,000 municipalities at
    Germany size); :meth:`observation` makes the value of a row a page shows.
    """

    areas: Sequence[Area]
    shown: FloatArray
    """The value a page may show; NaN where there is none (missing or secret)."""
    flags: npt.NDArray[np.int64]
    """Each value's flags; 0 without a value."""
    has_parts: bool
    """Whether any value has a numerator or denominator a page may show."""
    notes: tuple[tuple[Area, str], ...]
    """The notes of stored values, in name order (computed values explain themselves
    by their flag)."""
    cells: Sequence[Any]
    """What was read for each position (None: no value), made an ``Observation`` by
    ``make``."""
    make: Callable[[Any], Observation]

    def observation(self, position: int) -> Observation | None:
        cell = self.cells[position]
        return None if cell is None else self.make(cell)


def _level_period(
    areas: Sequence[Area],
    cells: list[Any],
    make: Callable[[Any], Observation],
    fields: Callable[[Any], tuple[float | None, float | None, float | None, int, Any]],
) -> LevelPeriod:
    """The columns of one period: ``fields`` gives a cell's value, numerator,
    denominator, flags and note."""
    shown: list[float | None] = [None] * len(cells)
    flags = [0] * len(cells)
    has_parts = False
    notes = []
    for at, cell in enumerate(cells):
        if cell is None:
            continue
        value, numerator, denominator, bits, note = fields(cell)
        flags[at] = bits
        if not bits & SUPPRESSED:
            shown[at] = value
            has_parts = has_parts or numerator is not None or denominator is not None
        if note and not bits & COMPUTED:
            notes.append((areas[at], note))
    return LevelPeriod(
        areas=areas,
        shown=np.array(shown, dtype=float),
        flags=np.array(flags, dtype=np.int64),
        has_parts=has_parts,
        notes=tuple(notes),
        cells=cells,
        make=make,
    )


def _row_fields(row: Any) -> tuple[float | None, float | None, float | None, int, Any]:
    return row[4], row[5], row[6], row[7], row[8]


def _observation_fields(
    obs: Observation,
) -> tuple[float | None, float | None, float | None, int, Any]:
    return obs.value, obs.numerator, obs.denominator, obs.flags, obs.note


def _itself(obs: Observation) -> Observation:
    return obs


def map_areas(
    conn: Connection, snap: Snapshot, root: str, level: str
) -> list[svgmap.MapArea]:
    """The level's areas under a top-level area as a map draws them without values
    (code, name, boundary), in the snapshot's order, kept with the boundaries."""

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
            for a in snap.areas_in(root, level)
        ]

    cache = snap.lru("indicator-map-areas", BOUNDARY_CACHE)
    return cache.get_or_make((root, level), make)


def level_values(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    root: str,
    level: str,
    periods: Iterable[str],
) -> dict[str, LevelPeriod]:
    """Period → the values of the level's areas under a top-level area.

    Kept per data version and period, so that map, table and change view of one
    period share one read (11,000 values at Germany size take ~25 ms to read).
    """
    cache = snap.lru("indicator-level-values", LEVEL_CACHE)
    base = (indicator.id, root, level)
    held, absent = cache.lookup((*base, p) for p in sorted(set(periods)))
    found: dict[str, LevelPeriod] = {key[-1]: v for key, v in held.items()}
    missing = sorted(key[-1] for key in absent)
    if missing:
        fresh = _read_level(conn, snap, indicator, root, level, missing)
        cache.store({(*base, period): values for period, values in fresh.items()})
        found.update(fresh)
    return found


def _read_level(
    conn: Connection,
    snap: Snapshot,
    indicator: Indicator,
    root: str,
    level: str,
    periods: list[str],
) -> dict[str, LevelPeriod]:
    areas = snap.areas_in(root, level)
    position = snap.remember(
        ("level-positions", root, level),
        lambda: {a.code: i for i, a in enumerate(areas)},
    )
    # Values computed from child areas only where the level's areas have any
    # (not for municipalities without districts: that check costs 10 ms).
    parents = snap.remember(
        ("level-has-children", root, level),
        lambda: any(snap.children.get(a.code) for a in areas),
    )
    query = queries.ObservationQuery(
        indicators=[indicator.id], level=level, periods=periods, computed=parents
    )
    cells: dict[str, list[Any]] = {p: [None] * len(areas) for p in periods}
    if parents:
        for obs in queries.read_observations(conn, query, audience=AUDIENCE):
            at = position.get(obs.area)  # None: under another top-level area
            if at is not None:
                cells[obs.period][at] = obs
        return {
            p: _level_period(areas, c, _itself, _observation_fields)
            for p, c in cells.items()
        }
    # A level without children (municipalities at Germany size): its stored values
    # as rows, an Observation only for a row a page shows.
    read = queries.read_stored_rows(conn, query, audience=AUDIENCE)
    for row in read.rows:
        at = position.get(row[1])
        if at is not None:
            cells[row[2]][at] = row
    return {
        p: _level_period(areas, c, read.observation, _row_fields)
        for p, c in cells.items()
    }


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
    conn: Connection, indicator: Indicator, areas: Iterable[str]
) -> dict[tuple[str, str], Observation]:
    """(area, period) → value, every period, for a few areas."""
    codes = sorted(set(areas))
    if not codes:
        return {}
    query = queries.ObservationQuery(indicators=[indicator.id], areas=codes)
    return {
        (o.area, o.period): o
        for o in queries.read_observations(conn, query, audience=AUDIENCE)
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
    text = formatting.number(value, indicator.decimals, lang)
    if indicator.unit:
        text = f"{text}{formatting.NARROW_NBSP}{indicator.unit}"
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
    if indicator.kind is IndicatorKind.SHARE and indicator.unit.strip() == "%":
        return "Prozentpunkte" if lang == "de" else "percentage points"
    return indicator.unit
