"""Read an INKAR export (BBSR, www.inkar.de) as downloaded: the sheet ``Daten`` of
an .xls or .xlsx workbook, or the CSV export.

Both have two header rows: ``Kennziffer; Raumeinheit; Aggregat`` and the name of
each value column's indicator, then the column's year (``2017``) or range of years
(``2012-2016``: a period only for a mapping that declares ``periods: range: end``,
which reads it as its end year). Each
data row is key, name, aggregate (``Gemeinden``, ``Kreise``, …) and the values.
CSV exports quote every value and write thousands dots and decimal commas
(``"1.560"``, ``"44,1"``); workbooks hold numbers, written here with the decimal
comma, so that both read the same way.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sozialmonitor.ingest.formats.csv.reader import decode
from sozialmonitor.ingest.formats.xls.reader import is_xls, read_xls_sheet
from sozialmonitor.ingest.formats.xlsx.reader import read_xlsx_sheets
from sozialmonitor.ingest.limits import MAX_CELL_CHARS
from sozialmonitor.ingest.official.genesis import OfficialTable
from sozialmonitor.ingest.official.recognise import (
    INKAR_HEADER,
    INKAR_SHEET,
    ZIP_MAGIC,
    head_bytes,
    inkar_export,
    unreadable_export,
)
from sozialmonitor.ingest.official.text import cell_text
from sozialmonitor.ingest.table import check_cells, check_width

LEAD = len(INKAR_HEADER)
"""Leading cells of a data row: key, name, aggregate."""
_AGAIN = "Download the export from INKAR again and import it unchanged."


def read_inkar(path: Path) -> OfficialTable:
    """Read an INKAR export (.xls, .xlsx or CSV).

    Raises
    ------
    ReadError
        When the file is no INKAR export, lacks the row of years, or is beyond the
        limits of every import.
    """
    if is_xls(path):
        records = read_xls_sheet(path, INKAR_SHEET)
        encoding = "xls"
    elif head_bytes(path, len(ZIP_MAGIC)) == ZIP_MAGIC:
        sheet = read_xlsx_sheets(path, _data_sheet).get(INKAR_SHEET, [])
        records = [(line, [cell_text(c) for c in cells]) for line, cells in sheet]
        encoding = "xlsx"
    else:
        text, encoding = decode(path)  # size, binary and row limits
        records = csv_records(path, text, again=_AGAIN)
    export = inkar_export(records[0][1]) if records else None
    if export is None:
        raise unreadable_export(
            path,
            "the file is not an INKAR export: its first row does not start with "
            f"'{', '.join(INKAR_HEADER)}' followed by the indicators. {_AGAIN}",
            row=records[0][0] if records else None,
        )
    if len(records) < 2 or any(records[1][1][:LEAD]):
        raise unreadable_export(
            path,
            "the second header row, which holds the year of each column and leaves "
            f"the first {LEAD} cells empty, is missing. {_AGAIN}",
            row=records[1][0] if len(records) > 1 else records[0][0],
        )
    if len(records) < 3:
        raise unreadable_export(
            path,
            f"the export has header rows but no data rows. {_AGAIN}",
            row=records[1][0],
        )
    names, years = records[0][1], records[1][1]
    width = len(names) - LEAD
    headers = [_pad(names[LEAD:], width), _pad(years[LEAD:], width)]
    lines, leading, values = [], [], []
    for line, cells in records[2:]:
        if any(cells[LEAD + width :]):
            raise unreadable_export(
                path,
                f"the row has values right of the last column ({LEAD + width}) named "
                f"in the first header row. {_AGAIN}",
                row=line,
            )
        lines.append(line)
        leading.append(_pad(cells[:LEAD], LEAD))
        values.append(_pad(cells[LEAD:], width))
    return OfficialTable(
        path=path,
        export=export,
        layout="inkar",
        encoding=encoding,
        lead=LEAD,
        headers=headers,
        lines=lines,
        leading=leading,
        values=values,
    )


def _data_sheet(names: list[str]) -> list[str]:
    return [n for n in names if n == INKAR_SHEET]


def csv_records(path: Path, text: str, *, again: str) -> list[tuple[int, list[str]]]:
    """The non-empty rows of a ``;``-separated export, stripped, with their line;
    ``again`` is what messages tell the user to do."""
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if any("\n" in c or "\r" in c for c in cells):
                raise unreadable_export(
                    path,
                    "a quoted cell starts in this line and runs over the following "
                    f"lines (a quote is not closed). {again}",
                    row=start,
                )
            start = reader.line_num + 1
            if any(c.strip() for c in cells):
                check_width(path, len(cells), row=reader.line_num)
                check_cells(path, cells, [], row=reader.line_num)
                records.append((reader.line_num, [c.strip() for c in cells]))
    except csv.Error as exc:
        raise unreadable_export(
            path,
            f"the line cannot be read as CSV ({exc}). Check its quotes. {again}",
            row=reader.line_num,
        ) from None
    return records


def _pad(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width]
