"""An area (or all children of a parent, or a level) against a benchmark."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from sozialmonitor.analysis.comparison import (
    BenchmarkComparison,
    Comparison,
    compare_observations,
)
from sozialmonitor.analysis.intervals import DEFAULT_CONFIDENCE
from sozialmonitor.analysis.service.shared import (
    area_dict,
    finite,
    indicator_dict,
    latest_period,
    period_code,
    read_values,
    release_as_of,
)
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import InvalidQueryError
from sozialmonitor.store import queries


@dataclass(frozen=True, kw_only=True)
class AreaComparison:
    """One area against its benchmark."""

    area: Area
    benchmark: Area | None
    """The benchmark area; None when the area has none (no parent)."""
    observation: Observation | None
    """The area's value; None when it has none for the period."""
    benchmark_observation: Observation | None
    comparison: BenchmarkComparison

    def to_dict(self) -> dict[str, Any]:
        obs, found = self.observation, self.comparison
        interval = found.interval
        bench: dict[str, Any] | None = None
        if self.benchmark is not None:
            b_obs = self.benchmark_observation
            bench = {
                **area_dict(self.benchmark),
                "value": finite(b_obs.value) if b_obs else None,
                "computed": bool(b_obs and b_obs.flags & Flag.COMPUTED),
                "missing_children": list(b_obs.missing_children) if b_obs else [],
            }
        return {
            "area": area_dict(self.area),
            "value": finite(obs.value) if obs else None,
            "numerator": finite(obs.numerator) if obs else None,
            "denominator": finite(obs.denominator) if obs else None,
            "interval": None
            if interval is None
            else {
                "lower": finite(interval.lower),
                "upper": finite(interval.upper),
                "confidence": interval.confidence,
                "method": interval.method.value,
            },
            "benchmark": bench,
            "result": {
                "code": found.result.value,
                "label": found.result.label,
                "text": found.text(self.benchmark.name if self.benchmark else ""),
            },
            "reason": found.reason,
        }


@dataclass(frozen=True, kw_only=True)
class ComparisonReport:
    """Areas compared with their benchmark for one indicator and period."""

    indicator: Indicator
    period: str | None
    """The period compared; None when there is no value at all."""
    confidence: float
    release: Release | None
    comparisons: tuple[AreaComparison, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "statistic": "compare",
            "release": self.release.to_dict() if self.release else None,
            "indicator": indicator_dict(self.indicator),
            "period": self.period,
            "confidence": self.confidence,
            "comparisons": [c.to_dict() for c in self.comparisons],
            "note": self.note,
        }


def compare_areas(
    conn: Connection,
    *,
    indicator: str,
    area: str | None = None,
    parent: str | None = None,
    level: str | None = None,
    benchmark: str | None = None,
    period: str | None = None,
    confidence: float = DEFAULT_CONFIDENCE,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> ComparisonReport:
    """Compare an area, the children of a parent or all areas of a level with a
    benchmark, as England's Fingertips profiles do.

    Parameters
    ----------
    conn
        An open connection.
    indicator
        Indicator id.
    area, parent, level
        One area, every child of ``parent``, or every area of ``level``; when more
        than one is named, the most specific counts (area, then parent, then
        level); none: the top-level areas.
    benchmark
        Code of the benchmark area for all; default: each area's parent.
    period
        Period compared; default: the latest with a value among the areas.
    confidence
        Level of the areas' confidence intervals (Wilson for shares, Byar/exact
        Poisson for rates).
    as_of, audience
        Passed to the read gate.

    Raises
    ------
    UnknownIndicatorError, UnknownAreaError, UnknownLevelError
        For an indicator (the audience may see), area or level that does not exist.
    InvalidQueryError
        For a confidence outside 0 … 1.
    """
    if area is not None:
        parent = level = None
    elif parent is not None:
        level = None
    if not 0 < confidence < 1:
        raise InvalidQueryError(
            f"confidence={confidence} is out of range: use a level between 0 and 1 "
            "such as 0.95."
        )
    found = queries.get_indicator(conn, indicator, audience=audience)
    wanted = period_code(period)
    if area is not None:
        targets = [queries.get_area(conn, area)]
    elif parent is not None:
        queries.get_area(conn, parent)
        targets = queries.list_areas(conn, parent=parent)
    elif level is not None:
        targets = queries.list_areas(conn, level=level)
    else:
        targets = [a for a in queries.list_areas(conn) if a.parent is None]
    fixed = queries.get_area(conn, benchmark) if benchmark else None
    parents = {a.parent for a in targets if a.parent} if fixed is None else set()
    benchmarks = {a.code: a for a in queries.list_areas(conn, codes=parents)}
    if fixed is not None:
        benchmarks[fixed.code] = fixed
    values = read_values(
        conn,
        [found.id],
        areas=None if level is not None else [a.code for a in targets],
        level=level,
        period=wanted,
        as_of=as_of,
        audience=audience,
    )
    wanted = wanted or latest_period(values)
    release = release_as_of(conn, as_of)
    if wanted is None:
        return ComparisonReport(
            indicator=found,
            period=None,
            confidence=confidence,
            release=release,
            comparisons=(),
            note="There is no value of this indicator for these areas."
            if targets
            else "There are no areas to compare.",
        )
    if area is None:  # the areas of the period's vintage (its end)
        day = parse_period(wanted).end
        targets = [a for a in targets if a.valid_at(day)]
    by_area = {o.area: o for o in values if o.period == wanted}
    by_bench = {
        o.area: o
        for o in read_values(
            conn,
            [found.id],
            areas=sorted(benchmarks),
            period=wanted,
            as_of=as_of,
            audience=audience,
        )
    }
    rows = []
    for target in targets:
        bench = fixed or (benchmarks.get(target.parent) if target.parent else None)
        obs = by_area.get(target.code)
        b_obs = by_bench.get(bench.code) if bench else None
        rows.append(
            AreaComparison(
                area=target,
                benchmark=bench,
                observation=obs,
                benchmark_observation=b_obs,
                comparison=_compare_one(found, obs, bench, b_obs, wanted, confidence),
            )
        )
    return ComparisonReport(
        indicator=found,
        period=wanted,
        confidence=confidence,
        release=release,
        comparisons=tuple(rows),
        note="" if rows else "There are no areas to compare.",
    )


def _compare_one(
    indicator: Indicator,
    obs: Observation | None,
    bench: Area | None,
    b_obs: Observation | None,
    period: str,
    confidence: float,
) -> BenchmarkComparison:
    def skipped(reason: str) -> BenchmarkComparison:
        return BenchmarkComparison(
            result=Comparison.NOT_COMPARED, interval=None, benchmark=None, reason=reason
        )

    if obs is None:
        return skipped(f"no value for {period}")
    if bench is None:
        return skipped("no benchmark: the area has no parent; name one (benchmark=)")
    if b_obs is None:  # compared with a missing value: the interval, not a result
        b_obs = Observation(
            indicator=indicator.id, area=bench.code, period=period, value=None
        )
    return compare_observations(indicator, obs, b_obs, confidence=confidence)
