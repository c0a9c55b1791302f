"""An area against its benchmark (the region or the parent area), as Fingertips does.

The rule of England's public-health profiles: the area's value differs
significantly from the benchmark when the benchmark's value lies outside the
area's 95 % confidence interval. The indicator's polarity turns "higher" into
"better" or "worse"; a neutral indicator stays "höher / niedriger". Too few cases
(below the indicator's ``min_count``), a missing part or no interval: "nicht
verglichen".
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from sozialmonitor.analysis.intervals import DEFAULT_CONFIDENCE, Interval, interval_for
from sozialmonitor.domain.indicator import Indicator, Polarity
from sozialmonitor.domain.observation import Flag, Observation


class Comparison(StrEnum):
    """Result of a comparison; the value is the code, ``label`` the German words."""

    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    HIGHER = "higher"
    LOWER = "lower"
    NOT_COMPARED = "not_compared"

    @property
    def label(self) -> str:
        """German wording as in GLOSSARY.md, to be followed by the benchmark's name."""
        return LABELS[self]


LABELS: dict[Comparison, str] = {
    Comparison.BETTER: "signifikant besser als",
    Comparison.SIMILAR: "ähnlich wie",
    Comparison.WORSE: "signifikant schlechter als",
    Comparison.HIGHER: "signifikant höher als",
    Comparison.LOWER: "signifikant niedriger als",
    Comparison.NOT_COMPARED: "nicht verglichen",
}


def compare(
    interval: Interval | None, benchmark: float | None, polarity: Polarity
) -> Comparison:
    """Compare an area's interval with the benchmark's value.

    Parameters
    ----------
    interval
        The area's value with its confidence interval; None: not compared.
    benchmark
        The benchmark's value on the same scale; None or NaN: not compared.
    polarity
        Whether higher values are better, worse or neither.

    Examples
    --------
    >>> from sozialmonitor.analysis.intervals import share
    >>> ci = share(81, 263)  # 30.8 %, 95 % CI 25.5 … 36.6 %
    >>> compare(ci, 20.0, Polarity.HIGHER_IS_WORSE).label
    'signifikant schlechter als'
    >>> compare(ci, 20.0, Polarity.NEUTRAL).value
    'higher'
    >>> compare(ci, 30.0, Polarity.HIGHER_IS_BETTER).label
    'ähnlich wie'
    >>> compare(None, 30.0, Polarity.NEUTRAL).label
    'nicht verglichen'
    """
    if interval is None or benchmark is None or math.isnan(benchmark):
        return Comparison.NOT_COMPARED
    if interval.contains(benchmark):
        return Comparison.SIMILAR
    area_is_higher = benchmark < interval.lower
    if polarity is Polarity.NEUTRAL:
        return Comparison.HIGHER if area_is_higher else Comparison.LOWER
    higher_is_better = polarity is Polarity.HIGHER_IS_BETTER
    return Comparison.BETTER if area_is_higher == higher_is_better else Comparison.WORSE


@dataclass(frozen=True, kw_only=True)
class BenchmarkComparison:
    """An area's value compared with a benchmark, with what it rests on."""

    result: Comparison
    """Better, similar, worse (or higher/lower), or not compared."""
    interval: Interval | None
    """The area's value with its confidence interval, if there is one."""
    benchmark: float | None
    """The benchmark's value."""
    reason: str = ""
    """Why it was not compared (empty when it was)."""

    def text(self, benchmark_name: str) -> str:
        """The German sentence part, e.g. ``signifikant besser als Region Hannover``.

        Examples
        --------
        >>> BenchmarkComparison(
        ...     result=Comparison.SIMILAR, interval=None, benchmark=1.0
        ... ).text("Region Hannover")
        'ähnlich wie Region Hannover'
        """
        if self.result is Comparison.NOT_COMPARED:
            return self.result.label
        return f"{self.result.label} {benchmark_name}"


def compare_with_benchmark(
    indicator: Indicator,
    numerator: float | None,
    denominator: float | None,
    benchmark: float | None,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> BenchmarkComparison:
    """Compare an area given by numerator and denominator with a benchmark value.

    Parameters
    ----------
    indicator
        Supplies kind (share or rate), multiplier, polarity and ``min_count``.
    numerator, denominator
        The area's counts; a missing one means "not compared".
    benchmark
        The benchmark's value on the indicator's scale (percent, per 1,000 …).
    confidence
        Confidence level of the area's interval.

    Examples
    --------
    >>> from sozialmonitor.domain.indicator import Indicator
    >>> sgb2 = Indicator(
    ...     id="sgb2", name="SGB-II-Quote", unit="%", polarity="higher_is_worse"
    ... )
    >>> compare_with_benchmark(sgb2, 15, 148, 20.0).text("Region Hannover")
    'signifikant besser als Region Hannover'
    >>> found = compare_with_benchmark(sgb2, 2, 148, 20.0)
    >>> found.result.label, found.reason
    ('nicht verglichen', 'count 2 below the minimum of 3')
    """

    def skipped(reason: str, interval: Interval | None = None) -> BenchmarkComparison:
        return BenchmarkComparison(
            result=Comparison.NOT_COMPARED,
            interval=interval,
            benchmark=benchmark,
            reason=reason,
        )

    if not indicator.is_ratio:
        return skipped(f"no confidence interval for a {indicator.kind.value}")
    if numerator is None or denominator is None or math.isnan(numerator + denominator):
        return skipped("numerator or denominator missing")
    if numerator < indicator.min_count:
        return skipped(
            f"count {numerator:g} below the minimum of {indicator.min_count}"
        )
    interval = interval_for(indicator, numerator, denominator, confidence)
    if interval is None:
        return skipped("no interval (denominator 0)")
    if benchmark is None or math.isnan(benchmark):
        return skipped("benchmark value missing", interval)
    return BenchmarkComparison(
        result=compare(interval, benchmark, indicator.polarity),
        interval=interval,
        benchmark=benchmark,
    )


def compare_observations(
    indicator: Indicator,
    area: Observation,
    benchmark: Observation,
    *,
    confidence: float = DEFAULT_CONFIDENCE,
) -> BenchmarkComparison:
    """Compare two observations as read through the gate (area vs. benchmark).

    Suppressed values on either side are not compared.
    """
    if (area.flags | benchmark.flags) & Flag.SUPPRESSED:
        return BenchmarkComparison(
            result=Comparison.NOT_COMPARED,
            interval=None,
            benchmark=None,
            reason="value suppressed",
        )
    return compare_with_benchmark(
        indicator,
        area.numerator,
        area.denominator,
        benchmark.value,
        confidence=confidence,
    )
