"""Area against benchmark: Fingertips' rule, polarity and "nicht verglichen"."""

from __future__ import annotations

import math

import pytest

from sozialmonitor.analysis.comparison import (
    LABELS,
    BenchmarkComparison,
    Comparison,
    compare,
    compare_observations,
    compare_with_benchmark,
)
from sozialmonitor.analysis.intervals import Interval, IntervalMethod, share, wilson
from sozialmonitor.domain.indicator import Indicator, Polarity
from sozialmonitor.domain.observation import Flag, Observation

# 81 of 263 (Newcombe 1998, Table I): 30.80 %, 95 % CI 25.53 … 36.62 %.
AREA = share(81, 263)


def quota(polarity: str = "higher_is_worse", min_count: int = 3) -> Indicator:
    return Indicator(
        id="sgb2",
        name="SGB-II-Quote",
        unit="%",
        kind="share",
        polarity=polarity,
        min_count=min_count,
    )


def test_labels_are_the_glossary_wording():
    assert LABELS == {
        Comparison.BETTER: "signifikant besser als",
        Comparison.SIMILAR: "ähnlich wie",
        Comparison.WORSE: "signifikant schlechter als",
        Comparison.HIGHER: "signifikant höher als",
        Comparison.LOWER: "signifikant niedriger als",
        Comparison.NOT_COMPARED: "nicht verglichen",
    }
    assert [c.value for c in Comparison] == [
        "better",
        "similar",
        "worse",
        "higher",
        "lower",
        "not_compared",
    ]


@pytest.mark.parametrize(
    ("polarity", "benchmark", "expected"),
    [
        # benchmark below the area's interval: the area is higher
        (Polarity.HIGHER_IS_WORSE, 20.0, Comparison.WORSE),
        (Polarity.HIGHER_IS_BETTER, 20.0, Comparison.BETTER),
        (Polarity.NEUTRAL, 20.0, Comparison.HIGHER),
        # benchmark above the interval: the area is lower
        (Polarity.HIGHER_IS_WORSE, 40.0, Comparison.BETTER),
        (Polarity.HIGHER_IS_BETTER, 40.0, Comparison.WORSE),
        (Polarity.NEUTRAL, 40.0, Comparison.LOWER),
        # benchmark inside: similar, whatever the polarity
        (Polarity.HIGHER_IS_WORSE, 30.0, Comparison.SIMILAR),
        (Polarity.HIGHER_IS_BETTER, 26.0, Comparison.SIMILAR),
        (Polarity.NEUTRAL, 36.0, Comparison.SIMILAR),
    ],
)
def test_fingertips_rule_with_polarity(
    polarity: Polarity, benchmark: float, expected: Comparison
):
    assert compare(AREA, benchmark, polarity) is expected


def test_benchmark_on_a_limit_counts_as_inside():
    assert AREA is not None
    assert compare(AREA, AREA.lower, Polarity.NEUTRAL) is Comparison.SIMILAR
    assert compare(AREA, AREA.upper, Polarity.NEUTRAL) is Comparison.SIMILAR


def test_missing_parts_are_not_compared():
    assert compare(None, 20.0, Polarity.NEUTRAL) is Comparison.NOT_COMPARED
    assert compare(AREA, None, Polarity.NEUTRAL) is Comparison.NOT_COMPARED
    assert compare(AREA, math.nan, Polarity.NEUTRAL) is Comparison.NOT_COMPARED


def test_compare_with_benchmark_from_counts():
    found = compare_with_benchmark(quota(), 81, 263, 20.0)
    assert found.result is Comparison.WORSE
    assert found.reason == ""
    assert found.interval is not None
    assert found.interval.lower == pytest.approx(25.53, abs=0.005)
    assert found.text("Region Hannover") == "signifikant schlechter als Region Hannover"


