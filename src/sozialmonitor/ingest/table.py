"""A table as read from a file, before its meaning is known."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sozialmonitor.errors import ReadError


def cell_text(value: object) -> str:
    """A cell as text: empty for missing values (None, NaN, NaT), ``2021`` for the
    float 2021.0 a spreadsheet gives, otherwise the stripped text."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True, kw_only=True)
class Table:
    """Cells as read (text, or numbers from a spreadsheet), with their row numbers."""

    path: Path
    frame: pd.DataFrame
    """Columns as named in the file's header; cells ``str``, ``float`` or ``None``."""
    rows: list[int]
    """Row number of each frame row as a spreadsheet program shows it."""
    delimiter: str | None = None
    """For text files: the column separator found."""
    encoding: str | None = None
    """For text files: the encoding found."""


def column_names(cells: list[str]) -> list[str]:
    """Header cells as column names: stripped, unnamed ones numbered by position,
    repeated ones made unique (``Wert``, ``Wert (2)``)."""
    names: list[str] = []
    for position, cell in enumerate(cells, start=1):
        name = cell.strip() or f"(column {position})"
        unique, n = name, 1
        while unique in names:
            n += 1
            unique = f"{name} ({n})"
        names.append(unique)
    return names


def read_table(path: Path) -> Table:
    """Read a CSV or Excel file by its file name extension.

    Raises
    ------
    ReadError
        When the file is missing, empty, of an unknown type, or not readable as a table.
    """
    from sozialmonitor.ingest.formats.csv.reader import read_csv
    from sozialmonitor.ingest.formats.xlsx.reader import read_xlsx

    if not path.is_file():
        raise ReadError(
            path, "the file does not exist. Check the path and the file name."
        )
    if path.stat().st_size == 0:
        raise ReadError(
            path,
            "the file is empty (0 bytes). Export or copy the file again.",
            finding="empty-file",
        )
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    if suffix == ".xls":
        raise ReadError(
            path,
            "old Excel files (.xls) are not read. Open the file in Excel or "
            "LibreOffice and save it as .xlsx or as CSV.",
        )
    raise ReadError(
        path, f"unknown file type '{suffix}'. Use CSV (.csv) or Excel (.xlsx)."
    )
