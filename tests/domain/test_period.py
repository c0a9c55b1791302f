from __future__ import annotations

import datetime as dt

import pytest

from sozialmonitor.domain.period import PeriodKind, parse_period
from sozialmonitor.errors import InvalidPeriodError


@pytest.mark.parametrize(
    ("raw", "code", "kind"),
    [
        ("2021", "2021", PeriodKind.YEAR),
        (2021, "2021", PeriodKind.YEAR),
        (2021.0, "2021", PeriodKind.YEAR),
        ("2022-H1", "2022-H1", PeriodKind.HALF_YEAR),
        ("1. Halbjahr 2022", "2022-H1", PeriodKind.HALF_YEAR),
        ("H2 2022", "2022-H2", PeriodKind.HALF_YEAR),
        ("31.12.2021", "2021-12-31", PeriodKind.DATE),
        ("2021-12-31", "2021-12-31", PeriodKind.DATE),
        (dt.datetime(2021, 6, 30), "2021-06-30", PeriodKind.DATE),
    ],
)
def test_periods_as_planners_write_them(
    raw: object, code: str, kind: PeriodKind
) -> None:
    period = parse_period(raw)
    assert period.code == code
    assert period.kind is kind
    assert parse_period(period.code) == period


def test_half_years_cover_their_months() -> None:
    second = parse_period("2022-H2")
    assert (second.start, second.end) == (dt.date(2022, 7, 1), dt.date(2022, 12, 31))


@pytest.mark.parametrize("raw", ["", "21", "2021-H3", "31.02.2021", "1850", "Q1 2021"])
def test_not_a_period_says_how_to_write_one(raw: str) -> None:
    with pytest.raises(InvalidPeriodError) as err:
        parse_period(raw)
    assert "not" in err.value.message
