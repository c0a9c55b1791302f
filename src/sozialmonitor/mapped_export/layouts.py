"""The two layouts values are written in: the classic GENESIS / Regionalstatistik
CSV and INKAR's CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence

from sozialmonitor.ingest.official.mapping import KEY_KINDS, Mapping
from sozialmonitor.ingest.official.recognise import INKAR_HEADER, inkar_export
from sozialmonitor.mapped_export.cells import (
    GENESIS_GAP,
    INKAR_GAP,
    Cells,
    MappedExportError,
    Slot,
)

FOOTER_LINE = "__________"
_AGGREGATES = {
    "deutschland": "Bund",
    "land": "Bundesländer",
    "regierungsbezirk": "Regierungsbezirke",
    "kreis": "Kreise",
    "gemeindeverband": "Gemeindeverbände",
    "gemeinde": "Gemeinden",
}
"""INKAR's third column (``Aggregat``) by the kind of key."""


def genesis_csv(
    mapping: Mapping,
    slots: list[Slot],
    cells: Cells,
    keys: list[str],
    names: dict[str, str],
    periods: list[str],
    legend: Sequence[str],
    stamp: dt.datetime,
) -> bytes:
    """The classic GENESIS CSV: title block, header rows (dates, then each
    column's labels), rows ``key;name;labels…;values``, footer after ``____``."""
    columns = list(dict.fromkeys(s.columns for s in slots))
    row_sets = list(dict.fromkeys(s.rows for s in slots))
    depth = max(len(c) for c in columns)
    named = 1 if mapping.areas.by == "name" else 2  # a name, or a key and a name
    lead = named + max(len(r) for r in row_sets)
    value_columns = [(p, c) for p in periods for c in columns]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    width = lead + len(value_columns)
    pad = [""] * (width - 1)
    writer.writerow([f"GENESIS-Tabelle: {mapping.table}"])
    writer.writerow([mapping.title or mapping.table, *pad])
    writer.writerow([*[""] * lead, *[p for p, _ in value_columns]])
    for level in range(depth):
        labels = [c[level] if level < len(c) else "" for _, c in value_columns]
        writer.writerow([*[""] * lead, *labels])
    for key in keys:
        for rows in row_sets:
            values = []
            for period, column in value_columns:
                slot = Slot(column, rows)
                if slot in slots:
                    values.append(cells.text.get((slot, key, period), GENESIS_GAP))
                else:
                    values.append("")
            if not any(values):
                continue  # no output reads this row
            labels = [*rows, *[""] * (lead - named - len(rows))]
            area = [key, names.get(key, key)] if named == 2 else [key]
            writer.writerow([*area, *labels, *values])
    writer.writerow([FOOTER_LINE])
    for line in legend:
        writer.writerow([line])
    writer.writerow(
        [". = Zahlenwert unbekannt oder geheim zu halten; x = kein Wert vorhanden"]
    )
    writer.writerow([f"Stand: {stamp:%d.%m.%Y / %H:%M:%S}"])
    return out.getvalue().encode("utf-8")


def inkar_csv(
    mapping: Mapping,
    slots: list[Slot],
    cells: Cells,
    keys: list[str],
    names: dict[str, str],
    periods: list[str],
) -> bytes:
    """INKAR's CSV: ``Kennziffer;Raumeinheit;Aggregat`` and each column's indicator,
    the row of years, rows ``key;name;aggregate;values``; UTF-8 with BOM, CRLF,
    every value quoted."""
    bad = [s for s in slots if len(s.columns) != 1 or s.rows]
    if bad:
        raise MappedExportError(
            f"An INKAR export's columns are named by one indicator each, and the "
            f"mapping selects {list(bad[0].columns + bad[0].rows)}. Use a mapping "
            "whose outputs each select one column label (value: columns: [NAME])."
        )
    filled = {(slot, period) for slot, _, period in cells.text}
    value_columns = [
        (p, s)
        for s in slots
        for p in periods
        # a column without values still names its indicator: INKAR names an
        # export by all of them
        if (s, p) in filled or not any((s, q) in filled for q in periods)
    ]
    header = [*INKAR_HEADER, *[s.columns[0] for _, s in value_columns]]
    export = inkar_export(header)
    if export is None or export.table != mapping.table:
        raise MappedExportError(
            f"INKAR names an export by all the indicators it holds, and the mapping "
            f"is for {mapping.table}, while a file of the indicators it selects is "
            f"{export.table if export else 'no INKAR export'}: it would not import "
            "through this mapping. Use a mapping that selects every indicator of its "
            "export."
        )
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL
    )
    writer.writerow(header)
    out.write(
        ";" * (len(INKAR_HEADER) - 1) + ";" + ";".join(p for p, _ in value_columns)
    )
    out.write("\r\n")
    for key in keys:
        kind = "deutschland" if key == "DG" else KEY_KINDS.get(len(key), "")
        row = [key, names.get(key, key), _AGGREGATES.get(kind, "")]
        row += [cells.text.get((s, key, p), INKAR_GAP) for p, s in value_columns]
        writer.writerow(row)
    return out.getvalue().encode("utf-8-sig")
