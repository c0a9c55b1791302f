"""Read the first sheet of an Excel workbook into a ``Table``."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook

from sozialmonitor.errors import LimitExceededError
from sozialmonitor.ingest.formats.zipped import check_zip
from sozialmonitor.ingest.limits import (
    MAX_CELL_CHARS,
    MAX_ROWS,
    MAX_SHARED_STRINGS_BYTES,
    size_text,
)
from sozialmonitor.ingest.table import (
    READ_CHUNK_ROWS,
    ReadError,
    Table,
    TableStream,
    check_cells,
    check_file_size,
    check_width,
    column_names,
)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""Start of an OLE compound file: an old .xls, or a password-protected .xlsx."""
SHARED_STRINGS = "xl/sharedStrings.xml"
WORKBOOK_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")
"""Members every .xlsx has; a zip without them is some other zip file."""

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


def _check_workbook(path: Path) -> None:
    """Refuse what is not an .xlsx before openpyxl opens it: an encrypted or old
    Excel file, a zip bomb, another kind of zip file."""
    with path.open("rb") as handle:
        start = handle.read(len(OLE_MAGIC))
    if start == OLE_MAGIC:
        raise ReadError(
            path,
            "the workbook is password-protected (encrypted) or an old Excel file "
            "(.xls) renamed to .xlsx. Remove the password, or open it in Excel or "
            "LibreOffice and save it as .xlsx.",
            finding="encrypted-workbook",
        )
    members = {m.filename: m for m in check_zip(path, _damaged)}
    names = set(members)
    strings = members.get(SHARED_STRINGS)
    if strings is not None and strings.file_size > MAX_SHARED_STRINGS_BYTES:
        raise LimitExceededError(
            path,
            f"the workbook's texts unpack to {size_text(strings.file_size)}, more than "
            f"the {size_text(MAX_SHARED_STRINGS_BYTES)} an import holds in memory. "
            "Split the workbook, or save the sheet as CSV.",
            finding="zip-bomb",
            value=SHARED_STRINGS,
        )
    if not all(member in names for member in WORKBOOK_MEMBERS):
        raise ReadError(
            path,
            "a zip file, but not an Excel workbook (it has no xl/workbook.xml). Give "
            "the import the .xlsx file itself.",
            finding="not-a-workbook",
        )


def _check_row(
    path: Path, number: int, values: tuple[object, ...], header: list[str] | None
) -> None:
    """Refuse a row beyond the limits: too far down, too wide, a cell too long."""
    if number > MAX_ROWS:
        raise LimitExceededError(
            path,
            f"the sheet has more than {MAX_ROWS:,} rows, more than an import reads. "
            "Split it into several files.",
            finding="too-many-rows",
            row=number,
        )
    check_width(path, len(values), row=number)
    texts = [v for v in values if isinstance(v, str) and len(v) > MAX_CELL_CHARS]
    if texts:
        cells = ["" if not isinstance(v, str) else v for v in values]
        check_cells(path, cells, header or [], row=number)


def read_xlsx(path: Path) -> Table:
    """Read the whole first sheet (see ``stream_xlsx``)."""
    return stream_xlsx(path, READ_CHUNK_ROWS).read_all()


def stream_xlsx(path: Path, chunk_rows: int) -> TableStream:
    """Open the first sheet and read its header (the first non-empty row); the rows
    follow in chunks of at most ``chunk_rows``, read as openpyxl's read-only mode
    parses the sheet.

    Raises
    ------
    ReadError
        When the workbook is damaged or its first sheet is empty, and (while the
        chunks are read) when rows have values right of the last named column.
    """
    check_file_size(path)
    _check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except DAMAGED:
        raise _damaged(path) from None
    try:
        sheet = book.worksheets[0]
        # The sheet's declared size may be anything (A1:XFD1048576); read only the
        # cells that are there.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        rows = _sheet_rows(path, sheet.iter_rows(values_only=True))
        found = next(rows, None)
    except DAMAGED:
        book.close()
        raise _damaged(path) from None
    except BaseException:
        book.close()
        raise
    if found is None:
        book.close()
        raise ReadError(
            path,
            "the first sheet is empty. Put the table on the first sheet, with the "
            "column names in the first row.",
            finding="empty-file",
        )
    header_row, cells = found
    header = [str(c).strip() for c in cells]
    while header and header[-1] == "":
        header.pop()
    header = column_names(header)
    return TableStream(
        path=path,
        columns=header,
        chunks=_chunks(path, book, rows, header, header_row, chunk_rows),
    )


def _sheet_rows(
    path: Path, values: Iterator[tuple[object, ...]]
) -> Iterator[tuple[int, list[object]]]:
    """The non-empty rows, each with its number, within the limits."""
    header: list[str] | None = None
    for number, row in enumerate(values, 1):
        if not row:
            continue
        _check_row(path, number, row, header)
        cells = [_cell(v) for v in row]
        if all(c == "" for c in cells):
            continue
        if header is None:
            header = [str(c) for c in cells]
        yield number, cells


def _chunks(
    path: Path,
    book: Any,
    rows: Iterator[tuple[int, list[object]]],
    header: list[str],
    header_row: int,
    chunk_rows: int,
) -> Iterator[Table]:
    width = len(header)
    try:
        while True:
            data: list[list[object]] = []
            numbers: list[int] = []
            try:
                for number, cells in rows:
                    if any(c != "" for c in cells[width:]):
                        raise ReadError(
                            path,
                            "values right of the last column named in the header "
                            f"(row {header_row}). Give every column a name.",
                            finding="extra-cell",
                            row=number,
                        )
                    data.append((cells + [""] * width)[:width])
                    numbers.append(number)
                    if len(data) >= chunk_rows:
                        break
            except DAMAGED:
                raise _damaged(path) from None
            if not data:
                return
            frame = pd.DataFrame(data, columns=header, dtype=object)
            yield Table(path=path, frame=frame, rows=numbers)
    finally:
        book.close()


def read_xlsx_sheets(
    path: Path,
    wanted: Callable[[list[str]], list[str]],
    *,
    max_rows: int | None = None,
) -> dict[str, list[tuple[int, list[object]]]]:
    """The non-empty rows of some sheets of a workbook, each with its row number,
    within the limits of every import. ``wanted`` picks the sheets from the
    workbook's sheet names (an official export reads several, e.g. INKAR's
    ``Daten`` or the Bundesagentur's imprint and data sheets); ``max_rows``
    stops each sheet after so many non-empty rows (to recognise a file).

    Raises
    ------
    ReadError
        When the workbook is damaged or beyond the limits.
    """
    check_file_size(path)
    _check_workbook(path)
    out: dict[str, list[tuple[int, list[object]]]] = {}
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        try:
            for name in wanted(list(book.sheetnames)):
                sheet = book[name]
                sheet.reset_dimensions()  # type: ignore[union-attr]
                rows: list[tuple[int, list[object]]] = []
                for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
                    if not values:
                        continue
                    _check_row(path, number, values, None)
                    cells = [_cell(v) for v in values]
                    if any(c != "" for c in cells):
                        rows.append((number, cells))
                    if max_rows is not None and len(rows) >= max_rows:
                        break
                out[name] = rows
        finally:
            book.close()
    except DAMAGED:
        raise _damaged(path) from None
    return out
