"""Trends over a time series: direction, significance and slope.

* Direction and significance: the Mann-Kendall test (Mann 1945; Kendall 1975) with
  the tie-corrected variance and continuity correction of Gilbert (1987, ch. 16);
  for up to 10 values without ties the exact null distribution of S, as Gilbert's
  table A18. Its slope: Sen's (1968) median of pairwise slopes, per year.
* For shares with numerators and denominators, optionally a binomial regression on
  the logit (maximum likelihood, Wald test of the slope).
Series are mappings from period codes (``2021``, ``2021-H1``, ``2021-12-31``) to
values; None or NaN means "no value".
"""

from __future__ import annotations

import functools
import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from scipy.special import expit

from sozialmonitor.domain.period import (
    Period,
    missing_periods,
    parse_period,
    period_position,
)
from sozialmonitor.errors import InvalidPeriodError

MIN_POINTS = 5
"""Fewest values a trend is tested on: with 4, no two-sided p-value falls below 0.05."""
EXACT_UP_TO = 10
"""Series up to this length without ties get the exact Mann-Kendall p-value."""
DEFAULT_ALPHA = 0.05


class TrendDirection(StrEnum):
    INCREASING = "increasing"
    DECREASING = "decreasing"
    NO_TREND = "no_trend"
    NOT_TESTED = "not_tested"

    @property
    def label(self) -> str:
        return _DIRECTION_LABELS[self]


_DIRECTION_LABELS = {
    TrendDirection.INCREASING: "steigend, signifikant",
    TrendDirection.DECREASING: "fallend, signifikant",
    TrendDirection.NO_TREND: "kein signifikanter Trend",
    TrendDirection.NOT_TESTED: "nicht geprüft",
}


@dataclass(frozen=True, kw_only=True)
class MannKendall:
    """The Mann-Kendall test of a series in time order."""

    n: int
    """Number of values."""
    s: int
    """Kendall's S: concordant minus discordant pairs."""
    var_s: float
    """Variance of S under no trend, corrected for ties."""
    z: float
    """Standardised S with continuity correction."""
    p_value: float
    """Two-sided p-value (exact for short series without ties)."""
    tau: float
    """Kendall's tau: S divided by the number of pairs."""
    exact: bool
    """Whether ``p_value`` comes from the exact distribution."""


def mann_kendall(values: Sequence[float]) -> MannKendall:
    """Mann-Kendall test of values in time order (NaN values are skipped).

    Examples
    --------
    Gilbert (1987), Example 16.1: 10, 15, 14, 20 gives S = 4, exact one-sided
    probability 0.167 (Table A18), so a two-sided p of 0.333:

    >>> mk = mann_kendall([10, 15, 14, 20])
    >>> mk.s, round(mk.p_value, 3), mk.exact
    (4, 0.333, True)
    """
    # Plain Python: a monitoring series has some 10 to 40 values, for which
    # NumPy's per-call overhead costs more than the pairs (a page tests 100s).
    x = [float(v) for v in values if not math.isnan(v)]
    n = len(x)
    if n < 2:
        raise ValueError("the Mann-Kendall test needs at least two values")
    s = sum((b > a) - (b < a) for i, a in enumerate(x) for b in x[i + 1 :])
    ties = Counter(x).values()
    var_s = (
        n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)
    ) / 18
    z = 0.0 if s == 0 or var_s == 0 else (s - math.copysign(1, s)) / math.sqrt(var_s)
    exact = n <= EXACT_UP_TO and all(t == 1 for t in ties)
    p = _exact_p(n, s) if exact else _two_sided_normal_p(z)
    return MannKendall(
        n=n, s=s, var_s=var_s, z=z, p_value=p, tau=s / (n * (n - 1) / 2), exact=exact
    )


def _two_sided_normal_p(z: float) -> float:
    """P(|Z| >= |z|) of the standard normal distribution (``2 * norm.sf(|z|)``).

    >>> round(_two_sided_normal_p(1.959964), 4)
    0.05
    """
    return math.erfc(abs(z) / math.sqrt(2))


