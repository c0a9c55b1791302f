"""The digest's statements about single values: significant changes against the
previous period (shares and rates), the largest changes of counts (by their
difference: a count is not called significant), revisions against the previous
release, trend reversals and values outside the usual range of their level (see
``release_digest``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np

from sozialmonitor.analysis.change_test import change_significance
from sozialmonitor.analysis.changes import Span
from sozialmonitor.analysis.digest_statement import (
    DigestData,
    Figures,
    Section,
    Statement,
    StatementKind,
    capped,
    indicator_link,
    order,
)
from sozialmonitor.analysis.trends import (
    DEFAULT_ALPHA,
    MIN_POINTS,
    TrendDirection,
    mann_kendall,
    trend,
)
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import step_back

OUTLIER_MIN_AREAS = 10
"""Fewest values of a level and period whose quartiles make fences."""
FENCE_FACTOR = 1.5
"""Tukey's fences: this many interquartile ranges beyond the quartiles."""
SIGNIFICANT = (TrendDirection.INCREASING, TrendDirection.DECREASING)


def value_sections(data: DigestData) -> list[Section]:
    brought = data.brought()
    series = data.series()
    changes, differences = _changes(data, brought, series)
    return [
        capped(StatementKind.CHANGE, changes),
        capped(StatementKind.DIFFERENCE, differences),
        _revisions(data),
        capped(StatementKind.TREND_REVERSAL, _reversals(data, brought, series)),
        capped(StatementKind.OUTLIER, _outliers(data, brought)),
    ]


def _new_values(data: DigestData, brought: Mapping[str, str]) -> list[Observation]:
    """The values of the newest period of each indicator that the release brings,
    of areas in the reader's scope."""
    name = data.release.name
    return [
        obs
        for (ind, area, period), obs in data.now.items()
        if brought.get(ind) == period and obs.release == name and data.in_scope(area)
    ]


def _changes(
    data: DigestData,
    brought: Mapping[str, str],
    series: Mapping[tuple[str, str], dict[str, Observation]],
) -> tuple[list[Statement], list[Statement]]:
    """Significant changes of shares and rates, and the changes of counts."""
    found, differences = [], []
    for obs in _new_values(data, brought):
        indicator = data.indicators[obs.indicator]
        points = series[(obs.indicator, obs.area)]
        # The previous period as ``changes.changes`` takes it (``Span.PREVIOUS``).
        base = points.get(step_back(obs.period, Span.PREVIOUS.years))
        if base is None or obs.flags & Flag.BREAK:
            continue  # no previous value, or a break in the series: not comparable
        if indicator.kind is IndicatorKind.COUNT:
            if (stated := _difference(data, indicator, base, obs)) is not None:
                differences.append(stated)
            continue
        tested = change_significance(indicator, base, obs)
        if tested is None or not tested.significant() or obs.value == base.value:
            continue
        assert obs.value is not None and base.value is not None
        found.append(
            Statement(
                kind=StatementKind.CHANGE,
                direction="up" if obs.value > base.value else "down",
                indicator=indicator.id,
                indicator_name=indicator.name,
                areas=(data.area(obs.area),),
                figures=Figures(
                    period=obs.period,
                    value=obs.value,
                    base_period=base.period,
                    base_value=base.value,
                    release=data.release.name,
                    test=tested.method.value,
                    statistic=tested.statistic,
                    p_value=tested.p_value,
                ),
                link=indicator_link(
                    indicator.id,
                    ansicht="diagramm",
                    gebiet=obs.area,
                ),
                rank=tested.p_value,
            )
        )
    return found, differences


def _difference(
    data: DigestData, indicator: Indicator, base: Observation, obs: Observation
) -> Statement | None:
    """A count's change as its difference, the largest relative change first;
    counts below the indicator's ``min_count`` either time are left out (a change
    from 2 to 5 is no news)."""
    assert obs.value is not None and base.value is not None
    if obs.value == base.value or min(obs.value, base.value) < indicator.min_count:
        return None
    relative = abs(obs.value - base.value) / max(abs(base.value), 1e-12)
    return Statement(
        kind=StatementKind.DIFFERENCE,
        direction="up" if obs.value > base.value else "down",
        indicator=indicator.id,
        indicator_name=indicator.name,
        areas=(data.area(obs.area),),
        figures=Figures(
            period=obs.period,
            value=obs.value,
            base_period=base.period,
            base_value=base.value,
            release=data.release.name,
            test="difference",
        ),
        link=indicator_link(indicator.id, ansicht="diagramm", gebiet=obs.area),
        rank=-relative,
    )


