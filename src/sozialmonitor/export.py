"""Observations out as CSV or Excel, through the public read gate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.observation import Observation, flag_names
from sozialmonitor.workbook import workbook_bytes

EXPORT_COLUMNS = (
    "indicator",
    "area",
    "area_name",
    "period",
    "value",
    "numerator",
    "denominator",
    "flags",
    "note",
    "release",
)


def observations_frame(
    observations: Sequence[Observation], areas: Sequence[Area]
) -> pd.DataFrame:
    names = {a.code: a.name for a in areas}
    return pd.DataFrame(
        [
            {
                "indicator": o.indicator,
                "area": o.area,
                "area_name": names.get(o.area, ""),
                "period": o.period,
                "value": o.value,
                "numerator": o.numerator,
                "denominator": o.denominator,
                "flags": ",".join(flag_names(o.flags)),
                "note": o.note or "",
                "release": o.release or "",
            }
            for o in observations
        ],
        columns=list(EXPORT_COLUMNS),
    )


ExportFormat = Literal["csv", "csv-de", "xlsx"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""How text starts that a spreadsheet would run as a formula when it opens a CSV
file or a cell is edited (OWASP, "CSV Injection"). Imported names and notes are
text a stranger may have written."""
TEXT_MARK = "'"
"""Put before such text in CSV files: spreadsheets show the rest as text."""


def is_formula_like(value: Any) -> bool:
    """Whether a cell's value is text a spreadsheet would run.

    Examples
    --------
    >>> is_formula_like('=HYPERLINK("http://example.org")'), is_formula_like(-1.5)
    (True, False)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def as_text(value: Any) -> Any:
    """A CSV cell's value with formula-like text marked as text; numbers and other
    text unchanged.

    Examples
    --------
    >>> as_text("=1+2"), as_text("-"), as_text(-3), as_text("Laatzen")
    ("'=1+2", "'-", -3, 'Laatzen')
    """
    return TEXT_MARK + value if is_formula_like(value) else value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names a spreadsheet shows as
    text (``as_text``); number columns are not touched."""
    safe = frame.rename(columns=as_text)
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(as_text)
    return safe


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per frame (name → frame, in order), as
    ``DataFrame.to_excel`` writes it (:mod:`sozialmonitor.workbook`).

    Every text cell is stored as text, never as a formula, even when it starts with
    ``=``, and formula-like text carries Excel's quote prefix, so that editing the
    cell does not run it either.
    """
    return workbook_bytes(sheets, is_formula_like)


def to_bytes(frame: pd.DataFrame, fmt: ExportFormat) -> bytes:
    """The values as a file.

    ``csv``: UTF-8, comma, decimal point (for programs and open data). ``csv-de``: what
    German Excel opens directly — semicolon, decimal comma, UTF-8 with BOM. ``xlsx``: an
    Excel workbook. Text a spreadsheet would run as a formula is written as text
    (``csv_safe``, ``xlsx_bytes``).
    """
    if fmt == "csv":
        return csv_safe(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
    if fmt == "csv-de":
        text = csv_safe(frame).to_csv(
            index=False, sep=";", decimal=",", lineterminator="\r\n"
        )
        return text.encode("utf-8-sig")
    return xlsx_bytes({"Werte": frame})
