"""Numbers, changes, periods and dates as the portal writes them.

German: ``1.234,5``, ``12,5 %`` (narrow no-break space before %), changes with a sign
(``+2,3 Prozentpunkte``), half-years ``1. Halbjahr 2022``, dates ``31.12.2021``.
English uses the same shapes with English separators and words.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sozialmonitor.analysis.index_categories import APPENDIX_MARK as APPENDIX_MARK
from sozialmonitor.analysis.index_categories import categories_of, category_label
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.period import PeriodKind, parse_period
from sozialmonitor.web.i18n import Language

NARROW_NBSP = "\u202f"
PORTAL_ZONE = ZoneInfo("Europe/Berlin")
LOCALES: dict[Language, str] = {"de": "de_DE", "en": "en_GB"}
SUPPRESSED_SIGN = "."
"""Destatis: "Zahlenwert unbekannt oder geheim zu halten"."""
NO_VALUE_SIGN = "–"
"""Shown where there is no value for the period at all (nichts vorhanden)."""
NOT_MEANINGFUL_SIGN = "x"
"""Destatis: "Tabellenfach gesperrt, weil Aussage nicht sinnvoll" — the change of a
class (a category, not a number)."""


_SEPARATORS: dict[Language, dict[int, int]] = {
    "de": str.maketrans(",.", ".,"),
    "en": str.maketrans("", ""),
}
"""Python writes ``1,234.5``; German swaps the separators (CLDR de_DE, en_GB)."""


def number(
    value: float | None, decimals: int, lang: Language, *, sign: bool = False
) -> str:
    """``1234.56`` → ``1.234,6`` (de) or ``1,234.6`` (en).

    Rounded half away from zero (:func:`rounded_as_shown`), grouped by Python
    (~2 µs a number: a profile writes hundreds, a map label one per area); a test
    checks the text against Babel's CLDR patterns.

    Examples
    --------
    >>> number(1234.56, 1, "de")
    '1.234,6'
    >>> number(-0.04, 1, "de", sign=True)
    '±0,0'
    >>> number(2.25, 2, "en", sign=True)
    '+2.25'
    >>> number(-1234.5, 0, "en"), number(0.25, 1, "de")
    ('−1,235', '0,3')
    """
    if value is None or math.isnan(value):
        return NO_VALUE_SIGN
    rounded = rounded_as_shown(value, decimals)
    text = f"{abs(rounded):,.{decimals}f}".translate(_SEPARATORS[lang])
    if rounded == 0:
        return ("±" if sign else "") + text
    if rounded < 0:
        return "−" + text
    return ("+" if sign else "") + text


_LARGEST_EXACT = 1e15
"""Above this a float has no digits after the decimal point worth rounding."""


def rounded_as_shown(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals`` places as official statistics round
    (kaufmännisch: half away from zero) on the value as written, not on its binary
    approximation as Python's ``round`` does (``round(0.25, 1)`` is ``0.2``,
    ``round(2.675, 2)`` is ``2.67``).

    Examples
    --------
    >>> rounded_as_shown(0.25, 1), rounded_as_shown(2.675, 2)
    (0.3, 2.68)
    >>> rounded_as_shown(-0.35, 1)
    -0.4
    >>> rounded_as_shown(1234.5, 0), rounded_as_shown(0.04, 1)
    (1235.0, 0.0)
    """
    if abs(value) >= _LARGEST_EXACT or math.isinf(value):
        return round(value, decimals)
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_UP))


def unit(indicator: Indicator, lang: Language) -> str:
    """The indicator's unit in ``lang``: its ``unit_en`` on an English page where
    the catalogue has one, else the German unit (as names do).

    Examples
    --------
    >>> people = Indicator(id="x", name="x", unit="Personen", unit_en="persons")
    >>> unit(people, "en"), unit(people, "de")
    ('persons', 'Personen')
    >>> unit(Indicator(id="y", name="y", unit="Fälle"), "en")
    'Fälle'
    """
    return indicator.text_in("unit", lang)[0]


def with_unit(value: float | None, indicator: Indicator, lang: Language) -> str:
    """A value with the indicator's unit in ``lang``: ``12,5 %``, ``48,3 je 1.000
    EW``; a class indicator's value in words (``Status mittel``).

    Examples
    --------
    >>> people = Indicator(id="x", name="x", unit="Personen", unit_en="persons",
    ...     decimals=0)
    >>> with_unit(31402, people, "en") == "31,402\u202fpersons"
    True
    >>> with_unit(31402, people, "de") == "31.402\u202fPersonen"
    True
    """
    label = category_label(indicator, value, lang)
    if label is not None:
        return label
    text = number(value, indicator.decimals, lang)
    shown = unit(indicator, lang)
    if value is None or not shown:
        return text
    return f"{text}{NARROW_NBSP}{shown}"


