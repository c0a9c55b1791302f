"""Read an IRIS export of the BBSR (the regional data behind INKAR) as delivered.

A ``;``-separated file with two header rows: the variables' short names
(``gemeindeve22;gemeindeve22name;q_einkst_bev98;…``) and their labels
(``Gebietskennziffer;Name;Einkommensteuer 1998;…``), then one row per area: key,
name, values with the decimal comma. Each value column's labels are its label
without the year, and the year.
"""

from __future__ import annotations

from pathlib import Path

from sozialmonitor.ingest.formats.csv.reader import decode
from sozialmonitor.ingest.official.genesis import OfficialTable
from sozialmonitor.ingest.official.inkar import csv_records
from sozialmonitor.ingest.official.recognise import iris_export, split_year
from sozialmonitor.ingest.table import ReadError

LEAD = 2
"""Leading cells of a data row: key and name."""
_AGAIN = "Import the file as the BBSR delivered it, unchanged."


def read_iris(path: Path) -> OfficialTable:
    """Read an IRIS export.

    Raises
    ------
    ReadError
        When the file has not the two header rows of an IRIS export, or a row has
        more cells than the header.
    """
    text, encoding = decode(path)
    records = csv_records(path, text, again=_AGAIN)
    export = iris_export(records[0][1], records[1][1]) if len(records) > 1 else None
    if export is None:
        raise ReadError(
            path,
            "the file is not an IRIS export: its second row does not start with "
            f"'Gebietskennziffer;Name'. {_AGAIN}",
            finding="unreadable-export",
            row=records[1][0] if len(records) > 1 else None,
        )
    labels = [split_year(c) for c in records[1][1][LEAD:]]
    width = len(labels)
    lines, leading, values = [], [], []
    for line, cells in records[2:]:
        if len(cells) > LEAD + width and any(cells[LEAD + width :]):
            raise ReadError(
                path,
                f"the row has values right of the last named column. {_AGAIN}",
                finding="unreadable-export",
                row=line,
            )
        cells = (cells + [""] * (LEAD + width))[: LEAD + width]
        lines.append(line)
        leading.append(cells[:LEAD])
        values.append(cells[LEAD:])
    return OfficialTable(
        path=path,
        export=export,
        layout="iris",
        encoding=encoding,
        lead=LEAD,
        headers=[[label for label, _ in labels], [year for _, year in labels]],
        lines=lines,
        leading=leading,
        values=values,
    )
