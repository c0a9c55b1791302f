"""Confidence intervals for shares and rates, the way England's Fingertips draws them.

* Shares (Anteile): the Wilson score interval without continuity correction
  (Wilson 1927; method 3 in Newcombe 1998, "Two-sided confidence intervals for the
  single proportion", Stat Med 17:857-872). It stays inside 0 … 1 and is defined
  for 0 of n and n of n.
* Rates and counts: the exact Poisson interval from the chi-squared distribution
  (Garwood 1936; Armitage & Berry 2002) for counts below 10, Byar's approximation
  (Breslow & Day 1987) from 10 on. This is the rule of the Fingertips technical
  guidance ("Rates": "Counts of 10 or greater" → Byar, "Counts of less than 10" →
  χ² exact) and of the UKHSA R package PHEindicatormethods (``phe_rate``); Byar's
  limits lie within 0.2 % of the exact ones from 10 on (PHE Technical Guide
  "Confidence Intervals", 2018).

A denominator of 0 has no interval (None); the comparison then says "nicht
verglichen".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from scipy.stats import chi2, norm

from sozialmonitor.domain.indicator import Indicator, IndicatorKind

DEFAULT_CONFIDENCE = 0.95
"""Konfidenzintervall (95 %)."""
EXACT_BELOW = 10
"""Counts below this use the exact Poisson interval, from it on Byar's method."""


class IntervalMethod(StrEnum):
    WILSON = "wilson"
    BYAR = "byar"
    EXACT_POISSON = "exact_poisson"


@dataclass(frozen=True, kw_only=True)
class Interval:
    """A value with its two-sided confidence interval, on the indicator's scale."""

    value: float
    """The estimate (share, rate or count)."""
    lower: float
    """Lower confidence limit."""
    upper: float
    """Upper confidence limit."""
    confidence: float
    """Confidence level, 0.95 for a 95 % interval."""
    method: IntervalMethod
    """How the limits were computed."""

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the interval (limits included)."""
        return self.lower <= value <= self.upper

    def scaled(self, factor: float) -> Interval:
        """The same interval with value and limits multiplied by ``factor``."""
        return replace(
            self,
            value=self.value * factor,
            lower=self.lower * factor,
            upper=self.upper * factor,
        )


def z_value(confidence: float) -> float:
    """The two-sided standard normal quantile for a confidence level.

    Examples
    --------
    >>> round(z_value(0.95), 6)
    1.959964
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence}")
    return float(norm.ppf(1 - (1 - confidence) / 2))


def wilson(
    numerator: float, denominator: float, confidence: float = DEFAULT_CONFIDENCE
) -> Interval | None:
    """Wilson score interval of the proportion ``numerator / denominator`` (0 … 1).

    Parameters
    ----------
    numerator
        Number of cases (Zähler), 0 … ``denominator``.
    denominator
        Number at risk (Nenner). 0 gives no interval.
    confidence
        Confidence level.

    Returns
    -------
    Interval or None
        None when the denominator is 0.

    Examples
    --------
    Newcombe (1998), Table I, example (a):

    >>> ci = wilson(81, 263)
    >>> round(ci.lower, 4), round(ci.upper, 4)
    (0.2553, 0.3662)
    >>> wilson(0, 20).lower, round(wilson(0, 20).upper, 4)
    (0.0, 0.1611)
    >>> wilson(3, 0) is None
    True
    """
    if denominator == 0:
        return None
    if denominator < 0 or not 0 <= numerator <= denominator:
        raise ValueError(
            f"a share needs 0 <= numerator <= denominator, got {numerator} of "
            f"{denominator}"
        )
    z = z_value(confidence)
    n, p = float(denominator), numerator / denominator
    centre = p + z * z / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    # At 0 of n and n of n the limits are exactly 0 and 1; the formula gets there
    # only up to rounding.
    lower = 0.0 if numerator == 0 else (centre - half) / scale
    upper = 1.0 if numerator == denominator else (centre + half) / scale
    return Interval(
        value=p,
        lower=lower,
        upper=upper,
        confidence=confidence,
        method=IntervalMethod.WILSON,
    )


