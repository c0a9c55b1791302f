from __future__ import annotations

import pytest

from sozialmonitor.domain.aggregation import aggregate
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation

RTOL = 1e-12
SHARE = Indicator(id="share", name="Anteil", unit="%")
COUNT = Indicator(id="count", name="Anzahl", unit="Personen", kind="count")
INDEX = Indicator(id="index", name="Index", unit="Index", kind="index")


def obs(
    area: str,
    value: float | None,
    num: float | None = None,
    den: float | None = None,
    flags: int = 0,
) -> Observation:
    return Observation(
        indicator="share",
        area=area,
        period="2021",
        value=value,
        numerator=num,
        denominator=den,
        flags=flags,
    )


def test_share_is_sum_of_numerators_over_sum_of_denominators() -> None:
    # a big town with a low rate and a small one with a high rate: the mean of the
    # rates (27.5 %) would be wrong; the region's rate is 1,050 / 20,100.
    result = aggregate(
        SHARE,
        "R",
        "2021",
        ["a", "b"],
        [obs("a", 5.0, 1000, 20000), obs("b", 50.0, 50, 100)],
    )
    assert result is not None
    assert result.value == pytest.approx(1050 / 20100 * 100, rel=RTOL)
    assert (result.numerator, result.denominator) == (1050, 20100)
    assert result.flags & Flag.COMPUTED
    assert result.missing_children == ()


def test_missing_children_are_named() -> None:
    result = aggregate(SHARE, "R", "2021", ["a", "b", "c"], [obs("a", 5.0, 1, 20)])
    assert result is not None
    assert result.missing_children == ("b", "c")
    assert "1 of 3" in (result.note or "")


def test_counts_add_up_values() -> None:
    kids = [obs("a", 100.0), obs("b", 23.0)]
    result = aggregate(COUNT, "R", "2021", ["a", "b"], kids)
    assert result is not None
    assert result.value == 123.0


def test_rate_without_parts_and_index_are_not_aggregated() -> None:
    assert aggregate(SHARE, "R", "2021", ["a"], [obs("a", 5.0)]) is None
    assert aggregate(INDEX, "R", "2021", ["a"], [obs("a", 1.2, 1, 2)]) is None


def test_suppressed_children_do_not_count() -> None:
    kids = [obs("a", None, flags=int(Flag.SUPPRESSED)), obs("b", 10.0, 10, 100)]
    result = aggregate(SHARE, "R", "2021", ["a", "b"], kids)
    assert result is not None
    assert result.value == pytest.approx(10.0)
    assert result.missing_children == ("a",)
