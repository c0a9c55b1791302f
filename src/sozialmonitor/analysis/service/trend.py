"""The trend and the changes of an area's time series."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from sozialmonitor.analysis.changes import Change, changes
from sozialmonitor.analysis.service.shared import (
    TREND_METHODS,
    area_dict,
    finite,
    indicator_dict,
    period_code,
    read_values,
    release_as_of,
)
from sozialmonitor.analysis.trends import MIN_POINTS, Trend, trend
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period
from sozialmonitor.domain.release import Release
from sozialmonitor.errors import InvalidQueryError
from sozialmonitor.store import queries


@dataclass(frozen=True, kw_only=True)
class TrendReport:
    """The trend of an area's series and its changes."""

    indicator: Indicator
    area: Area
    release: Release | None
    series: tuple[Observation, ...]
    """The values read, in time order."""
    trend: Trend
    changes: tuple[Change, ...]
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        t, mk, logit = self.trend, self.trend.mann_kendall, self.trend.logit
        if t.method == "logit":
            p_value = logit.p_value if logit else None
        else:
            p_value = mk.p_value if mk else None
        return {
            "statistic": "trend",
            "release": self.release.to_dict() if self.release else None,
            "indicator": indicator_dict(self.indicator),
            "area": area_dict(self.area),
            "method": t.method,
            "direction": {"code": t.direction.value, "label": t.direction.label},
            "p_value": finite(p_value),
            "alpha": t.alpha,
            "sen_slope": finite(t.sen_slope),
            "mann_kendall": None
            if mk is None
            else {
                "n": mk.n,
                "s": mk.s,
                "var_s": finite(mk.var_s),
                "z": finite(mk.z),
                "p_value": finite(mk.p_value),
                "tau": finite(mk.tau),
                "exact": mk.exact,
            },
            "logit": None
            if logit is None
            else {
                "slope": finite(logit.slope),
                "standard_error": finite(logit.standard_error),
                "z": finite(logit.z),
                "p_value": finite(logit.p_value),
                "odds_ratio": finite(logit.odds_ratio),
            },
            "periods": list(t.periods),
            "missing_periods": list(t.missing_periods),
            "breaks": [o.period for o in self.series if o.flags & Flag.BREAK],
            "series": [
                {"period": o.period, "value": finite(o.value)} for o in self.series
            ],
            "changes": [
                {
                    "span": c.span.value,
                    "label": c.span.label,
                    "period": c.period,
                    "base_period": c.base_period,
                    "absolute": finite(c.absolute),
                    "relative": finite(c.relative),
                    "percentage_points": c.percentage_points,
                }
                for c in self.changes
            ],
            "note": self.note,
        }


def series_trend(
    indicator: Indicator,
    series: Iterable[Observation],
    *,
    method: str = "mann_kendall",
    with_logit: bool = True,
) -> Trend:
    """The trend of one area's values as read through the gate (suppressed values
    come without a value and are left out): what ``area_trend`` reports and the
    portal's trend markers show.

    Parameters
    ----------
    indicator
        Its kind decides whether numerators and denominators are passed (shares).
    series
        One area's observations, in any order.
    method
        ``mann_kendall`` or ``logit``.
    with_logit
        With ``mann_kendall``: whether a share's logit regression is fitted as
        well (reported beside the test; the direction does not depend on it).
    """
    found = list(series)
    values = {o.period: o.value for o in found}
    share = indicator.kind is IndicatorKind.SHARE and (with_logit or method == "logit")
    counts = {o.period: o.numerator for o in found} if share else None
    bases = {o.period: o.denominator for o in found} if share else None
    return trend(values, numerators=counts, denominators=bases, method=method)


def area_trend(
    conn: Connection,
    *,
    indicator: str,
    area: str,
    method: str = "mann_kendall",
    period: str | None = None,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> TrendReport:
    """The trend of an area's series (Mann-Kendall, Sen's slope; logit for shares)
    and its changes against the previous period and over 5 and 10 years.

    Parameters
    ----------
    method
        ``mann_kendall`` or ``logit`` (shares with numerators and denominators):
        the test that decides the direction.
    period
        The period whose changes are reported; default: the latest with a value.

    Raises
    ------
    UnknownIndicatorError, UnknownAreaError
        For an unknown indicator or area.
    InvalidQueryError
        For an unknown method, or ``logit`` for an indicator that is not a share.
    """
    if method not in TREND_METHODS:
        raise InvalidQueryError(
            f"There is no trend method '{method}'. Use one of: "
            f"{', '.join(TREND_METHODS)}."
        )
    found = queries.get_indicator(conn, indicator, audience=audience)
    if method == "logit" and found.kind is not IndicatorKind.SHARE:
        raise InvalidQueryError(
            f"The logit trend needs a share with numerators and denominators; "
            f"'{found.id}' is of kind {found.kind.value}. Use method=mann_kendall."
        )
    place = queries.get_area(conn, area)
    wanted = period_code(period)
    series = sorted(
        read_values(
            conn, [found.id], areas=[place.code], as_of=as_of, audience=audience
        ),
        key=lambda o: parse_period(o.period),
    )
    values = {o.period: o.value for o in series}
    share = found.kind is IndicatorKind.SHARE
    result = series_trend(found, series, method=method)
    notes = []
    if len(result.periods) < MIN_POINTS:
        notes.append(
            f"{len(result.periods)} value(s): a trend is tested from {MIN_POINTS} on."
        )
    elif method == "logit" and result.logit is None:
        notes.append(
            "No logit trend: numerators and denominators are missing, or the share "
            "is 0 % or 100 % throughout."
        )
    return TrendReport(
        indicator=found,
        area=place,
        release=release_as_of(conn, as_of),
        series=tuple(series),
        trend=result,
        changes=changes(values, period=wanted, share=share),
        note=" ".join(notes),
    )
