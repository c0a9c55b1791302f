"""Read a statistics workbook of the Bundesagentur für Arbeit (BA) as delivered.

The first sheet, ``Impressum``, names the workbook (row ``Titel:``); sheets whose
names start with ``Hinweise``, ``Umstellung`` or ``Statistik-Info`` hold notes on
revisions and methods and are not read. Every other sheet is a table: title
lines, then header rows (``Region (Wohnort)``, group labels in merged cells that
span the columns below them, the reference dates, a row of column numbers), then
one row per area (``01001 Flensburg, Stadt``, or ``Deutschland``), then the
footnotes. All tables become one ``OfficialTable``: each column's labels are its
sheet's name and its header labels. Signs: ``*`` is anonymised (a small number,
stored as suppressed); ``.`` is, by the workbooks' own legend, "kein Nachweis
vorhanden" and becomes a gap, not a secret.
"""

from __future__ import annotations

import re
from pathlib import Path

from sozialmonitor.ingest.formats.xlsx.reader import read_xlsx_sheets
from sozialmonitor.ingest.official.genesis import OfficialTable
from sozialmonitor.ingest.official.period import official_period
from sozialmonitor.ingest.official.recognise import (
    BA_IMPRINT,
    ba_export,
    unreadable_export,
)
from sozialmonitor.ingest.official.text import cell_text

NOTE_SHEETS = ("Hinweise", "Umstellung", "Statistik-Info")
"""Starts of the names of sheets with notes, not tables."""
AREA = re.compile(r"^(\d{2,12})\s+(.+)$")
"""A row's first cell: the area key and its name."""
GERMANY = "Deutschland"
NO_RECORD = "."
"""'kein Nachweis vorhanden' in the workbooks' legend: nothing there."""
_AGAIN = "Import the workbook as the Bundesagentur delivered it, unchanged."


def _wanted(names: list[str]) -> list[str]:
    return [n for n in names if not n.startswith(NOTE_SHEETS)]


def read_ba(path: Path) -> OfficialTable:
    """Read a BA statistics workbook (.xlsx).

    Raises
    ------
    ReadError
        When the workbook has no imprint with a title, or a table sheet has no
        row of reference dates or no area rows.
    """
    sheets = read_xlsx_sheets(path, _wanted)
    imprint = sheets.pop(BA_IMPRINT, [])
    export = ba_export([[cell_text(c) for c in cells] for _, cells in imprint])
    if export is None:
        raise unreadable_export(
            path,
            f"the workbook has no sheet '{BA_IMPRINT}' with a row 'Titel:', as the "
            f"Bundesagentur's statistics workbooks have. {_AGAIN}",
        )
    headers: list[list[str]] = []
    columns: list[tuple[str, list[str]]] = []  # (sheet, labels) of each column
    by_area: dict[str, dict[int, str]] = {}
    first_line: dict[str, int] = {}
    names: dict[str, str] = {}
    for sheet, rows in sheets.items():
        texts = [(line, [cell_text(c) for c in cells]) for line, cells in rows]
        start = len(columns)
        labels, data = _sheet(path, sheet, texts)
        columns.extend((sheet, column) for column in labels)
        for line, key, name, values in data:
            first_line.setdefault(key, line)
            names.setdefault(key, name)
            cells = by_area.setdefault(key, {})
            for j, value in enumerate(values):
                cells[start + j] = "" if value == NO_RECORD else value
    if not columns:
        raise unreadable_export(path, f"the workbook has no table sheet. {_AGAIN}")
    depth = max(len(labels) for _, labels in columns)
    headers = [[sheet for sheet, _ in columns]]
    headers += [
        [(labels + [""] * depth)[i] for _, labels in columns] for i in range(depth)
    ]
    keys = list(by_area)
    return OfficialTable(
        path=path,
        export=export,
        layout="ba",
        encoding="xlsx",
        lead=2,
        headers=headers,
        lines=[first_line[k] for k in keys],
        leading=[[k, names[k]] for k in keys],
        values=[[by_area[k].get(j, "") for j in range(len(columns))] for k in keys],
    )


def _sheet(
    path: Path, sheet: str, rows: list[tuple[int, list[str]]]
) -> tuple[list[list[str]], list[tuple[int, str, str, list[str]]]]:
    """Each value column's header labels (the date last), and the area rows as
    (line, key, name, values)."""
    dates = next(
        (
            i
            for i, (_, cells) in enumerate(rows)
            if sum(official_period(c) is not None for c in cells[1:]) >= 1
            and not cells[0]
        ),
        None,
    )
    top = next(
        (i for i, (_, cells) in enumerate(rows) if cells[0].startswith("Region")), None
    )
    if dates is None or top is None or top > dates:
        raise unreadable_export(
            path,
            f"the sheet '{sheet}' has no header rows: a row starting with 'Region' "
            f"and a row of reference dates below it. {_AGAIN}",
            row=rows[0][0] if rows else None,
        )
    width = max(len(cells) for _, cells in rows[top : dates + 1]) - 1
    grid = [(cells[1:] + [""] * width)[:width] for _, cells in rows[top : dates + 1]]
    labels: list[list[str]] = [[] for _ in range(width)]
    carried = [""] * len(grid)
    for j in range(width):
        for i, row in enumerate(grid):
            starts = any(grid[k][j] for k in range(i + 1))
            if row[j] or starts:
                carried[i] = row[j]  # a new group here, or empty under one
            if carried[i]:
                labels[j].append(carried[i])
    data: list[tuple[int, str, str, list[str]]] = []
    for line, cells in rows[dates + 1 :]:
        first = cells[0]
        if (
            not first
            and data == []
            and all(re.fullmatch(r"\d+", c) for c in cells if c)
        ):
            continue  # the row of column numbers
        if first == GERMANY:
            key, name = "DG", GERMANY
        elif m := AREA.match(first):
            key, name = m.group(1), m.group(2).strip()
        elif data:
            break  # the footer: creation date, footnotes, legend
        else:
            continue
        data.append((line, key, name, (cells[1:] + [""] * width)[:width]))
    if not data:
        raise unreadable_export(
            path,
            f"the sheet '{sheet}' has no rows of areas ('01001 Flensburg, Stadt'). "
            f"{_AGAIN}",
            row=rows[dates][0],
        )
    return labels, data
