"""Read one sheet of an Excel 97–2003 workbook (.xls) as rows of text cells.

xlrd reads the whole file into memory, so the file's size is checked first
(``MAX_XLS_BYTES``) and anything that is not an OLE compound file is refused
before xlrd sees it.
"""

from __future__ import annotations

import io
import struct
from pathlib import Path

import xlrd
from xlrd.compdoc import CompDocError

from sozialmonitor.ingest.limits import MAX_XLS_BYTES
from sozialmonitor.ingest.numbers import german_text
from sozialmonitor.ingest.table import (
    ReadError,
    check_cells,
    check_file_size,
    check_width,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Start of an OLE compound file, the container of an .xls workbook."""
DAMAGED = (
    xlrd.XLRDError,
    CompDocError,
    struct.error,
    AssertionError,
    EOFError,
    IndexError,
    KeyError,
    ValueError,
    TypeError,
    UnicodeDecodeError,
    OverflowError,
    MemoryError,
)
"""What xlrd raises on a damaged or truncated workbook."""


def is_xls(path: Path) -> bool:
    """Whether the file starts like an OLE compound file (an .xls workbook)."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(OLE_MAGIC)) == OLE_MAGIC
    except OSError:
        return False


def cell_text(cell: xlrd.sheet.Cell) -> str:
    """A cell as text; numbers in the decimal comma as official exports write them.

    Examples
    --------
    >>> from xlrd.sheet import Cell
    >>> cell_text(Cell(xlrd.XL_CELL_NUMBER, 1429.0)), cell_text(Cell(2, 44.62))
    ('1429', '44,62')
    >>> cell_text(Cell(xlrd.XL_CELL_TEXT, " 01001 ")), cell_text(Cell(0, ""))
    ('01001', '')
    """
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE):
        return german_text(float(cell.value))
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "WAHR" if cell.value else "FALSCH"
    if cell.ctype == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(cell.value, "#FEHLER")
    return str(cell.value).strip()


def read_xls_sheet(
    path: Path, sheet_name: str, *, max_rows: int | None = None
) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a sheet (at most ``max_rows``), each with its row
    number as Excel shows it.

    Raises
    ------
    ReadError
        When the file is too large, not an .xls workbook, damaged, or lacks the
        sheet.
    """
    check_file_size(path, MAX_XLS_BYTES)
    if not is_xls(path):
        raise ReadError(
            path,
            "the file is not an Excel 97–2003 workbook (.xls). Download it again, "
            "or save it in Excel or LibreOffice as .xls or .xlsx.",
            finding="unreadable-file",
        )
    try:
        book = xlrd.open_workbook(
            str(path), on_demand=True, logfile=io.StringIO(), ragged_rows=True
        )
        try:
            if sheet_name not in book.sheet_names():
                raise ReadError(
                    path,
                    f"the workbook has no sheet '{sheet_name}' (its sheets: "
                    f"{', '.join(book.sheet_names()[:10])}). Download the export "
                    "again, unchanged.",
                    finding="unreadable-export",
                )
            sheet = book.sheet_by_name(sheet_name)
            check_width(path, sheet.ncols, row=1)
            rows = []
            for number in range(sheet.nrows):
                cells = [cell_text(c) for c in sheet.row(number)]
                check_cells(path, cells, [], row=number + 1)
                if any(cells):
                    rows.append((number + 1, cells))
                if max_rows is not None and len(rows) >= max_rows:
                    break
            return rows
        finally:
            book.release_resources()
    except DAMAGED:
        raise ReadError(
            path,
            "not a readable Excel 97–2003 workbook (.xls); it may be damaged or "
            "truncated. Download it again, or open it in Excel or LibreOffice and "
            "save it again.",
        ) from None
