"""Moran's I and LISA clusters on the stored boundaries."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from sozialmonitor.analysis.service.shared import (
    area_dict,
    areas_of_period,
    finite,
    indicator_dict,
    latest_period,
    level_dict,
    level_named,
    period_code,
    read_values,
    release_as_of,
)
from sozialmonitor.analysis.spatial import (
    DEFAULT_SEED,
    Contiguity,
    Neighbours,
    SpatialAnalysis,
    analyse,
    contiguity_weights,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import InvalidQueryError, MissingBoundariesError
from sozialmonitor.lru import Lru
from sozialmonitor.store import queries
from sozialmonitor.store.data_version import data_version

CONTIGUITY_CACHE = 8
"""Contiguities kept per database (level × rule × data version; 10,988
municipalities: some 2 MB each, 2.5 s to build)."""
_contiguities: weakref.WeakKeyDictionary[Engine, Lru] = weakref.WeakKeyDictionary()
_building = threading.Lock()


@dataclass(frozen=True, kw_only=True)
class SpatialReport:
    """Moran's I and LISA clusters of one indicator on one level."""

    indicator: Indicator
    level: AreaLevel
    period: str | None
    rule: Contiguity
    release: Release | None
    areas: tuple[Area, ...]
    values: tuple[float | None, ...]
    neighbours: Neighbours
    """The areas' neighbours on the level (by boundary, whatever their values)."""
    analysis: SpatialAnalysis
    seed: int = DEFAULT_SEED

    def to_dict(self) -> dict[str, Any]:
        a, moran = self.analysis, self.analysis.moran
        return {
            "statistic": "spatial",
            "release": self.release.to_dict() if self.release else None,
            "indicator": indicator_dict(self.indicator),
            "level": level_dict(self.level),
            "period": self.period,
            "rule": self.rule.value,
            "n": a.n,
            "moran": None
            if moran is None
            else {
                "i": finite(moran.i),
                "expected": finite(moran.expected),
                "z": finite(moran.z),
                "p_normal": finite(moran.p_normal),
                "p_value": finite(moran.p_value),
                "permutations": moran.permutations,
                "seed": self.seed,
            },
            "areas": [
                {
                    **area_dict(area),
                    "value": finite(value),
                    "cluster": {
                        "code": local.cluster.value,
                        "label": local.cluster.label,
                    },
                    "local_i": finite(local.local_i),
                    "p_value": finite(local.p_value),
                    "neighbours": list(
                        self.neighbours.of(area.code)
                        if area.code in self.neighbours.position
                        else ()
                    ),
                }
                for area, value, local in zip(
                    self.areas, self.values, a.local, strict=True
                )
            ],
            "islands": list(a.islands),
            "left_out": list(a.left_out),
            "note": a.note,
        }


def spatial_level(
    conn: Connection,
    *,
    indicator: str,
    level: str,
    period: str | None = None,
    rule: str = "queen",
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> SpatialReport:
    """Global Moran's I and local clusters (seeded permutations) on a level's stored
    boundaries.

    Raises
    ------
    UnknownIndicatorError, UnknownLevelError
        For an unknown indicator or level.
    MissingBoundariesError
        When no area of the level has a stored boundary.
    InvalidQueryError
        For a rule other than ``queen`` or ``rook``.
    """
    try:
        contiguity = Contiguity(rule)
    except ValueError:
        raise InvalidQueryError(
            f"There is no neighbour rule '{rule}'. Use one of: "
            f"{', '.join(c.value for c in Contiguity)}."
        ) from None
    found = queries.get_indicator(conn, indicator, audience=audience)
    lvl = level_named(conn, level)
    wanted, values = _period_values(
        conn, found.id, level, period_code(period), as_of, audience
    )
    weights = level_contiguity(conn, level, contiguity)
    if weights is None:
        raise MissingBoundariesError(
            f"The areas of the level '{level}' ({lvl.label}) have no stored "
            "boundaries, so they have no neighbours. Import them with boundaries "
            "(sozialmonitor import areas FILE.geojson, or a GeoPackage or Shapefile)."
        )
    areas = areas_of_period(conn, level, wanted)
    by_area = {o.area: o.value for o in values if o.period == wanted}
    row = tuple(by_area.get(a.code) for a in areas)
    codes = [a.code for a in areas]
    result = analyse(codes, None, row, seed=DEFAULT_SEED, weights=weights)
    return SpatialReport(
        indicator=found,
        level=lvl,
        period=wanted,
        rule=contiguity,
        release=release_as_of(conn, as_of),
        areas=tuple(areas),
        values=row,
        neighbours=weights.among([c for c in codes if c in weights.position]),
        analysis=result,
    )


def level_contiguity(
    conn: Connection, level: str, rule: Contiguity
) -> Neighbours | None:
    """The contiguity of every area of ``level`` with a stored boundary (of every
    boundary vintage), None when none has one.

    Built once per database, level, rule and data version (an import of areas
    makes a new data version) and kept in a small cache, so that every indicator
    and period of the level shares it: building it for Germany's municipalities
    takes seconds, taking the areas of one period from it milliseconds.
    """
    cache = _contiguities.get(conn.engine)
    if cache is None:
        with _building:
            cache = _contiguities.setdefault(conn.engine, Lru(CONTIGUITY_CACHE))
    key = (level, rule.value, data_version(conn))
    missing = object()
    found = cache.get(key, missing)
    if found is missing:
        with _building:  # one build at a time: each takes a core for seconds
            found = cache.get(key, missing)
            if found is missing:
                shaped = [
                    a
                    for a in queries.list_areas(conn, level=level, with_geometry=True)
                    if a.geometry
                ]
                found = (
                    contiguity_weights(
                        [a.code for a in shaped],
                        [a.geometry or "" for a in shaped],
                        rule,
                    )
                    if shaped
                    else None
                )
                cache.put(key, found)
    assert found is None or isinstance(found, Neighbours)
    return found


def _period_values(
    conn: Connection,
    indicator: str,
    level: str,
    period: str | None,
    as_of: str | None,
    audience: Audience,
) -> tuple[str | None, list[Observation]]:
    """The values of one period through the read gate: ``period``'s, or else the
    newest period's with a value (the stored periods newest first, each read until
    one has a value the audience may see) — never every period's."""
    if period is not None:
        return period, read_values(
            conn,
            [indicator],
            level=level,
            period=period,
            as_of=as_of,
            audience=audience,
        )
    for candidate in queries.stored_periods(conn, indicator):
        values = read_values(
            conn,
            [indicator],
            level=level,
            period=candidate,
            as_of=as_of,
            audience=audience,
        )
        if latest_period(values) is not None:
            return candidate, values
    return None, []