def change(
    value: float | None, indicator: Indicator, lang: Language, *, relative: bool = False
) -> str:
    """A change with its sign and unit; shares change in percentage points.

    Examples
    --------
    >>> share = Indicator(id="x", name="x", unit="%")
    >>> change(2.345, share, "de") == "+2,3\u202fProzentpunkte"
    True
    >>> change(-12.0, share, "de", relative=True) == "−12,0\u202f%"
    True
    """
    if value is None or math.isnan(value):
        return NO_VALUE_SIGN
    if categories_of(indicator):
        return NOT_MEANINGFUL_SIGN
    if relative:
        return f"{change_number(value, 1, lang)}{NARROW_NBSP}%"
    text = change_number(value, indicator.decimals, lang)
    if in_percentage_points(indicator):
        return percentage_points(text, lang)
    shown = unit(indicator, lang)
    return f"{text}{NARROW_NBSP}{shown}" if shown else text


PERCENTAGE_POINTS: dict[Language, str] = {
    "de": "Prozentpunkte",
    "en": "percentage points",
}
"""The unit of a change or difference of shares."""


def in_percentage_points(indicator: Indicator) -> bool:
    """Whether a change or difference of ``indicator`` is in percentage points (a
    share in %)."""
    return indicator.kind is IndicatorKind.SHARE and indicator.unit.strip() == "%"


def percentage_points(text: str, lang: Language) -> str:
    """A formatted change or difference of shares with its unit, after the same
    narrow no-break space as every other unit (the number never stands alone at
    the end of a line).

    Examples
    --------
    >>> percentage_points("+2,3", "de") == "+2,3\u202fProzentpunkte"
    True
    """
    return f"{text}{NARROW_NBSP}{PERCENTAGE_POINTS[lang]}"


EXTRA_CHANGE_DECIMALS = 3
"""Decimals a change that rounds to zero may add to show that it is not zero."""
_NOISE_DECIMALS = 10
"""A difference that rounds to zero here is floating-point noise: no change."""


def change_number(value: float, decimals: int, lang: Language) -> str:
    """A change with its sign, never ``±0,0`` for a change that is not zero: the
    figures it is the difference of would seem to disagree ("4,0 → 3,9: ±0,0").
    It gets the decimals needed to see it (at most ``EXTRA_CHANGE_DECIMALS``
    more), else the words "gerundet ±0,0".

    Examples
    --------
    >>> change_number(-0.03, 1, "de"), change_number(0.0004, 1, "de")
    ('−0,03', '+0,0004')
    >>> change_number(0.00001, 1, "de"), change_number(0.00001, 1, "en")
    ('gerundet ±0,0', 'rounded ±0.0')
    >>> change_number(0.0, 1, "de"), change_number(2.25, 1, "de")
    ('±0,0', '+2,3')
    """
    text = number(value, decimals, lang, sign=True)
    if rounded_as_shown(value, decimals) != 0 or round(value, _NOISE_DECIMALS) == 0:
        return text
    for more in range(decimals + 1, decimals + EXTRA_CHANGE_DECIMALS + 1):
        if rounded_as_shown(value, more) != 0:
            return number(value, more, lang, sign=True)
    return f"{'gerundet' if lang == 'de' else 'rounded'} {text}"


def period_label(code: str, lang: Language) -> str:
    """``2022-H1`` → ``1. Halbjahr 2022``; ``2021-12-31`` → ``31.12.2021``.

    Examples
    --------
    >>> period_label("2022-H2", "de"), period_label("2022-H2", "en")
    ('2. Halbjahr 2022', 'H2 2022')
    >>> period_label("2021-12-31", "de")
    '31.12.2021'
    """
    period = parse_period(code)
    if period.kind is PeriodKind.YEAR:
        return code
    if period.kind is PeriodKind.HALF_YEAR:
        half = 1 if period.start.month == 1 else 2
        return (
            f"{half}. Halbjahr {period.year}"
            if lang == "de"
            else f"H{half} {period.year}"
        )
    return date(period.end, lang)


def date(day: dt.date | dt.datetime, lang: Language) -> str:
    """``31.12.2021`` (de) or ``31 Dec 2021`` (en); datetimes in German local time."""
    if isinstance(day, dt.datetime):
        day = day.astimezone(PORTAL_ZONE).date()
    return day.strftime("%d.%m.%Y") if lang == "de" else day.strftime("%d %b %Y")


def definition_parts(text: str) -> tuple[str, str]:
    r"""An indicator definition's prose and its appended index definition (YAML).

    Examples
    --------
    >>> definition_parts("Der Index.\n\nIndexdefinition:\n\nid: mss")
    ('Der Index.', 'id: mss')
    >>> definition_parts("Anteil in %.")
    ('Anteil in %.', '')
    """
    prose, _, appendix = text.partition(APPENDIX_MARK)
    return prose.strip(), appendix.strip()
