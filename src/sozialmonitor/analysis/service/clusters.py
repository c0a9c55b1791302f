"""Moran's I and LISA clusters on the stored boundaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

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
    SpatialAnalysis,
    analyse,
    contiguity_weights,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import InvalidQueryError, MissingBoundariesError
from sozialmonitor.store import queries


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
    neighbours: dict[str, tuple[str, ...]]
    """Each area's neighbours on the level (by boundary, whatever their values)."""
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
                    "neighbours": list(self.neighbours.get(area.code, ())),
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
    wanted = period_code(period)
    values = read_values(
        conn, [found.id], level=level, period=wanted, as_of=as_of, audience=audience
    )
    wanted = wanted or latest_period(values)
    areas = areas_of_period(conn, level, wanted, with_geometry=True)
    shaped = [a for a in areas if a.geometry]
    if not shaped:
        raise MissingBoundariesError(
            f"The areas of the level '{level}' ({lvl.label}) have no stored "
            "boundaries, so they have no neighbours. Import them with boundaries "
            "(sozialmonitor import areas FILE.geojson, or a GeoPackage or Shapefile)."
        )
    by_area = {o.area: o.value for o in values if o.period == wanted}
    row = tuple(by_area.get(a.code) for a in areas)
    weights = contiguity_weights(
        [a.code for a in shaped], [a.geometry or "" for a in shaped], contiguity
    )
    result = analyse(
        [a.code for a in areas],
        [a.geometry for a in areas],
        row,
        rule=contiguity,
        seed=DEFAULT_SEED,
        weights=weights,
    )
    return SpatialReport(
        indicator=found,
        level=lvl,
        period=wanted,
        rule=contiguity,
        release=release_as_of(conn, as_of),
        areas=tuple(areas),
        values=row,
        neighbours={
            code: tuple(sorted(str(n) for n in near))
            for code, near in weights.neighbors.items()
        },
        analysis=result,
    )
