"""A table as read from a file, before its meaning is known."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sozialmonitor.errors import LimitExceededError, ReadError
from sozialmonitor.ingest.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    shorten,
    size_text,
)


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


READ_CHUNK_ROWS = 20_000
"""Rows of a file read, checked and written at once by a streamed import: a chunk's
cells, findings and driver rows are held for one chunk, not for the whole file (20,000
rows of a wide file of ten periods are 200,000 values)."""


@dataclass(frozen=True, kw_only=True)
class TableStream:
    """A table read chunk by chunk: the header now, the rows as they are read.

    ``chunks`` raises ``ReadError`` where the file cannot be read further (a row
    of the wrong width, an unclosed quote); rows before it have been given out.
    """

    path: Path
    columns: list[str]
    """The header's column names."""
    chunks: Iterator[Table]
    """Tables of at most the chunk size of rows, each with ``columns``."""
    lines: int | None = None
    """For text files: the lines of the file (an upper bound of its rows)."""
    delimiter: str | None = None
    encoding: str | None = None

    def read_all(self) -> Table:
        """All chunks as one table (for files small enough to hold: areas,
        catalogues, correspondence tables)."""
        frames: list[pd.DataFrame] = []
        rows: list[int] = []
        for chunk in self.chunks:
            frames.append(chunk.frame)
            rows.extend(chunk.rows)
        frame = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=self.columns, dtype=object)
        )
        return Table(
            path=self.path,
            frame=frame,
            rows=rows,
            delimiter=self.delimiter,
            encoding=self.encoding,
        )


def column_names(cells: list[str]) -> list[str]:
    """Header cells as column names: stripped, unnamed ones numbered by position,
    repeated ones made unique (``Wert``, ``Wert (2)``)."""
    names: list[str] = []
    taken: set[str] = set()  # a set: a header of many columns is checked in linear time
    repeats: dict[str, int] = {}
    for position, cell in enumerate(cells, start=1):
        name = cell.strip() or f"(column {position})"
        unique, n = name, repeats.get(name, 1)
        while unique in taken:
            n += 1
            unique = f"{name} ({n})"
        repeats[name] = n
        taken.add(unique)
        names.append(unique)
    return names


def check_file_size(path: Path, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse a file larger than ``limit`` before it is read.

    Raises
    ------
    LimitExceededError
        When the file is larger.
    """
    size = path.stat().st_size
    if size > limit:
        raise LimitExceededError(
            path,
            f"the file is {size_text(size)}, more than the {size_text(limit)} an "
            "import reads. Split it into several files (e.g. by indicator or year), "
            "or check that it is the file you meant.",
            finding="file-too-large",
        )


def check_width(path: Path, width: int, *, row: int) -> None:
    """Refuse a header of more than ``MAX_COLUMNS`` columns."""
    if width > MAX_COLUMNS:
        raise LimitExceededError(
            path,
            f"the header has {width:,} columns, more than the {MAX_COLUMNS:,} an "
            "import reads. A long file (indicator, area, period, value) needs only "
            "four; split a wide file into several.",
            finding="too-many-columns",
            row=row,
        )


def check_cells(path: Path, cells: list[str], names: list[str], *, row: int) -> None:
    """Refuse a row with a cell longer than ``MAX_CELL_CHARS``."""
    if max(map(len, cells), default=0) <= MAX_CELL_CHARS:
        return
    position = next(i for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS)
    raise LimitExceededError(
        path,
        f"the cell has {len(cells[position]):,} characters, more than the "
        f"{MAX_CELL_CHARS:,} a cell may hold. Check the quotes before it, or shorten "
        "the text.",
        finding="cell-too-long",
        row=row,
        column=shorten(names[position]) if position < len(names) else None,
        value=shorten(cells[position]),
    )


def read_table(path: Path) -> Table:
    """Read a CSV or Excel file by its file name extension, as a whole.

    Raises
    ------
    ReadError
        When the file is missing, empty, of an unknown type, or not readable as a table.
    """
    return stream_table(path).read_all()


def stream_table(path: Path, chunk_rows: int = READ_CHUNK_ROWS) -> TableStream:
    """Open a CSV or Excel file by its file name extension and read its header; the
    rows follow in chunks of at most ``chunk_rows``.

    Raises
    ------
    ReadError
        When the file is missing, empty, of an unknown type, or its start is not
        readable as a table (rows further on raise while the chunks are read).
    """
    from sozialmonitor.ingest.formats.csv.reader import stream_csv
    from sozialmonitor.ingest.formats.xlsx.reader import stream_xlsx

    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1.")

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
    check_file_size(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        return stream_csv(path, chunk_rows)
    if suffix in (".xlsx", ".xlsm"):
        return stream_xlsx(path, chunk_rows)
    if suffix == ".xls":
        raise ReadError(
            path,
            "old Excel files (.xls) are not read. Open the file in Excel or "
            "LibreOffice and save it as .xlsx or as CSV.",
        )
    raise ReadError(
        path, f"unknown file type '{suffix}'. Use CSV (.csv) or Excel (.xlsx)."
    )
