"""Confidence intervals against published values and independent computations."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import gamma

from sozialmonitor.analysis.intervals import (
    EXACT_BELOW,
    IntervalMethod,
    byar,
    exact_poisson,
    interval_for,
    rate,
    share,
    wilson,
    z_value,
)
from sozialmonitor.domain.indicator import Indicator

RTOL = 1e-6
PUBLISHED_4DP = 0.5e-4
"""Half a unit in the last place of values published to 4 decimals."""
PUBLISHED_3DP = 0.5e-3

# Newcombe RG (1998). Two-sided confidence intervals for the single proportion:
# comparison of seven methods. Statistics in Medicine 17:857-872, Table I,
# method 3 (Wilson score interval without continuity correction).
NEWCOMBE_TABLE_I = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
]

# Exact (Garwood 1936) 95 % limits of a Poisson count as tabulated in the standard
# tables (e.g. Geigy Scientific Tables); epitools' pois.exact documents 3.689 as the
# upper limit for a count of 0.
EXACT_POISSON_TABLE = [
    (0, 0.0, 3.689),
    (1, 0.0253, 5.572),
    (2, 0.242, 7.225),
    (5, 1.623, 11.668),
    (9, 4.115, 17.085),
    (10, 4.795, 18.390),
]

# Byar's method at O = 65, the count of PHEindicatormethods' byars_lower/byars_upper
# examples; formula of the Fingertips technical guidance ("Rates"), 4 decimals.
BYAR_65 = (50.1632, 82.8491)


@pytest.mark.parametrize(("x", "n", "lower", "upper"), NEWCOMBE_TABLE_I)
def test_wilson_matches_newcombe_table_i(x: int, n: int, lower: float, upper: float):
    ci = wilson(x, n)
    assert ci is not None
    assert ci.method is IntervalMethod.WILSON
    assert ci.value == pytest.approx(x / n, rel=RTOL)
    assert ci.lower == pytest.approx(lower, abs=PUBLISHED_4DP)
    assert ci.upper == pytest.approx(upper, abs=PUBLISHED_4DP)


def test_wilson_zero_and_all_cases_are_mirror_images():
    none = wilson(0, 20)
    everyone = wilson(20, 20)
    assert none is not None and everyone is not None
    assert none.lower == 0.0
    assert everyone.upper == 1.0
    assert everyone.value == 1.0
    assert everyone.lower == pytest.approx(1 - none.upper, rel=RTOL)


def test_wilson_denominator_zero_has_no_interval():
    assert wilson(0, 0) is None
    assert share(0, 0) is None


@pytest.mark.parametrize(("x", "n"), [(-1, 10), (11, 10), (1, -5)])
def test_wilson_rejects_impossible_counts(x: int, n: int):
    with pytest.raises(ValueError, match="numerator"):
        wilson(x, n)


def test_wilson_wider_at_higher_confidence():
    ci95, ci998 = wilson(81, 263, 0.95), wilson(81, 263, 0.998)
    assert ci95 is not None and ci998 is not None
    assert ci998.lower < ci95.lower < ci95.upper < ci998.upper


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95.0, -0.5])
def test_confidence_level_must_be_a_fraction(confidence: float):
    with pytest.raises(ValueError, match="confidence"):
        z_value(confidence)


def test_z_value_is_the_normal_quantile():
    assert z_value(0.95) == pytest.approx(1.959963984540054, rel=RTOL)
    assert z_value(0.998) == pytest.approx(3.090232306167813, rel=RTOL)


@pytest.mark.parametrize(("count", "lower", "upper"), EXACT_POISSON_TABLE)
def test_exact_poisson_matches_published_table(count: int, lower: float, upper: float):
    ci = exact_poisson(count)
    assert ci.lower == pytest.approx(lower, abs=PUBLISHED_3DP)
    assert ci.upper == pytest.approx(upper, abs=PUBLISHED_3DP)


@pytest.mark.parametrize("count", [0, 1, 3, 9, 10, 57, 1000])
@pytest.mark.parametrize("confidence", [0.95, 0.998])
def test_exact_poisson_equals_gamma_quantiles(count: int, confidence: float):
    # Independent route: the exact limits are quantiles of the gamma distribution.
    alpha = 1 - confidence
    ci = exact_poisson(count, confidence)
    expected_lower = 0.0 if count == 0 else gamma.ppf(alpha / 2, count)
    assert ci.lower == pytest.approx(expected_lower, rel=RTOL)
    assert ci.upper == pytest.approx(gamma.ppf(1 - alpha / 2, count + 1), rel=RTOL)


def test_byar_at_65():
    ci = byar(65)
    assert ci.method is IntervalMethod.BYAR
    assert (ci.lower, ci.upper) == pytest.approx(BYAR_65, abs=PUBLISHED_4DP)


def test_byar_within_two_per_mille_of_exact_from_ten_on():
    # PHE Technical Guide "Confidence Intervals" (2018): for 95 % intervals Byar's
    # method is within 0.2 % of the exact value for numerators of 10 or more.
    for count in range(EXACT_BELOW, 3000):
        approx, exact = byar(count), exact_poisson(count)
        assert abs(approx.lower / exact.lower - 1) < 0.002
        assert abs(approx.upper / exact.upper - 1) < 0.002


def test_byar_uses_exact_below_ten_as_fingertips_does():
    assert byar(EXACT_BELOW - 1).method is IntervalMethod.EXACT_POISSON
    assert byar(EXACT_BELOW).method is IntervalMethod.BYAR
    assert byar(0).lower == 0.0
    assert byar(0).upper == pytest.approx(3.6888794541139363, rel=RTOL)


def test_negative_count_is_rejected():
    with pytest.raises(ValueError, match="negative"):
        byar(-1)


def test_rate_is_scaled_by_denominator_and_multiplier():
    ci = rate(65, 10_000, multiplier=1000)
    assert ci is not None
    assert ci.value == pytest.approx(6.5, rel=RTOL)
    assert ci.lower == pytest.approx(BYAR_65[0] / 10, abs=PUBLISHED_4DP)
    assert ci.upper == pytest.approx(BYAR_65[1] / 10, abs=PUBLISHED_4DP)


def test_rate_with_zero_count_and_zero_denominator():
    ci = rate(0, 2_000, multiplier=1000)
    assert ci is not None
    assert (ci.value, ci.lower) == (0.0, 0.0)
    assert ci.upper == pytest.approx(3.6888794541139363 / 2, rel=RTOL)
    assert rate(3, 0) is None


def test_share_is_in_percent():
    ci = share(81, 263)
    assert ci is not None
    assert ci.lower == pytest.approx(25.53, abs=PUBLISHED_4DP * 100)
    assert ci.upper == pytest.approx(36.62, abs=PUBLISHED_4DP * 100)


def test_interval_for_follows_the_indicator_kind():
    quota = Indicator(id="sgb2", name="SGB-II-Quote", unit="%", kind="share")
    births = Indicator(id="geb", name="Geburten", unit="je 1.000 EW", kind="rate")
    people = Indicator(id="ew", name="Einwohner", unit="Personen", kind="count")
    found = interval_for(quota, 15, 148)
    assert found is not None and found.method is IntervalMethod.WILSON
    assert found.upper == pytest.approx(16.05, abs=PUBLISHED_4DP * 100)
    per_1000 = interval_for(births, 65, 10_000)
    assert per_1000 is not None and per_1000.method is IntervalMethod.BYAR
    assert per_1000.value == pytest.approx(6.5, rel=RTOL)
    assert interval_for(people, 65, 10_000) is None
    assert interval_for(quota, None, 148) is None
    assert interval_for(quota, 15, None) is None
    assert interval_for(quota, math.nan, 148) is None
    assert interval_for(quota, 0, 0) is None


def test_intervals_contain_their_value():
    for x, n in [(0, 7), (3, 7), (7, 7), (1, 10_000)]:
        ci = wilson(x, n)
        assert ci is not None and ci.contains(ci.value)
    for count in np.arange(0, 40):
        ci = byar(float(count))
        assert ci.contains(ci.value)
