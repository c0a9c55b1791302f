"""Numbers as German and international files write them, and the official signs."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.limits import MAX_ABS_NUMBER, shorten


class NumberStyle(StrEnum):
    GERMAN = "german"
    """``1.234,5``"""
    INTERNATIONAL = "international"
    """``1234.5`` or ``1,234.5``"""


EMPTY_SIGNS = frozenset({"", "-", "–", "—", "x", "X", "…", "...", "nan", "NaN"})
"""No value: nothing there, not sensible, later. Left out of the import."""
SECRET_SIGNS = frozenset({".", "/", "*"})
"""Secret, unreliable or anonymised: stored as a suppressed value without a number."""
VALUE_FLAGS = {"p": Flag.PROVISIONAL, "r": Flag.REVISED, "s": Flag.ESTIMATED}
"""Official letters after a value: vorläufig, berichtigt, geschätzt."""

_GERMAN_DECIMAL = re.compile(r"^[-+]?\d{1,3}(\.\d{3})*,\d+$|^[-+]?\d+,\d+$")
_GERMAN_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+$")
_INTL_DECIMAL = re.compile(r"^[-+]?\d+\.(\d{1,2}|\d{4,})$")
_INTL_THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_FLAG_SUFFIX = re.compile(r"^(.*?\d)\s*([prs])$")
GERMAN_GROUPED = r"^[-+−]?\d{1,3}(\.\d{3})+(,\d*)?$"
"""A German number with '.' between thousands (``1.234`` or ``1.234,5``)."""
INTERNATIONAL_GROUPED = r"^[-+−]?\d{1,3}(,\d{3})+(\.\d*)?$"
"""An international number with ',' between thousands (``1,234`` or ``1,234.5``)."""
_GERMAN_GROUPED = re.compile(GERMAN_GROUPED)
_INTERNATIONAL_GROUPED = re.compile(INTERNATIONAL_GROUPED)
_DIGITS_AND_SEPARATORS = re.compile(r"^[-+−]?\d[\d.,]*$")
_PLAIN = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def detect_style(cells: list[str], delimiter: str | None) -> NumberStyle:
    """The convention a file's numbers follow, from its text cells."""
    german = intl = 0
    for cell in cells:
        text = cell.strip()
        if m := _FLAG_SUFFIX.match(text):  # "12,5 p": the number before the sign
            text = m.group(1)
        text = text.strip("()").replace(" ", "").replace("\u202f", "")
        text = text.replace("\xa0", "").replace("\u2212", "-")
        if _GERMAN_DECIMAL.match(text):
            german += 1
        elif _INTL_DECIMAL.match(text) or _INTL_THOUSANDS.match(text):
            intl += 1
        elif _GERMAN_THOUSANDS.match(text) and delimiter != ",":
            german += 1
    if german > intl:
        return NumberStyle.GERMAN
    return NumberStyle.INTERNATIONAL


@dataclass(frozen=True, kw_only=True)
class Cell:
    """A parsed cell."""

    value: float | None
    flags: int = 0
    empty: bool = False
    """No value (empty, -, x, …): the row is left out."""
    error: str | None = None
    """Why the text is not a number, and what to do."""


EMPTY = Cell(value=None, empty=True)
SECRET = Cell(value=None, flags=int(Flag.SUPPRESSED))


