"""Periods as official exports write them, as the project's period codes."""

from __future__ import annotations

import calendar
import re
from typing import Literal

from sozialmonitor.domain.period import MAX_YEAR, MIN_YEAR

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mär": 3,
    "mrz": 3,
    "mae": 3,
    "apr": 4,
    "mai": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "nov": 11,
    "dez": 12,
}
"""German month names (their first letters) as GENESIS writes them."""

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_SCHOOL_YEAR = re.compile(r"^(\d{4})\s*/\s*(\d{2}|\d{4})$")
_MONTH = re.compile(r"^([A-Za-zÄÖÜäöü]{3,9})\.?\s+(\d{4})$")
_RANGE = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")
RangeRule = Literal["none", "end"]
"""How a range of years (``2012-2016``) is read: as no period, or as its end year."""


def year_range(text: str) -> tuple[int, int] | None:
    """The first and last year of a range of years (INKAR's ``2012-2016``, a
    multi-year indicator), else None.

    Examples
    --------
    >>> year_range("2012-2016"), year_range("2012–2017"), year_range("2016")
    ((2012, 2016), (2012, 2017), None)
    >>> year_range("2016-2012") is None
    True
    """
    m = _RANGE.match(text.strip())
    if m is None:
        return None
    first, last = int(m.group(1)), int(m.group(2))
    if not MIN_YEAR <= first < last <= MAX_YEAR:
        return None
    return first, last


def range_note(first: int, last: int) -> str:
    """What a value read from a range of years notes: the years it covers.

    >>> range_note(2012, 2016)
    'Zeitraum 2012–2016'
    """
    return f"Zeitraum {first}–{last}"


def official_period(
    text: str,
    *,
    school_year: Literal["start", "end"] = "end",
    year_ranges: RangeRule = "none",
) -> str | None:
    """The period code of a date, year, school year or month cell, else None.

    A month (``Dez 2017``) is a reference date at its last day; a school year
    (``2017/2018``, ``2017/18``) is the year it ends in (or starts in); a range of
    years (``2012-2016``) is no period, or with ``year_ranges="end"`` its end year.

    Examples
    --------
    >>> official_period("31.12.2015")
    '2015-12-31'
    >>> official_period("Dez 2017")
    '2017-12-31'
    >>> official_period("2017/18"), official_period("2017/2018", school_year="start")
    ('2018', '2017')
    >>> official_period("Insgesamt") is None
    True
    >>> official_period("2012-2016"), official_period("2012-2016", year_ranges="end")
    (None, '2016')
    """
    text = text.strip()
    if year_ranges == "end" and (span := year_range(text)):
        return str(span[1])
    year: int
    if m := _DATE.match(text):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _ISO.match(text):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _YEAR.match(text):
        year = int(m.group(1))
        return str(year) if MIN_YEAR <= year <= MAX_YEAR else None
    elif m := _SCHOOL_YEAR.match(text):
        start = int(m.group(1))
        end = int(m.group(2)) if len(m.group(2)) == 4 else start + 1
        if end != start + 1 or not MIN_YEAR <= start < MAX_YEAR:
            return None
        return str(end if school_year == "end" else start)
    elif (m := _MONTH.match(text)) and m.group(1)[:3].lower() in MONTHS:
        year, month = int(m.group(2)), MONTHS[m.group(1)[:3].lower()]
        if not MIN_YEAR <= year <= MAX_YEAR:
            return None
        day = calendar.monthrange(year, month)[1]
    else:
        return None
    if not MIN_YEAR <= year <= MAX_YEAR or not 1 <= month <= 12:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"