def _revisions(data: DigestData) -> Section:
    if data.previous is None:
        return Section(
            kind=StatementKind.REVISION, statements=(), more=0, checked=False
        )
    found = []
    name = data.release.name
    for key, obs in data.now.items():
        old = data.before.get(key)
        if (
            old is None
            or obs.release != name
            or data.is_index(obs.indicator)
            or not data.in_scope(obs.area)
            or old.value == obs.value
        ):
            continue
        assert obs.value is not None and old.value is not None
        indicator = data.indicators[obs.indicator]
        relative = abs(obs.value - old.value) / max(abs(old.value), 1e-12)
        found.append(
            Statement(
                kind=StatementKind.REVISION,
                direction="up" if obs.value > old.value else "down",
                indicator=indicator.id,
                indicator_name=indicator.name,
                areas=(data.area(obs.area),),
                figures=Figures(
                    period=obs.period,
                    value=obs.value,
                    base_value=old.value,
                    release=name,
                    base_release=data.previous.name,
                ),
                link=indicator_link(
                    indicator.id, ansicht="tabelle", zeitraum=obs.period
                ),
                rank=-relative,
            )
        )
    return capped(StatementKind.REVISION, found)


def _reversals(
    data: DigestData,
    brought: Mapping[str, str],
    series: Mapping[tuple[str, str], dict[str, Observation]],
) -> list[Statement]:
    found = []
    for obs in _new_values(data, brought):
        points = series[(obs.indicator, obs.area)]
        mine = order(obs.period)
        upto = {p: o.value for p, o in points.items() if order(p) <= mine}
        before = {p: v for p, v in upto.items() if p != obs.period}
        if len(before) < MIN_POINTS or not _may_trend(before):
            continue
        earlier = trend(before)
        if earlier.direction not in SIGNIFICANT:
            continue
        now = trend(upto)
        if now.direction is earlier.direction:
            continue
        assert earlier.mann_kendall is not None and now.mann_kendall is not None
        indicator = data.indicators[obs.indicator]
        found.append(
            Statement(
                kind=StatementKind.TREND_REVERSAL,
                direction="up"
                if earlier.direction is TrendDirection.INCREASING
                else "down",
                indicator=indicator.id,
                indicator_name=indicator.name,
                areas=(data.area(obs.area),),
                figures=Figures(
                    period=obs.period,
                    value=obs.value,
                    base_period=earlier.periods[-1],
                    first_period=earlier.periods[0],
                    release=data.release.name,
                    test="mann_kendall",
                    statistic=now.mann_kendall.z,
                    p_value=now.mann_kendall.p_value,
                    base_statistic=earlier.mann_kendall.z,
                    base_p_value=earlier.mann_kendall.p_value,
                    reasons=(now.direction.value,),
                ),
                link=indicator_link(indicator.id, ansicht="diagramm", gebiet=obs.area),
                rank=earlier.mann_kendall.p_value,
            )
        )
    return found


def _may_trend(series: Mapping[str, float | None]) -> bool:
    """Whether the series can have a significant Mann-Kendall trend (the rule of
    ``trends.trend``), checked on the values in time order before ``trend`` runs:
    most series have none, and this skips reading their periods twice."""
    values = [v for _p, v in sorted(series.items(), key=lambda pv: order(pv[0]))]
    found = mann_kendall([v for v in values if v is not None])
    return found.p_value < DEFAULT_ALPHA and found.s != 0


def _outliers(data: DigestData, brought: Mapping[str, str]) -> list[Statement]:
    by_level: dict[tuple[str, str, str], list[Observation]] = defaultdict(list)
    for (ind, area, period), obs in data.now.items():
        known = data.areas.get(area)
        if brought.get(ind) == period and known is not None:
            by_level[(ind, known.level, period)].append(obs)
    found = []
    name = data.release.name
    for (ind, level, period), values in by_level.items():
        if len(values) < OUTLIER_MIN_AREAS:
            continue
        numbers = np.array([o.value for o in values], dtype=float)
        q1, q3 = (float(q) for q in np.percentile(numbers, [25, 75]))
        spread = q3 - q1
        if spread <= 0:
            continue
        lower, upper = q1 - FENCE_FACTOR * spread, q3 + FENCE_FACTOR * spread
        indicator = data.indicators[ind]
        for obs in values:
            value = obs.value
            assert value is not None
            if lower <= value <= upper or obs.release != name:
                continue
            if not data.in_scope(obs.area):
                continue
            beyond = (lower - value if value < lower else value - upper) / spread
            found.append(
                Statement(
                    kind=StatementKind.OUTLIER,
                    direction="below" if value < lower else "above",
                    indicator=ind,
                    indicator_name=indicator.name,
                    areas=(data.area(obs.area),),
                    figures=Figures(
                        period=period,
                        value=value,
                        release=name,
                        test="tukey_fences",
                        lower=lower,
                        upper=upper,
                        level=level,
                    ),
                    link=indicator_link(
                        ind, ansicht="karte", ebene=level, zeitraum=period
                    ),
                    rank=-beyond,
                )
            )
    return found
