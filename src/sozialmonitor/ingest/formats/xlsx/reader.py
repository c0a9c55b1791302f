"""Read the first sheet of an Excel workbook into a ``Table``."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from sozialmonitor.errors import UnreadableFileError
from sozialmonitor.ingest.table import Table


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


def read_xlsx(path: Path) -> Table:
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        raise UnreadableFileError(
            f"{path}: not a readable Excel workbook (.xlsx); it may be damaged or "
            "truncated. Open it in Excel or LibreOffice and save it again."
        ) from None
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        header_row = 0
        data: list[list[object]] = []
        rows: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
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
    if header is None:
        raise UnreadableFileError(f"{path}: the first sheet is empty.")
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    if any(any(c != "" for c in row[width:]) for row in data):
        raise UnreadableFileError(
            f"{path}: some rows have values right of the last column named in the "
            f"header (row {header_row}). Give every column a name."
        )
    frame = pd.DataFrame(
        [(row + [""] * width)[:width] for row in data], columns=header, dtype=object
    )
    return Table(path=path, frame=frame, rows=rows)
