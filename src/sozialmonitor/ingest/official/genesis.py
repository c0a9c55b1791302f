"""Read a GENESIS / Regionalstatistik CSV export as downloaded.

Three layouts: the classic table (title block, header rows starting with ``;;``
whose combination names a column, indented area names, footnotes after
``__________``), its long variant (the reference date in the first column) and the
flat "ffcsv" file (one value per row, with named columns). All become the same
``OfficialTable``: data rows with their leading cells (date, key, name, further
labels) and value cells, and for each value column the labels of its header rows,
with the file line of every row kept for messages.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from sozialmonitor.ingest.formats.csv.options import MOJIBAKE
from sozialmonitor.ingest.formats.csv.reader import decode
from sozialmonitor.ingest.limits import MAX_CELL_CHARS
from sozialmonitor.ingest.official.recognise import (
    OfficialExport,
    recognise,
    unreadable_export,
)
from sozialmonitor.ingest.table import check_cells, check_width

FOOTER = re.compile(r"(?m)^_{5,}")
"""The line that ends the data and starts the footnotes."""
KEY = re.compile(r"^(DG|\d{2,12})$")
"""An official area key: ``DG`` (Germany) or 2 to 12 digits."""
FLAT_VALUE = re.compile(r"^(value|.+__.+)$")
"""A value column of a flat (ffcsv) file: ``value`` or ``CODE__Label__Unit``."""


@dataclass(frozen=True, kw_only=True)
class OfficialTable:
    """The cells of an export, before a mapping gives them a meaning."""

    path: Path
    export: OfficialExport
    """Source and table code from the title block."""
    layout: str
    """``classic`` (including the long variant), ``flat`` or ``inkar``."""
    encoding: str
    lead: int
    """Leading (label) columns before the first value column."""
    headers: list[list[str]]
    """Header rows, each as the labels of the value columns."""
    lines: list[int]
    """File line of each data row."""
    leading: list[list[str]]
    """Leading cells of each data row, stripped (date, key, name, labels)."""
    values: list[list[str]]
    """Value cells of each data row, stripped; one per value column."""

    @property
    def width(self) -> int:
        """Number of value columns."""
        return len(self.headers[0]) if self.headers else 0

    def column_labels(self, position: int) -> list[str]:
        """The header labels of a value column, top to bottom, without empty ones."""
        return [h[position] for h in self.headers if h[position]]

    def column_name(self, position: int) -> str:
        """A value column as messages name it: its labels joined by ' / '."""
        labels = self.column_labels(position)
        return " / ".join(labels) if labels else f"column {self.lead + position + 1}"


def read_official(path: Path) -> OfficialTable:
    """Read an export; refuses a file that is not one, or beyond the limits.

    Raises
    ------
    ReadError
        When the file is no GENESIS export, or its title block, header or data
        rows cannot be told apart.
    """
    export = recognise(path)
    if export is None:
        raise unreadable_export(
            path,
            "the file is not a GENESIS / Regionalstatistik export: its first line "
            "is not 'GENESIS-Tabelle: <code>' nor a flat file's header "
            "'statistics_code;…'. Download the table again as CSV, unchanged.",
            row=1,
        )
    text, encoding = decode(path)  # size, binary and row limits
    if any(m in text for m in MOJIBAKE):
        raise unreadable_export(
            path,
            "the text contains characters like 'Ã¤': it was converted to UTF-8 twice. "
            "Download the table again and import it unchanged.",
        )
    if footer := FOOTER.search(text):
        text = text[: footer.start()]
    csv.field_size_limit(MAX_CELL_CHARS + 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    records: list[tuple[int, list[str]]] = []
    try:
        start = 1
        for cells in reader:
            if any("\n" in c or "\r" in c for c in cells):
                raise unreadable_export(
                    path,
                    "a quoted cell starts in this line and runs over the following "
                    "lines (a quote is not closed). Download the table again, "
                    "unchanged.",
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
            f"the line cannot be read as CSV ({exc}). Check its quotes, or "
            "download the table again.",
            row=reader.line_num,
        ) from None
    if export.table and records and records[0][1][0].startswith("statistics_code"):
        return _flat(path, export, encoding, records)
    return _classic(path, export, encoding, records)


def _classic(
    path: Path,
    export: OfficialExport,
    encoding: str,
    records: list[tuple[int, list[str]]],
) -> OfficialTable:
    body = records[1:]  # after 'GENESIS-Tabelle: <code>'
    start = 0
    while start < len(body) and body[start][1][0] and not any(body[start][1][1:]):
        start += 1  # title lines: text in the first cell, the rest padding
    end = start
    while end < len(body) and not body[end][1][0]:
        end += 1  # header rows: the first cell empty
    header_rows = [cells for _, cells in body[start:end]]
    data = body[end:]
    if not header_rows:
        line = body[start][0] if start < len(body) else None
        raise unreadable_export(
            path,
            "the export has no header rows (rows starting with ';;' that name the "
            "columns) after its title. Download the table again, unchanged.",
            row=line,
        )
    if not data:
        raise unreadable_export(
            path,
            "the export has header rows but no data rows. Download the table again "
            "with its data.",
            row=body[end - 1][0],
        )
    lead = min(len(h) - len(_strip_leading_empty(h)) for h in header_rows)
    width = max(len(cells) for _, cells in [*body[start:end], *data]) - lead
    headers = [_pad(h[lead:], width) for h in header_rows]
    # a header cell left empty under a spanning label continues no label: GENESIS
    # repeats labels in every column, so empty stays empty
    lines, leading, values = [], [], []
    for line, cells in data:
        lines.append(line)
        leading.append(cells[:lead])
        values.append(_pad(cells[lead:], width))
    return OfficialTable(
        path=path,
        export=export,
        layout="classic",
        encoding=encoding,
        lead=lead,
        headers=headers,
        lines=lines,
        leading=leading,
        values=values,
    )


def _flat(
    path: Path,
    export: OfficialExport,
    encoding: str,
    records: list[tuple[int, list[str]]],
) -> OfficialTable:
    names = records[0][1]
    value_at = [i for i, n in enumerate(names) if FLAT_VALUE.match(n)]
    if not value_at:
        raise unreadable_export(
            path,
            "the flat export has no value column ('value' or 'CODE__Label__Unit'). "
            "Download the table again as 'flat file CSV', unchanged.",
            row=records[0][0],
        )
    position = {n: i for i, n in enumerate(names)}
    label_at: list[int] = []
    if "time" in position:
        label_at.append(position["time"])
    n = 1
    while f"{n}_variable_attribute_code" in position:
        code = position[f"{n}_variable_attribute_code"]
        label = position.get(f"{n}_variable_attribute_label", code)
        label_at.extend([code, label])
        n += 1
    for name in ("value_variable_code", "value_variable_label"):
        if name in position:  # the measure, when rows hold several
            label_at.append(position[name])
    if not label_at:
        raise unreadable_export(
            path,
            "the flat export has neither a 'time' column nor "
            "'1_variable_attribute_code'. Download the table again, unchanged.",
            row=records[0][0],
        )
    lines, leading, values = [], [], []
    for line, cells in records[1:]:
        cells = _pad(cells, len(names))
        lines.append(line)
        leading.append([cells[i] for i in label_at])
        values.append([cells[i] for i in value_at])
    return OfficialTable(
        path=path,
        export=export,
        layout="flat",
        encoding=encoding,
        lead=len(label_at),
        headers=[[names[i] for i in value_at]],
        lines=lines,
        leading=leading,
        values=values,
    )


def _strip_leading_empty(cells: list[str]) -> list[str]:
    for i, cell in enumerate(cells):
        if cell:
            return cells[i:]
    return []


def _pad(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width] if len(cells) != width else cells