def exact_poisson(count: float, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Exact (Garwood) interval of a Poisson count from the chi-squared distribution.

    Examples
    --------
    >>> ci = exact_poisson(0)
    >>> ci.lower, round(ci.upper, 3)
    (0.0, 3.689)
    """
    _check_count(count)
    alpha = 1 - confidence
    z_value(confidence)  # validates the level
    lower = 0.0 if count == 0 else float(chi2.ppf(alpha / 2, 2 * count)) / 2
    upper = float(chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2
    return Interval(
        value=float(count),
        lower=lower,
        upper=upper,
        confidence=confidence,
        method=IntervalMethod.EXACT_POISSON,
    )


def byar(count: float, confidence: float = DEFAULT_CONFIDENCE) -> Interval:
    """Interval of a Poisson count as Fingertips computes it.

    Byar's approximation for counts of 10 or more, the exact Poisson interval
    (:func:`exact_poisson`) below 10, where Byar's method is less accurate.

    Examples
    --------
    >>> ci = byar(65)
    >>> ci.method.value, round(ci.lower, 4), round(ci.upper, 4)
    ('byar', 50.1632, 82.8491)
    >>> byar(5).method.value
    'exact_poisson'
    """
    _check_count(count)
    if count < EXACT_BELOW:
        return exact_poisson(count, confidence)
    z = z_value(confidence)
    o, o1 = float(count), float(count) + 1
    lower = o * (1 - 1 / (9 * o) - z / (3 * math.sqrt(o))) ** 3
    upper = o1 * (1 - 1 / (9 * o1) + z / (3 * math.sqrt(o1))) ** 3
    return Interval(
        value=o,
        lower=lower,
        upper=upper,
        confidence=confidence,
        method=IntervalMethod.BYAR,
    )


def rate(
    count: float,
    denominator: float,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    multiplier: float = 1000.0,
) -> Interval | None:
    """A rate ``count / denominator x multiplier`` with its interval (:func:`byar`).

    Examples
    --------
    >>> ci = rate(65, 10_000, multiplier=1000)
    >>> round(ci.value, 2), round(ci.lower, 4), round(ci.upper, 4)
    (6.5, 5.0163, 8.2849)
    >>> rate(4, 0) is None
    True
    """
    if denominator == 0:
        return None
    if denominator < 0:
        raise ValueError(f"a rate needs a positive denominator, got {denominator}")
    return byar(count, confidence).scaled(multiplier / denominator)


def share(
    numerator: float,
    denominator: float,
    confidence: float = DEFAULT_CONFIDENCE,
    *,
    multiplier: float = 100.0,
) -> Interval | None:
    """A share in percent (or per ``multiplier``) with its Wilson interval.

    Examples
    --------
    >>> ci = share(15, 148)
    >>> round(ci.value, 2), round(ci.lower, 2), round(ci.upper, 2)
    (10.14, 6.24, 16.05)
    """
    found = wilson(numerator, denominator, confidence)
    return None if found is None else found.scaled(multiplier)


def interval_for(
    indicator: Indicator,
    numerator: float | None,
    denominator: float | None,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Interval | None:
    """The interval of an observation on the indicator's own scale.

    Shares get a Wilson interval, rates Byar's (exact below 10). Counts, means,
    medians and index values, and values without numerator or denominator, have none.

    Examples
    --------
    >>> from sozialmonitor.domain.indicator import Indicator
    >>> sgb2 = Indicator(id="sgb2", name="SGB-II-Quote", unit="%", kind="share")
    >>> ci = interval_for(sgb2, 81, 263)
    >>> round(ci.lower, 2), round(ci.upper, 2)
    (25.53, 36.62)
    """
    if numerator is None or denominator is None:
        return None
    if any(math.isnan(x) for x in (numerator, denominator)):
        return None
    if indicator.kind is IndicatorKind.SHARE:
        return share(
            numerator, denominator, confidence, multiplier=indicator.multiplier
        )
    if indicator.kind is IndicatorKind.RATE:
        return rate(numerator, denominator, confidence, multiplier=indicator.multiplier)
    return None


def _check_count(count: float) -> None:
    if count < 0 or math.isnan(count):
        raise ValueError(f"a count must not be negative, got {count}")
