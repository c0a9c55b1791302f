"""Trends and changes against published values and independent implementations."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import kendalltau, theilslopes

from sozialmonitor.analysis.changes import Span, changes
from sozialmonitor.analysis.trends import (
    TrendDirection,
    logit_trend,
    mann_kendall,
    sens_slope,
    trend,
)
from sozialmonitor.domain.period import missing_periods, period_position, step_back
from sozialmonitor.errors import InvalidPeriodError

RTOL = 1e-9
PUBLISHED_3DP = 0.5e-3
PUBLISHED_4DP = 0.5e-4
DATA = Path(__file__).parents[1] / "data" / "statistics"


def bogra() -> np.ndarray:
    with (DATA / "bogra_monthly_rainfall.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return np.array([float(r["Bogra"]) if r["Bogra"] else math.nan for r in rows])


# --- Mann-Kendall ------------------------------------------------------------------


def test_gilbert_example():
    # Gilbert (1987), Statistical Methods for Environmental Pollution Monitoring,
    # Example 16.1: 10, 15, 14, 20 → S = 4; Table A18: P(S >= 4 | n = 4) = 0.167.
    mk = mann_kendall([10, 15, 14, 20])
    assert mk.s == 4
    assert mk.exact
    assert mk.p_value / 2 == pytest.approx(0.167, abs=PUBLISHED_3DP)


def test_pymannkendall_reference_with_ties_and_gaps():
    # pyMannKendall's test_original_test on the Bogra column (see README.md there).
    values = bogra()
    mk = mann_kendall(values)
    assert mk.n == int((~np.isnan(values)).sum())
    assert mk.s == -1959
    assert not mk.exact
    assert mk.var_s == pytest.approx(4889800.333333333, rel=RTOL)
    assert mk.z == pytest.approx(-0.8854562842589916, rel=RTOL)
    assert mk.p_value == pytest.approx(0.37591058740506833, rel=RTOL)
    assert mk.tau == pytest.approx(-0.03153167653875869, rel=RTOL)
    # pyMannKendall's slope closes the gaps (positions of the values left)…
    present = values[~np.isnan(values)]
    assert sens_slope(np.arange(len(present)), present) == pytest.approx(
        -0.0064516129032258064, rel=RTOL
    )
    # …ours keeps every value at its month, as scipy's Theil-Sen estimator does.
    months = np.arange(len(values))
    keep = ~np.isnan(values)
    expected = theilslopes(values[keep], months[keep]).slope
    assert sens_slope(months, values) == pytest.approx(expected, rel=RTOL)


@pytest.mark.parametrize("n", range(3, 11))
def test_exact_p_equals_scipy_kendall_exact(n: int):
    rng = np.random.default_rng(n)
    for _ in range(5):
        values = rng.permutation(n).astype(float)
        mk = mann_kendall(values)
        expected = kendalltau(np.arange(n), values, method="exact").pvalue
        assert mk.exact
        assert mk.p_value == pytest.approx(expected, rel=RTOL)


def test_normal_approximation_equals_kendall_without_correction():
    # Without ties and without continuity correction, Z is scipy's asymptotic z;
    # ours subtracts 1 from |S| (Gilbert 1987, eq. 16.5).
    rng = np.random.default_rng(7)
    values = rng.normal(size=40).cumsum()
    mk = mann_kendall(values)
    assert not mk.exact
    reference = kendalltau(np.arange(40), values, method="asymptotic")
    assert mk.tau == pytest.approx(reference.statistic, rel=RTOL)
    assert mk.z == pytest.approx((mk.s - np.sign(mk.s)) / math.sqrt(mk.var_s))
    assert mk.var_s == pytest.approx(40 * 39 * 85 / 18, rel=RTOL)


def test_monotonic_series_and_flat_series():
    rising = mann_kendall([1, 2, 3, 4, 5])
    assert rising.s == 10 and rising.tau == 1.0
    assert rising.p_value == pytest.approx(2 / 120, rel=RTOL)  # 2 of 5! orderings
    flat = mann_kendall([3, 3, 3, 3, 3])
    assert (flat.s, flat.z, flat.p_value) == (0, 0.0, 1.0)
    assert not flat.exact


def test_mann_kendall_needs_two_values():
    with pytest.raises(ValueError, match="two values"):
        mann_kendall([1.0, math.nan])


def test_sens_slope_by_hand():
    # slopes 2, 1.5, 2, 1, 2, 3 → median 2
    assert sens_slope([2019, 2020, 2021, 2022], [10, 12, 13, 16]) == 2.0
    # a gap counts as time: 10 → 14 over 2 years is 2 per year
    assert sens_slope([2019, 2021], [10, 14]) == 2.0


# --- logit regression ----------------------------------------------------------------


def test_logit_agresti_snoring():
    # Agresti (2002), Categorical Data Analysis, 2nd ed., Table 4.2 and Section 4.2:
    # snoring scores 0, 2, 4, 5; heart disease 24/1379, 35/638, 21/213, 30/254;
    # logit(pi) = -3.8662 + 0.3973 x, SE(slope) = 0.0500.
    fit = logit_trend([0, 2, 4, 5], [24, 35, 21, 30], [1379, 638, 213, 254])
    assert fit is not None
    assert fit.slope == pytest.approx(0.3973, abs=PUBLISHED_4DP)
    assert fit.standard_error == pytest.approx(0.0500, abs=PUBLISHED_4DP)
    assert fit.odds_ratio == pytest.approx(math.exp(fit.slope), rel=RTOL)


def test_logit_two_points_is_the_log_odds_ratio():
    # Two periods: the model is saturated; slope = log odds ratio per year and its
    # standard error is Woolf's sqrt(1/a + 1/b + 1/c + 1/d).
    fit = logit_trend([2015, 2020], [30, 45], [200, 210])
    assert fit is not None
    log_or = math.log((45 / 165) / (30 / 170))
    assert fit.slope == pytest.approx(log_or / 5, rel=1e-8)
    woolf = math.sqrt(1 / 30 + 1 / 170 + 1 / 45 + 1 / 165)
    assert fit.standard_error == pytest.approx(woolf / 5, rel=1e-8)


def test_logit_edge_cases():
    years = [2017, 2018, 2019, 2020]
    assert logit_trend(years, [0, 0, 0, 0], [50, 60, 70, 80]) is None
    assert logit_trend(years, [50, 60, 70, 80], [50, 60, 70, 80]) is None
    assert logit_trend(years[:1], [5], [50]) is None
    assert logit_trend(years, [0, 0, 40, 40], [40, 40, 40, 40]) is None  # separation
    one_zero = logit_trend(years, [0, 3, 5, 9], [100, 100, 100, 100])
    assert one_zero is not None and one_zero.slope > 0
    gaps = logit_trend(years, [3, math.nan, 5, 9], [100, 100, 0, 100])
    assert gaps is not None  # missing and zero denominators are skipped


# --- periods -------------------------------------------------------------------------


def test_period_positions_are_decimal_years():
    assert period_position("2020") == 2020.5
    assert period_position("2020-H1") == 2020.25
    assert period_position("1. Halbjahr 2020") == 2020.25
    assert period_position("31.12.2020") == pytest.approx(2020 + 365.5 / 366)


@pytest.mark.parametrize(
    ("code", "years", "expected"),
    [
        ("2021", 0, "2020"),
        ("2021", 5, "2016"),
        ("2021", 10, "2011"),
        ("2021-H1", 0, "2020-H2"),
        ("2021-H2", 0, "2021-H1"),
        ("2021-H2", 5, "2016-H2"),
        ("2021-12-31", 0, "2020-12-31"),
        ("2021-06-30", 10, "2011-06-30"),
        ("2020-02-29", 0, "2019-02-28"),
    ],
)
def test_step_back(code: str, years: int, expected: str):
    assert step_back(code, years) == expected


def test_missing_periods():
    assert missing_periods(["2019", "2015", "2016"]) == ("2017", "2018")
    assert missing_periods(["2020-H1", "2021-H2"]) == ("2020-H2", "2021-H1")
    assert missing_periods(["2018-12-31", "2021-12-31"]) == (
        "2019-12-31",
        "2020-12-31",
    )
    assert missing_periods(["2021"]) == ()
    assert missing_periods([]) == ()


# --- trend ---------------------------------------------------------------------------


def test_trend_reports_gaps_without_bridging():
    series = {"2015": 5.0, "2016": 5.4, "2017": None, "2018": 6.1, "2020": 6.9}
    found = trend(series)
    assert found.periods == ("2015", "2016", "2018", "2020")
    assert found.missing_periods == ("2017", "2019")
    assert found.direction is TrendDirection.NOT_TESTED  # 4 values < 5
    assert found.mann_kendall is None
    assert found.sen_slope is not None
    assert trend(series, min_points=4).mann_kendall is not None


def test_trend_directions():
    rising = {str(y): 10 + 0.5 * (y - 2010) for y in range(2010, 2021)}
    falling = {k: -v for k, v in rising.items()}
    noise = dict(zip(rising, [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5], strict=True))
    assert trend(rising).direction is TrendDirection.INCREASING
    assert trend(rising).sen_slope == pytest.approx(0.5, rel=RTOL)
    assert trend(falling).direction is TrendDirection.DECREASING
    assert trend(noise).direction is TrendDirection.NO_TREND
    assert TrendDirection.INCREASING.label == "steigend, signifikant"


def test_trend_of_half_years_is_per_year():
    series = {f"{y}-H{h}": float(2 * (y - 2015) + h) for y in range(2015, 2019)
              for h in (1, 2)}  # fmt: skip
    found = trend(series)
    assert found.sen_slope == pytest.approx(2.0, rel=RTOL)  # +1 a half-year


def test_trend_by_logit_for_shares():
    periods = ["2016", "2017", "2018", "2019", "2020"]
    numerators = dict(zip(periods, [100, 110, 125, 140, 150], strict=True))
    denominators = dict.fromkeys(periods, 1000)
    shares = {p: numerators[p] / 10 for p in periods}
    found = trend(
        shares, numerators=numerators, denominators=denominators, method="logit"
    )
    assert found.logit is not None and found.logit.p_value < 0.05
    assert found.direction is TrendDirection.INCREASING
    without_counts = trend(shares, method="logit")
    assert without_counts.direction is TrendDirection.NOT_TESTED


def test_trend_rejects_mixed_periods_and_unknown_methods():
    with pytest.raises(InvalidPeriodError, match="mixes"):
        trend({"2020": 1.0, "2021-H1": 2.0})
    with pytest.raises(ValueError, match="unknown trend method"):
        trend({"2020": 1.0}, method="linear")


# --- changes -------------------------------------------------------------------------


def test_changes_over_one_five_and_ten_years():
    series = {"2011": 8.0, "2015": 12.0, "2016": 12.5, "2021": 10.0, "2020": 9.0}
    previous, five, ten = changes(series, share=True)
    assert (previous.span, previous.base_period) == (Span.PREVIOUS, "2020")
    assert previous.absolute == pytest.approx(1.0)
    assert previous.relative == pytest.approx(100 / 9)
    assert previous.percentage_points
    assert (five.base_period, five.absolute) == ("2016", pytest.approx(-2.5))
    assert five.relative == pytest.approx(-20.0)
    assert (ten.base_period, ten.absolute) == ("2011", pytest.approx(2.0))
    assert [c.span.label for c in (previous, five, ten)] == [
        "gegenüber der Vorperiode",
        "in 5 Jahren",
        "in 10 Jahren",
    ]


def test_change_against_a_missing_period_is_not_available():
    found = changes({"2019": 5.0, "2021": 6.0})
    previous = found[0]
    assert previous.base_period == "2020"
    assert not previous.available
    assert previous.absolute is None and previous.relative is None


def test_relative_change_from_zero_is_not_available():
    previous = changes({"2020": 0.0, "2021": 3.0})[0]
    assert previous.absolute == 3.0
    assert previous.relative is None


def test_changes_of_half_years_dates_and_a_chosen_period():
    half = changes({"2020-H2": 4.0, "2021-H1": 5.0, "2016-H1": 2.0})
    assert [c.absolute for c in half] == [1.0, 3.0, None]
    dates = changes({"31.12.2020": 100.0, "31.12.2021": 110.0}, period="2021-12-31")
    assert dates[0].base_period == "2020-12-31"
    assert dates[0].relative == pytest.approx(10.0)
    earlier = changes({"2020": 4.0, "2021": 5.0, "2019": 3.0}, period="2020")
    assert earlier[0].absolute == 1.0
    assert changes({}) == ()
