"""Whether a value changed significantly between two periods.

* Shares (Anteile) with numerator and denominator: the two-sample test of
  proportions with the pooled variance (z statistic, two-sided normal p-value).
* Rates with numerator and denominator: the exact conditional test of two Poisson
  counts (Przyborowski & Wilenski 1940): given both case counts together, the
  later one is binomial with the share of the exposure (the denominators). Its
  p-value is the two-sided exact binomial p-value (from ``EXACT_UP_TO`` counts
  together on, its normal approximation); the statistic reported is the
  standardised difference.
* Counts and sums (inhabitants, cases of a whole area): not tested (None). Taken
  as Poisson counts, a large area's population would change "significantly" by
  any few hundred people; a count is a full enumeration, not a sample, and its
  change is stated as a difference (issue 13: "counts and sums are not called
  signifikant"; ``digest_values`` states them so).
* Means, medians and index values, values without their counts, and case counts
  below the indicator's ``min_count``: not tested (None).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from scipy.stats import binomtest, norm

from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.observation import Observation

DEFAULT_ALPHA = 0.05
EXACT_UP_TO = 1_000
"""Two counts together up to this get the exact binomial p-value, larger ones its
normal approximation (the exact test costs milliseconds at large counts, and the
approximation is close there)."""


class ChangeTestMethod(StrEnum):
    TWO_PROPORTIONS = "two_proportions_z"
    POISSON_EXACT = "poisson_conditional_exact"


@dataclass(frozen=True, kw_only=True)
class ChangeTest:
    """The test of a change between two values of one area."""

    method: ChangeTestMethod
    statistic: float
    """The z statistic (later minus earlier, standardised)."""
    p_value: float
    """Two-sided p-value."""

    def significant(self, alpha: float = DEFAULT_ALPHA) -> bool:
        return self.p_value < alpha


def change_significance(
    indicator: Indicator, before: Observation, after: Observation
) -> ChangeTest | None:
    """Test the change from ``before`` to ``after`` (None: not testable).

    Examples
    --------
    >>> share = Indicator(id="s", name="S", unit="%", kind="share")
    >>> def obs(n, d):
    ...     return Observation(
    ...         indicator="s", area="a", period="2021", value=n / d * 100,
    ...         numerator=n, denominator=d,
    ...     )
    >>> found = change_significance(share, obs(182, 1000), obs(240, 1000))
    >>> found.method.value, round(found.statistic, 3), found.significant()
    ('two_proportions_z', 3.179, True)
    >>> change_significance(share, obs(2, 10), obs(3, 10)) is None  # below min_count 3
    True
    >>> people = Indicator(id="p", name="P", unit="Personen", kind="count")
    >>> def count(n):
    ...     return Observation(indicator="p", area="a", period="2021", value=n)
    >>> change_significance(people, count(500_000), count(503_000)) is None
    True
    """
    kind = indicator.kind
    if kind not in (IndicatorKind.SHARE, IndicatorKind.RATE):
        return None
    parts = (before.numerator, before.denominator, after.numerator, after.denominator)
    if any(p is None or math.isnan(p) for p in parts):
        return None
    n1, d1, n2, d2 = (float(p) for p in parts)  # type: ignore[arg-type]
    if d1 <= 0 or d2 <= 0:
        return None
    if kind is IndicatorKind.RATE:
        return _poisson(n1, n2, d1, d2, indicator.min_count)
    if min(n1, n2) < indicator.min_count or n1 > d1 or n2 > d2:
        return None
    pooled = (n1 + n2) / (d1 + d2)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / d1 + 1 / d2))
    if spread == 0:
        return None
    z = (n2 / d2 - n1 / d1) / spread
    return ChangeTest(
        method=ChangeTestMethod.TWO_PROPORTIONS,
        statistic=z,
        p_value=float(2 * norm.sf(abs(z))),
    )


def _poisson(
    n1: float, n2: float, e1: float, e2: float, min_count: int
) -> ChangeTest | None:
    """Two Poisson counts with exposures ``e1`` and ``e2``."""
    if min(n1, n2) < min_count or n1 < 0 or n2 < 0:
        return None
    if n1 != round(n1) or n2 != round(n2) or n1 + n2 == 0:
        return None
    total = int(n1 + n2)
    expected_share = e2 / (e1 + e2)
    spread = math.sqrt(total * expected_share * (1 - expected_share))
    z = (n2 - total * expected_share) / spread
    if total <= EXACT_UP_TO:
        p_value = float(binomtest(int(n2), total, expected_share).pvalue)
    else:
        p_value = float(2 * norm.sf(abs(z)))
    return ChangeTest(
        method=ChangeTestMethod.POISSON_EXACT, statistic=z, p_value=p_value
    )
