"""Periods as official exports write them."""

from __future__ import annotations

import pytest

from sozialmonitor.domain.period import parse_period
from sozialmonitor.ingest.official.period import official_period


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("31.12.2015", "2015-12-31"),
        ("30.06.2015", "2015-06-30"),
        ("2015", "2015"),
        ("Dez 2017", "2017-12-31"),
        ("Februar 2016", "2016-02-29"),
        ("Mär. 2019", "2019-03-31"),
        ("2017/2018", "2018"),
        ("2017/18", "2018"),
        ("2021-12-31", "2021-12-31"),
    ],
)
def test_official_periods_become_the_projects(cell: str, code: str) -> None:
    assert official_period(cell) == code
    assert parse_period(code).code == code  # what validation reads


@pytest.mark.parametrize(
    "cell",
    [
        "Insgesamt",
        "31.02.2015",
        "2017/2019",
        "1850",
        "Foo 2017",
        "03241",
        "",
        "13.13.2013",
    ],
)
def test_other_cells_are_no_period(cell: str) -> None:
    assert official_period(cell) is None


def test_a_school_year_may_count_by_its_start() -> None:
    assert official_period("2017/2018", school_year="start") == "2017"
