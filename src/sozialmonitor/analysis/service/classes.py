"""Map classes of one indicator on one level."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from sozialmonitor.analysis.classify import SCHEMES, Classification, classify
from sozialmonitor.analysis.service.shared import (
    area_dict,
    areas_of_period,
    check_k,
    finite,
    indicator_dict,
    latest_period,
    level_dict,
    level_named,
    period_code,
    read_values,
    recording,
    release_as_of,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import InvalidQueryError
from sozialmonitor.store import queries


@dataclass(frozen=True, kw_only=True)
class ClassesReport:
    """Map classes of one indicator on one level."""

    indicator: Indicator
    level: AreaLevel
    period: str | None
    release: Release | None
    k_requested: int
    areas: tuple[Area, ...]
    values: tuple[float | None, ...]
    """Each area's value, in the order of ``areas``."""
    classification: Classification
    warnings: tuple[str, ...] = ()
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        c = self.classification
        return {
            "statistic": "classes",
            "release": self.release.to_dict() if self.release else None,
            "indicator": indicator_dict(self.indicator),
            "level": level_dict(self.level),
            "period": self.period,
            "scheme": {"name": c.scheme, "label": SCHEMES[c.scheme].label},
            "k": c.k,
            "k_requested": self.k_requested,
            "bins": [finite(b) for b in c.bins],
            "legend": [
                {"class": i, "label": label, "upper": finite(upper), "count": n}
                for i, (label, upper, n) in enumerate(
                    zip(c.labels, c.bins, c.counts, strict=True)
                )
            ],
            "areas": [
                {
                    **area_dict(a),
                    "value": finite(v),
                    "class": cls,
                    "label": None if cls is None else c.labels[cls],
                }
                for a, v, cls in zip(self.areas, self.values, c.classes, strict=True)
            ],
            "warnings": list(self.warnings),
            "note": self.note,
        }


def classify_level(
    conn: Connection,
    *,
    indicator: str,
    level: str,
    period: str | None = None,
    scheme: str = "natural_breaks",
    k: int = 5,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> ClassesReport:
    """Put every area of a level into ``k`` map classes with German legend labels.

    Natural breaks (Fisher-Jenks) grow with the square of the number of values:
    about half a second for Berlin's 542 planning areas.

    Raises
    ------
    UnknownIndicatorError, UnknownLevelError
        For an unknown indicator or level.
    InvalidQueryError
        For an unknown scheme or ``k`` outside 2 … 10.
    """
    if scheme not in SCHEMES:
        raise InvalidQueryError(
            f"There is no classification scheme '{scheme}'. "
            f"Use one of: {', '.join(SCHEMES)}."
        )
    check_k(k, "classes")
    found = queries.get_indicator(conn, indicator, audience=audience)
    lvl = level_named(conn, level)
    wanted = period_code(period)
    values = read_values(
        conn, [found.id], level=level, period=wanted, as_of=as_of, audience=audience
    )
    wanted = wanted or latest_period(values)
    areas = areas_of_period(conn, level, wanted)
    by_area = {o.area: o.value for o in values if o.period == wanted}
    row = tuple(by_area.get(a.code) for a in areas)
    unit = "%" if found.unit.strip() == "%" else ""
    classes, caught = recording(
        lambda: classify(row, scheme, k, decimals=found.decimals, unit=unit)
    )
    present = sum(v is not None for v in row)
    return ClassesReport(
        indicator=found,
        level=lvl,
        period=wanted,
        release=release_as_of(conn, as_of),
        k_requested=k,
        areas=tuple(areas),
        values=row,
        classification=classes,
        warnings=caught,
        note="" if present else "No area of this level has a value: no classes.",
    )