def parse_number(raw: object, style: NumberStyle) -> Cell:
    """One cell as a number, a sign, or an error that says what to do.

    Examples
    --------
    >>> parse_number("1.234,5", NumberStyle.GERMAN).value
    1234.5
    >>> parse_number("12,5 p", NumberStyle.GERMAN).flags
    1
    >>> parse_number(".", NumberStyle.GERMAN).flags
    8
    """
    if raw is None:
        return EMPTY
    if isinstance(raw, bool):
        return Cell(value=None, error=f"'{raw}' is not a number.")
    if isinstance(raw, int | float):
        if raw != raw:
            return EMPTY
        return out_of_range(raw) or Cell(value=float(raw))
    text = str(raw).strip()
    if text in EMPTY_SIGNS:
        return EMPTY
    if text in SECRET_SIGNS:
        return SECRET
    flags = 0
    if m := _FLAG_SUFFIX.match(text):
        text, flags = m.group(1).strip(), int(VALUE_FLAGS[m.group(2)])
    if text.startswith("(") and text.endswith(")"):
        text, flags = text[1:-1].strip(), flags | int(Flag.ESTIMATED)
    compact = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if compact.endswith("%"):
        return Cell(
            value=None,
            error=f"'{raw}' is not a number. Remove the percent sign: values of "
            "shares are written in percent without the sign (12,5 for 12,5 %).",
        )
    if mixed := _mixed_convention(compact, style):
        return Cell(value=None, error=f"'{raw}' {mixed}")
    if style is NumberStyle.GERMAN:
        compact = compact.replace(".", "").replace(",", ".")
    else:
        compact = compact.replace(",", "")
    compact = compact.replace("−", "-")
    if not _PLAIN.match(compact):
        return Cell(
            value=None,
            error=f"'{raw}' is not a number. Write numbers like 1234,5 or 1.234,5; "
            "mark missing values with '-' or '.' or leave the cell empty.",
        )
    return out_of_range(raw, float(compact)) or Cell(value=float(compact), flags=flags)


def number_problem(raw: object, value: float) -> str | None:
    """Why a number read from a cell cannot be stored, or None when it can.

    Examples
    --------
    >>> number_problem("1e308", 1e308).split(",")[0]
    "'1e308' is beyond ±10^15"
    >>> number_problem("12,5", 12.5) is None
    True
    """
    text = shorten(str(raw))
    if math.isnan(value) or math.isinf(value):
        return (
            f"'{text}' is not a finite number (infinite or not a number). Write the "
            "value, or mark a missing one with '-' or '.'."
        )
    if abs(value) > MAX_ABS_NUMBER:
        return (
            f"'{text}' is beyond ±10^{math.log10(MAX_ABS_NUMBER):.0f}, too large for "
            "any figure of official statistics. Check the value (an exponent or a "
            "value exported in the wrong unit?)."
        )
    return None


def out_of_range(raw: object, value: float | None = None) -> Cell | None:
    """An error cell for a number that is not finite or absurdly large."""
    problem = number_problem(raw, float(raw) if value is None else value)  # type: ignore[arg-type]
    return None if problem is None else Cell(value=None, error=problem)


def _mixed_convention(compact: str, style: NumberStyle) -> str | None:
    """Why a number does not follow the file's convention, or None when it does.

    In a file with decimal commas a '.' may only separate thousands (and the other
    way round), so that ``5.1`` is never silently read as 51.
    """
    if not _DIGITS_AND_SEPARATORS.match(compact):
        return None  # not a number in any convention: the general message
    if style is NumberStyle.GERMAN:
        if "." in compact and not _GERMAN_GROUPED.match(compact):
            return (
                "does not follow the file's number format: the file writes decimals "
                "with a comma (1.234,5), where '.' only separates thousands. Write "
                f"{compact.replace('.', ',')} — one convention for the whole file."
            )
    elif "," in compact and not _INTERNATIONAL_GROUPED.match(compact):
        return (
            "does not follow the file's number format: the file writes decimals "
            "with a point (1234.5), where ',' only separates thousands. Write "
            f"{compact.replace(',', '.')} — one convention for the whole file."
        )
    return None


def german_text(value: float) -> str:
    """A number as official exports write it: decimal comma, no thousands
    separator, no exponent, every digit the float holds.

    Examples
    --------
    >>> german_text(1429.0), german_text(44.62), german_text(0.000125)
    ('1429', '44,62', '0,000125')
    """
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return format(Decimal(repr(value)), "f").replace(".", ",")