@pytest.mark.parametrize(
    ("numerator", "denominator", "benchmark", "reason"),
    [
        (2, 148, 20.0, "count 2 below the minimum of 3"),
        (None, 148, 20.0, "numerator or denominator missing"),
        (15, None, 20.0, "numerator or denominator missing"),
        (math.nan, 148, 20.0, "numerator or denominator missing"),
        (5, 0, 20.0, "no interval (denominator 0)"),
        (15, 148, None, "benchmark value missing"),
    ],
)
def test_not_compared_with_reason(
    numerator: float | None,
    denominator: float | None,
    benchmark: float | None,
    reason: str,
):
    found = compare_with_benchmark(quota(), numerator, denominator, benchmark)
    assert found.result is Comparison.NOT_COMPARED
    assert found.reason == reason
    assert found.text("Region Hannover") == "nicht verglichen"


def test_zero_count_below_min_count_is_not_compared_but_compared_when_allowed():
    hidden = compare_with_benchmark(quota(min_count=3), 0, 500, 5.0)
    assert hidden.result is Comparison.NOT_COMPARED
    shown = compare_with_benchmark(quota(min_count=0), 0, 500, 5.0)
    # 0 of 500: Wilson 95 % CI 0 … 0.76 %, below a benchmark of 5 %.
    assert shown.interval is not None and shown.interval.upper < 1.0
    assert shown.result is Comparison.BETTER


def test_hundred_percent_is_compared():
    found = compare_with_benchmark(quota(polarity="neutral"), 50, 50, 80.0)
    assert found.interval is not None and found.interval.upper == 100.0
    assert found.result is Comparison.HIGHER


def test_rates_use_byar_and_exact_intervals():
    births = Indicator(
        id="geb", name="Geburten", unit="je 1.000 EW", kind="rate", min_count=0
    )
    # 4 births on 1,000: exact 95 % CI 1.09 … 10.24 per 1,000.
    assert compare_with_benchmark(births, 4, 1000, 9.0).result is Comparison.SIMILAR
    assert compare_with_benchmark(births, 4, 1000, 12.0).result is Comparison.LOWER
    found = compare_with_benchmark(births, 65, 10_000, 9.0)
    assert found.interval is not None
    assert found.interval.method is IntervalMethod.BYAR
    assert found.result is Comparison.LOWER


def test_kinds_without_interval_are_not_compared():
    income = Indicator(id="eink", name="Einkommen", unit="EUR", kind="median")
    found = compare_with_benchmark(income, 10, 20, 1.0)
    assert found.result is Comparison.NOT_COMPARED
    assert found.reason == "no confidence interval for a median"


def test_compare_observations_respects_suppression():
    indicator = quota()
    area = Observation(
        indicator="sgb2", area="03241001", period="2021", value=30.8,
        numerator=81, denominator=263,
    )  # fmt: skip
    region = Observation(indicator="sgb2", area="03241", period="2021", value=20.0)
    assert compare_observations(indicator, area, region).result is Comparison.WORSE
    hidden = Observation(
        indicator="sgb2", area="03241001", period="2021", value=None,
        numerator=81, denominator=263, flags=int(Flag.SUPPRESSED),
    )  # fmt: skip
    found = compare_observations(indicator, hidden, region)
    assert found.result is Comparison.NOT_COMPARED
    assert found.reason == "value suppressed"


def test_confidence_level_is_passed_on():
    # 15 of 148 = 10.1 %: 95 % CI 6.2 … 16.1 %, 99.8 % CI 4.7 … 20.6 %.
    at_95 = compare_with_benchmark(quota(), 15, 148, 18.0)
    at_998 = compare_with_benchmark(quota(), 15, 148, 18.0, confidence=0.998)
    assert at_95.result is Comparison.BETTER
    assert at_998.result is Comparison.SIMILAR


def test_text_of_a_comparison():
    interval = wilson(1, 2)
    assert isinstance(interval, Interval)
    found = BenchmarkComparison(
        result=Comparison.HIGHER, interval=interval, benchmark=0.1
    )
    assert found.text("Stadt Hannover") == "signifikant höher als Stadt Hannover"
