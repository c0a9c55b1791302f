"""Read the first sheet of an Excel workbook into a ``Table``."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from sozialmonitor.ingest.table import ReadError, Table, column_names

DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    SyntaxError,  # the XML parsers' errors (ElementTree and lxml) derive from it
)
"""What openpyxl raises for a truncated or damaged workbook, while opening it or
while reading its rows (read-only mode parses the sheet lazily)."""


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | dt.date):
        return value
    return str(value)


def _damaged(path: Path) -> ReadError:
    return ReadError(
        path,
        "not a readable Excel workbook (.xlsx); it may be damaged or truncated. "
        "Open it in Excel or LibreOffice and save it again.",
    )


def read_xlsx(path: Path) -> Table:
    """Read the first sheet; the first non-empty row is the header.

    Raises
    ------
    ReadError
        When the workbook is damaged, its first sheet is empty, or rows have values
        right of the last named column.
    """
    header: list[str] | None = None
    header_row = 0
    data: list[list[object]] = []
    rows: list[int] = []
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                cells = [_cell(v) for v in values]
                if all(c == "" for c in cells):
                    continue
                if header is None:
                    header = [str(c).strip() for c in cells]
                    header_row = number
                    continue
                data.append(cells)
                rows.append(number)
        finally:
            book.close()
    except DAMAGED:
        raise _damaged(path) from None
    if header is None:
        raise ReadError(
            path,
            "the first sheet is empty. Put the table on the first sheet, with the "
            "column names in the first row.",
            finding="empty-file",
        )
    while header and header[-1] == "":
        header.pop()
    header = column_names(header)
    width = len(header)
    for row, cells in zip(rows, data, strict=True):
        if any(c != "" for c in cells[width:]):
            raise ReadError(
                path,
                "values right of the last column named in the header (row "
                f"{header_row}). Give every column a name.",
                finding="extra-cell",
                row=row,
            )
    frame = pd.DataFrame(
        [(row + [""] * width)[:width] for row in data], columns=header, dtype=object
    )
    return Table(path=path, frame=frame, rows=rows)