@functools.lru_cache(maxsize=1024)
def _exact_p(n: int, s: int) -> float:
    """Two-sided exact p-value of S: the share of the n! orderings with |S| >= |s|."""
    # S = pairs - 2 x inversions; the counts of permutations by inversions are the
    # Mahonian numbers, built by convolving with (1, 1, …, 1) of length m.
    counts = np.array([1], dtype=np.int64)
    for m in range(2, n + 1):
        counts = np.convolve(counts, np.ones(m, dtype=np.int64))
    pairs = n * (n - 1) // 2
    at_least = int(counts[: (pairs - abs(s)) // 2 + 1].sum())
    return min(1.0, 2 * at_least / math.factorial(n))


def sens_slope(times: Sequence[float], values: Sequence[float]) -> float:
    """Sen's slope: the median of the slopes between all pairs of points.

    Examples
    --------
    >>> sens_slope([2019, 2020, 2021, 2022], [10.0, 12.0, 13.0, 16.0])
    2.0
    """
    points = [
        (float(t), float(x))
        for t, x in zip(times, values, strict=True)
        if not (math.isnan(t) or math.isnan(x))
    ]
    if len(points) < 2:
        raise ValueError("Sen's slope needs at least two points")
    return statistics.median(
        (x2 - x1) / (t2 - t1)
        for i, (t1, x1) in enumerate(points)
        for t2, x2 in points[i + 1 :]
    )


@dataclass(frozen=True, kw_only=True)
class LogitTrend:
    """Binomial regression of a share on time: logit(p) = a + b x years."""

    slope: float
    """Change of the log-odds per year."""
    standard_error: float
    """Standard error of the slope."""
    z: float
    """Wald statistic slope / standard error."""
    p_value: float
    """Two-sided p-value of the slope."""

    @property
    def odds_ratio(self) -> float:
        """Factor by which the odds change per year."""
        return math.exp(self.slope)


def logit_trend(
    times: Sequence[float],
    numerators: Sequence[float],
    denominators: Sequence[float],
) -> LogitTrend | None:
    """Fit logit(numerator / denominator) = a + b x time by maximum likelihood.

    Returns None when there is no finite estimate: fewer than two usable points,
    no cases at all or only cases (0 % or 100 % throughout).

    Examples
    --------
    Agresti (2002), Categorical Data Analysis, Table 4.2 (snoring scores 0, 2, 4, 5
    and heart disease): b = 0.3973, SE 0.0500.

    >>> fit = logit_trend([0, 2, 4, 5], [24, 35, 21, 30], [1379, 638, 213, 254])
    >>> round(fit.slope, 4), round(fit.standard_error, 4)
    (0.3973, 0.05)
    """
    t, y, n = (np.asarray(a, dtype=float) for a in (times, numerators, denominators))
    keep = ~(np.isnan(t) | np.isnan(y) | np.isnan(n)) & (n > 0)
    t, y, n = t[keep], y[keep], n[keep]
    if len(t) < 2 or np.ptp(t) == 0 or y.sum() == 0 or y.sum() == n.sum():
        return None
    design = np.column_stack([np.ones_like(t), t - t.mean()])  # centred: stable
    beta = np.array([math.log(y.sum() / (n.sum() - y.sum())), 0.0])
    try:
        for _ in range(100):  # Newton-Raphson = IRLS for the canonical link
            p = expit(design @ beta)
            info = design.T @ ((n * p * (1 - p))[:, None] * design)
            step = np.linalg.solve(info, design.T @ (y - n * p))
            beta = beta + step
            if np.max(np.abs(step)) < 1e-10:
                break
        else:
            return None  # diverging: the shares separate along time
        p = expit(design @ beta)
        info = design.T @ ((n * p * (1 - p))[:, None] * design)
        se = float(math.sqrt(np.linalg.inv(info)[1, 1]))
    except np.linalg.LinAlgError:
        return None
    slope = float(beta[1])
    z = slope / se
    return LogitTrend(
        slope=slope, standard_error=se, z=z, p_value=_two_sided_normal_p(z)
    )


def series_points(series: Mapping[str, float | None]) -> list[tuple[Period, float]]:
    """The values with their periods in time order; missing values left out."""
    found = sorted(
        (parse_period(code), float(value))
        for code, value in series.items()
        if value is not None and not math.isnan(value)
    )
    kinds = {period.kind for period, _ in found}
    if len(kinds) > 1:
        raise InvalidPeriodError(
            "A time series mixes years, half-years and reference dates "
            f"({', '.join(sorted(k.value for k in kinds))}); use one kind of period."
        )
    return found


@dataclass(frozen=True, kw_only=True)
class Trend:
    """Direction and significance of a series' trend, with what it rests on."""

    direction: TrendDirection
    """Significantly increasing or decreasing, no trend, or not tested."""
    method: str
    """``mann_kendall`` or ``logit``: the test behind ``direction``."""
    periods: tuple[str, ...]
    """The periods with a value, in time order."""
    missing_periods: tuple[str, ...]
    """Periods between the first and last without a value (not bridged)."""
    mann_kendall: MannKendall | None
    """The Mann-Kendall test, when there were enough values."""
    sen_slope: float | None
    """Sen's slope per year, in the indicator's unit (percentage points for shares)."""
    logit: LogitTrend | None = None
    """The logit regression, when numerators and denominators were given."""
    alpha: float = DEFAULT_ALPHA
    """Significance level."""


def trend(
    series: Mapping[str, float | None],
    *,
    numerators: Mapping[str, float | None] | None = None,
    denominators: Mapping[str, float | None] | None = None,
    method: str = "mann_kendall",
    alpha: float = DEFAULT_ALPHA,
    min_points: int = MIN_POINTS,
) -> Trend:
    """The trend of a time series.

    Parameters
    ----------
    series
        Period code → value.
    numerators, denominators
        For shares: period code → numerator and denominator, for the logit
        regression.
    method
        ``mann_kendall`` (default) or ``logit``: which test decides ``direction``.
    alpha
        Significance level.
    min_points
        Fewer values than this: ``not_tested``.

    Examples
    --------
    >>> found = trend({"2016": 8.1, "2017": 8.4, "2018": 8.9, "2020": 9.6, "2021": 9.9})
    >>> found.direction.label, found.missing_periods, round(found.sen_slope, 3)
    ('steigend, signifikant', ('2019',), 0.368)
    """
    if method not in ("mann_kendall", "logit"):
        raise ValueError(f"unknown trend method {method!r}: use mann_kendall or logit")
    points = series_points(series)
    codes = tuple(p.code for p, _ in points)
    times = [period_position(c) for c in codes]
    values = [v for _, v in points]
    logit = None
    if numerators is not None and denominators is not None:
        counts, bases = _by_code(numerators), _by_code(denominators)
        logit = logit_trend(
            times,
            [_number(counts.get(c)) for c in codes],
            [_number(bases.get(c)) for c in codes],
        )
    mk = mann_kendall(values) if len(points) >= max(min_points, 2) else None
    test = (logit.p_value, logit.slope) if logit else None
    if method == "mann_kendall":
        test = (mk.p_value, mk.s) if mk else None
    direction = TrendDirection.NOT_TESTED
    if test is not None and mk is not None:
        direction = TrendDirection.NO_TREND
        if test[0] < alpha and test[1] != 0:
            up = test[1] > 0
            direction = TrendDirection.INCREASING if up else TrendDirection.DECREASING
    return Trend(
        direction=direction,
        method=method,
        periods=codes,
        missing_periods=missing_periods(codes),
        mann_kendall=mk,
        sen_slope=sens_slope(times, values) if len(points) >= 2 else None,
        logit=logit,
        alpha=alpha,
    )


def _by_code(values: Mapping[str, float | None]) -> dict[str, float | None]:
    return {parse_period(code).code: value for code, value in values.items()}


def _number(value: float | None) -> float:
    return math.nan if value is None else float(value)
