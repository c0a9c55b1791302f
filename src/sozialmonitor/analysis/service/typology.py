"""Area types from several indicators."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from sozialmonitor.analysis.service.shared import (
    area_dict,
    areas_of_period,
    check_k,
    finite,
    indicator_dict,
    level_dict,
    level_named,
    period_code,
    read_values,
    recording,
    release_as_of,
)
from sozialmonitor.analysis.typology import AreaType, Typology, typology
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.period import parse_period
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import InvalidQueryError
from sozialmonitor.store import queries

CLEARLY, SLIGHTLY = 1.0, 0.5
"""A type's mean z-score from 1 on is "deutlich" higher, below 0.5 "etwas" higher."""


def _degree(mean_z: float) -> str:
    if abs(mean_z) >= CLEARLY:
        return "deutlich "
    return "etwas " if abs(mean_z) < SLIGHTLY else ""


@dataclass(frozen=True, kw_only=True)
class TypologyReport:
    """Areas of a level grouped into types by several indicators."""

    indicators: tuple[Indicator, ...]
    level: AreaLevel
    period: str | None
    release: Release | None
    k_requested: int
    areas: tuple[Area, ...]
    typology: Typology
    warnings: tuple[str, ...] = ()
    note: str = ""
    names: dict[str, str] = field(default_factory=dict)
    """Indicator id → short name, for the descriptions."""

    def description(self, found: AreaType) -> str:
        """German description, e.g. ``Kinderarmut deutlich höher, Altersarmut etwas
        niedriger als im Durchschnitt der Gebiete``."""
        if not found.distinctive:
            return "keine deutlichen Unterschiede zum Durchschnitt der Gebiete"
        parts = [
            f"{self.names.get(f.indicator, f.indicator)} {_degree(f.mean_z)}{f.label}"
            for f in found.distinctive
        ]
        return ", ".join(parts) + " als im Durchschnitt der Gebiete"

    def to_dict(self) -> dict[str, Any]:
        t = self.typology
        return {
            "statistic": "typology",
            "release": self.release.to_dict() if self.release else None,
            "indicators": [indicator_dict(i) for i in self.indicators],
            "level": level_dict(self.level),
            "period": self.period,
            "k": t.k,
            "k_requested": self.k_requested,
            "types": [
                {
                    "type": found.number,
                    "size": len(found.areas),
                    "areas": list(found.areas),
                    "description": self.description(found),
                    "distinctive": [
                        {
                            "indicator": f.indicator,
                            "name": self.names.get(f.indicator, f.indicator),
                            "mean_z": finite(f.mean_z),
                            "direction": f.direction,
                            "label": f.label,
                        }
                        for f in found.distinctive
                    ],
                    "means": {k: finite(v) for k, v in found.means.items()},
                }
                for found in t.types
            ],
            "areas": [{**area_dict(a), "type": t.type_of(a.code)} for a in self.areas],
            "left_out": list(t.left_out),
            "dropped_indicators": list(t.dropped_indicators),
            "warnings": list(self.warnings),
            "note": self.note,
        }


def typology_level(
    conn: Connection,
    *,
    indicators: Sequence[str],
    level: str,
    period: str | None = None,
    k: int = 4,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> TypologyReport:
    """Group the areas of a level into ``k`` types (Ward clustering of z-scores).

    Parameters
    ----------
    indicators
        At least two indicator ids.
    period
        Default: the latest period in which every indicator has a value on the level.

    Raises
    ------
    UnknownIndicatorError, UnknownLevelError
        For an unknown indicator or level.
    InvalidQueryError
        For fewer than two indicators or ``k`` outside 2 … 10.
    """
    ids = list(dict.fromkeys(indicators))
    if len(ids) < 2:
        raise InvalidQueryError(
            "A typology needs at least two different indicators (indicator=A&"
            "indicator=B); for one, use map classes (statistics/classes)."
        )
    check_k(k, "types")
    found = [queries.get_indicator(conn, i, audience=audience) for i in ids]
    lvl = level_named(conn, level)
    wanted = period_code(period)
    values = read_values(
        conn, ids, level=level, period=wanted, as_of=as_of, audience=audience
    )
    if wanted is None:
        shared = set.intersection(
            *(
                {o.period for o in values if o.value is not None and o.indicator == i}
                for i in ids
            )
        )
        wanted = max(shared, key=parse_period) if shared else None
    areas = areas_of_period(conn, level, wanted)
    profiles: dict[str, dict[str, float | None]] = {
        a.code: dict.fromkeys(ids) for a in areas
    }
    for o in values:
        if o.period == wanted and o.area in profiles:
            profiles[o.area][o.indicator] = o.value
    result, caught = recording(lambda: typology(profiles, k, indicators=ids))
    note = ""
    if wanted is None:
        note = "The indicators have no period with values on this level in common."
    elif not result.types:
        note = "No area of this level has values of all indicators: no types."
    return TypologyReport(
        indicators=tuple(found),
        level=lvl,
        period=wanted,
        release=release_as_of(conn, as_of),
        k_requested=k,
        areas=tuple(areas),
        typology=result,
        warnings=caught,
        note=note,
        names={i.id: i.short_name for i in found},
    )
