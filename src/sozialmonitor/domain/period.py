"""Periods: a year, a half-year or a reference date (Stichtag).

Canonical text forms are ``2021``, ``2021-H1`` and ``2021-12-31``; they sort correctly
within one kind, and ``start``/``end`` dates order periods of different kinds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sozialmonitor.errors import InvalidPeriodError


class PeriodKind(StrEnum):
    YEAR = "year"
    HALF_YEAR = "half_year"
    DATE = "date"


_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
_HALF = re.compile(r"^(\d{4})[-/ ]?H([12])$", re.IGNORECASE)
_HALF_ALT = re.compile(r"^H([12])[-/ ]?(\d{4})$", re.IGNORECASE)
_HALF_DE = re.compile(r"^([12])\.\s*Halbjahr\s+(\d{4})$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00)?)?$")
_DE_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")

MIN_YEAR = 1900
MAX_YEAR = 2100


@dataclass(frozen=True, order=True, kw_only=True)
class Period:
    """One period of an observation."""

    start: dt.date
    """First day the period covers."""
    end: dt.date
    """Last day the period covers (the reference date for a Stichtag)."""
    kind: PeriodKind
    """Year, half-year or reference date."""

    @property
    def code(self) -> str:
        """Canonical text form, as stored."""
        if self.kind is PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind is PeriodKind.HALF_YEAR:
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        return self.end.isoformat()

    @property
    def year(self) -> int:
        return self.end.year

    def __str__(self) -> str:
        return self.code

    @classmethod
    def year_of(cls, year: int) -> Period:
        _check_year(year, str(year))
        return cls(
            start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), kind=PeriodKind.YEAR
        )

    @classmethod
    def half_year_of(cls, year: int, half: int) -> Period:
        _check_year(year, f"{year}-H{half}")
        if half == 1:
            return cls(
                start=dt.date(year, 1, 1),
                end=dt.date(year, 6, 30),
                kind=PeriodKind.HALF_YEAR,
            )
        return cls(
            start=dt.date(year, 7, 1),
            end=dt.date(year, 12, 31),
            kind=PeriodKind.HALF_YEAR,
        )

    @classmethod
    def date_of(cls, day: dt.date) -> Period:
        _check_year(day.year, day.isoformat())
        return cls(start=day, end=day, kind=PeriodKind.DATE)


def _check_year(year: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriodError(
            f"'{text}' is not a period between {MIN_YEAR} and {MAX_YEAR}."
        )


def _date(year: str, month: str, day: str, text: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise InvalidPeriodError(f"'{text}' is not a valid date.") from None


def parse_period(raw: object) -> Period:
    """Read a period as planners write it.

    Parameters
    ----------
    raw
        ``2021``, ``2021-H1``, ``1. Halbjahr 2021``, ``2021-12-31``, ``31.12.2021``, a
        number from a spreadsheet cell, or a date.

    Raises
    ------
    InvalidPeriodError
        When the text is none of these forms.

    Examples
    --------
    >>> parse_period("31.12.2021").code
    '2021-12-31'
    >>> parse_period("1. Halbjahr 2022").code
    '2022-H1'
    >>> parse_period(2015.0).code
    '2015'
    """
    if type(raw) is str:  # the common case first: pages parse codes by thousands
        return _parse_text(raw.strip())
    if isinstance(raw, dt.datetime):
        return Period.date_of(raw.date())
    if isinstance(raw, dt.date):
        return Period.date_of(raw)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return _parse_text(str(raw).strip())


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> Period:
    """The period a text names; pages parse the same few codes thousands of times,
    and a ``Period`` is immutable, so the answers are kept."""
    if m := _YEAR.match(text):
        return Period.year_of(int(m.group(1)))
    if m := _HALF.match(text):
        return Period.half_year_of(int(m.group(1)), int(m.group(2)))
    if m := _HALF_ALT.match(text):
        return Period.half_year_of(int(m.group(2)), int(m.group(1)))
    if m := _HALF_DE.match(text):
        return Period.half_year_of(int(m.group(2)), int(m.group(1)))
    if m := _ISO_DATE.match(text):
        return Period.date_of(_date(m.group(1), m.group(2), m.group(3), text))
    if m := _DE_DATE.match(text):
        return Period.date_of(_date(m.group(3), m.group(2), m.group(1), text))
    raise InvalidPeriodError(
        f"'{text}' is not a period. Write a year (2021), a half-year (2021-H1) "
        "or a reference date (2021-12-31 or 31.12.2021)."
    )


@functools.lru_cache(maxsize=4096)
def period_order(code: str) -> tuple[dt.date, str]:
    """Sort key of a period code: by its last day, then by the code.

    Examples
    --------
    >>> sorted(["2021", "2021-H1", "2020-12-31"], key=period_order)
    ['2020-12-31', '2021-H1', '2021']
    """
    return (parse_period(code).end, code)


def period_position(code: str) -> float:
    """A period's middle as a decimal year, so that slopes are "per year".

    Examples
    --------
    >>> period_position("2021"), period_position("2021-H2")
    (2021.5, 2021.75)
    >>> round(period_position("2021-12-31"), 4)
    2021.9986
    """
    period = parse_period(code)
    if period.kind is PeriodKind.YEAR:
        return period.year + 0.5
    if period.kind is PeriodKind.HALF_YEAR:
        return period.year + (0.25 if period.start.month == 1 else 0.75)
    day = period.end
    days = 366 if calendar.isleap(day.year) else 365
    return day.year + (day.timetuple().tm_yday - 0.5) / days


def step_back(code: str, years: int = 0) -> str:
    """The period ``years`` years earlier, or with 0 the previous period.

    The previous period of a year is the year before, of a half-year the half-year
    before, of a reference date (Stichtag) the same date a year earlier.

    Examples
    --------
    >>> step_back("2021-H1"), step_back("2021-H1", 5), step_back("2020-02-29")
    ('2020-H2', '2016-H1', '2019-02-28')
    """
    period = parse_period(code)
    if period.kind is PeriodKind.HALF_YEAR and years == 0:
        if period.start.month == 1:
            return Period.half_year_of(period.year - 1, 2).code
        return Period.half_year_of(period.year, 1).code
    back = years or 1
    if period.kind is PeriodKind.YEAR:
        return Period.year_of(period.year - back).code
    if period.kind is PeriodKind.HALF_YEAR:
        return Period.half_year_of(
            period.year - back, 1 if period.start.month == 1 else 2
        ).code
    day = period.end
    year = day.year - back
    last = calendar.monthrange(year, day.month)[1]
    return Period.date_of(day.replace(year=year, day=min(day.day, last))).code


def missing_periods(codes: Sequence[str]) -> tuple[str, ...]:
    """The periods between the first and the last of ``codes`` that are not there.

    Reference dates count as annual (the same day each year).

    Examples
    --------
    >>> missing_periods(["2015", "2016", "2019"])
    ('2017', '2018')
    """
    return _missing_periods(tuple(codes))


@functools.lru_cache(maxsize=1024)
def _missing_periods(codes: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`missing_periods`, kept: the series of a level share their periods."""
    found = {parse_period(c) for c in codes}
    present = sorted(found)
    gaps, current = [], present[-1].code if present else ""
    while (
        present
        and (period := parse_period(current := step_back(current))) > (present[0])
    ):
        if period not in found:
            gaps.append(current)
    return tuple(reversed(gaps))
