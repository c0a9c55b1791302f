"""How a chart writes numbers, dates and its few words, in German or English.

The d3-format and d3-time-format locales (de-DE, en-GB) go into each spec's
``config.locale`` (:func:`vega_locale`), so the browser writes ``1.234,5`` whatever
its default locale, and into vl-convert for the server-side exports.
"""

from __future__ import annotations

import copy
from typing import Any

NUMBER_LOCALES: dict[str, dict[str, Any]] = {
    "de": {
        "decimal": ",",
        "thousands": ".",
        "grouping": [3],
        "currency": ["", "\u00a0€"],
    },
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]},
}
"""d3-format locales (de-DE, en-GB) as vl-convert and vega name them."""
TIME_LOCALES: dict[str, dict[str, Any]] = {
    "de": {
        "dateTime": "%A, der %e. %B %Y, %X",
        "date": "%d.%m.%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [
            "Sonntag",
            "Montag",
            "Dienstag",
            "Mittwoch",
            "Donnerstag",
            "Freitag",
            "Samstag",
        ],
        "shortDays": ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "shortMonths": [
            "Jan",
            "Feb",
            "Mrz",
            "Apr",
            "Mai",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Okt",
            "Nov",
            "Dez",
        ],
    },
    "en": {
        "dateTime": "%a %e %b %X %Y",
        "date": "%d/%m/%Y",
        "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
        ],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "shortMonths": [
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ],
    },
}
"""d3-time-format locales (de-DE, en-GB) as vl-convert and vega name them."""

WORDS: dict[str, dict[str, str]] = {
    "de": {
        "area": "Gebiet",
        "period": "Zeitraum",
        "value": "Wert",
        "change": "Veränderung",
        "source": "Quelle",
    },
    "en": {
        "area": "Area",
        "period": "Period",
        "value": "Value",
        "change": "Change",
        "source": "Source",
    },
}
"""The few words a chart writes itself; everything else is passed in."""


def chart_words(lang: str) -> dict[str, str]:
    """The words of :data:`WORDS` in ``lang``; a ValueError for another language."""
    try:
        return WORDS[lang]
    except KeyError:
        raise ValueError(f"charts speak {' and '.join(WORDS)}, not {lang!r}") from None


def number_format(decimals: int, *, sign: bool = False) -> str:
    """The d3-format specifier for a value with ``decimals`` places.

    Grouping is switched on; the locale (:data:`NUMBER_LOCALES`) turns it into
    ``1.234,5`` in German and ``1,234.5`` in English.

    Examples
    --------
    >>> number_format(1)
    ',.1f'
    >>> number_format(2, sign=True)
    '+,.2f'
    """
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, not {decimals}")
    return f"{'+' if sign else ''},.{decimals}f"


def vega_locale(lang: str) -> dict[str, Any]:
    """The ``config.locale`` of a spec in ``lang`` ("de" or "en").

    Examples
    --------
    >>> vega_locale("de")["number"]["decimal"]
    ','
    """
    chart_words(lang)
    return {
        "number": copy.deepcopy(NUMBER_LOCALES[lang]),
        "time": copy.deepcopy(TIME_LOCALES[lang]),
    }
