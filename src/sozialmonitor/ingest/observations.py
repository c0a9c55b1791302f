"""Observation files: read, checked and written chunk by chunk into a draft release,
all in one transaction (a file with an error anywhere writes nothing)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, Engine

from sozialmonitor.access.audit import SYSTEM
from sozialmonitor.errors import ImportValidationError, UnreadableFileError
from sozialmonitor.ingest.draft import DraftWrite
from sozialmonitor.ingest.layouts import Layout, find_layout
from sozialmonitor.ingest.numbers import NumberStyle, detect_style
from sozialmonitor.ingest.official.recognise import recognise
from sozialmonitor.ingest.report import ImportOutcome, ValidationReport
from sozialmonitor.ingest.table import (
    READ_CHUNK_ROWS,
    Table,
    TableStream,
    stream_table,
)
from sozialmonitor.ingest.validator import ObservationValidator, validate_long

CHUNK_VALUES = 200_000
"""At most about so many values are checked and written at once: a chunk's cells
as Python objects and its checks take about 500 bytes a value."""
BYTES_PER_VALUE = 8
"""About the fewest bytes a value takes in a file (a wide CSV of short numbers)."""
STYLE_ROWS = READ_CHUNK_ROWS
"""The first rows of a file decide its number style (German or international) ..."""
STYLE_SAMPLE = 5_000
"""... by their first distinct text cells of each number column."""


def checked_chunks(
    conn: Connection,
    path: Path,
    report: ValidationReport,
    *,
    indicator: str | None = None,
    chunk_rows: int = READ_CHUNK_ROWS,
    settle: Callable[[], None] = lambda: None,
) -> Iterator[pd.DataFrame]:
    """Read and check a file chunk by chunk; yields each chunk's rows ready to store
    while the file has no error, and checks across all rows at the end. Findings go
    to ``report``; once it has an error nothing more is yielded, but the rest of
    the file is still checked (the report counts all findings). ``settle`` is
    called before the checks across all rows read the database (a writer of the
    yielded rows in another thread finishes first: ``DraftWrite.settle``).

    A file that cannot be read further (a broken row) leaves only that finding in
    the report."""
    official = recognise(path)
    if official is not None:
        report.error("official-export", official.advice())
        return
    try:
        stream = stream_table(path, chunk_rows)
        layout = find_layout(stream.columns, report, indicator=indicator)
        if layout is None:
            return
        validator = None
        for table in _slices(stream, layout):
            report.rows_read += len(table.frame)
            long = layout.to_long(table, report)
            if validator is None:
                style = (
                    _style(long, stream)
                    if chunk_rows >= STYLE_ROWS
                    else _sample_style(path, layout)
                )
                validator = ObservationValidator(
                    conn,
                    report,
                    columns=layout.roles,
                    style=style,
                    expected_values=_expected_rows(path),
                )
            rows = validator.check(long)
            del long
            if report.is_valid and not rows.empty:
                yield rows
    except UnreadableFileError as exc:
        report.clear()
        report.unreadable(exc)
        return
    if validator is None:
        report.error(
            "no-rows",
            "The file has a header but no data rows. Export the file again with its "
            "data.",
        )
        return
    settle()
    validator.finish()


def _slices(stream: TableStream, layout: Layout) -> Iterator[Table]:
    """The chunks of the file, cut so that none holds more than about
    ``CHUNK_VALUES`` values (a row of a wide file holds one per period)."""
    rows = max(CHUNK_VALUES // max(len(layout.periods), 1), 1)
    for table in stream.chunks:
        if len(table.rows) <= rows:
            yield table
            continue
        for start in range(0, len(table.rows), rows):
            yield Table(
                path=table.path,
                frame=table.frame.iloc[start : start + rows],
                rows=table.rows[start : start + rows],
            )


def _style(long: pd.DataFrame, stream: TableStream) -> NumberStyle:
    text_cells = [
        c
        for col in ("value", "numerator", "denominator")
        for c in long[col].unique()[:STYLE_SAMPLE]
        if isinstance(c, str)
    ]
    return detect_style(text_cells, stream.delimiter)


def _sample_style(path: Path, layout: Layout) -> NumberStyle:
    """The number style of the file's first ``STYLE_ROWS`` rows (for chunks of
    fewer rows: the style does not depend on the chunk size)."""
    stream = stream_table(path, STYLE_ROWS)
    first = next(stream.chunks)
    stream.chunks.close()  # type: ignore[attr-defined]
    return _style(layout.to_long(first, ValidationReport(path=path)), stream)


def validate_observations(
    conn: Connection,
    path: Path,
    *,
    indicator: str | None = None,
    chunk_rows: int = READ_CHUNK_ROWS,
) -> tuple[ValidationReport, pd.DataFrame]:
    """Read and check a whole file; returns the report and all rows ready to store
    (empty when the file has errors). For files small enough to hold: an import
    writes chunk by chunk (``import_observations``)."""
    report = ValidationReport(path=path)
    chunks = list(
        checked_chunks(conn, path, report, indicator=indicator, chunk_rows=chunk_rows)
    )
    if not report.is_valid or not chunks:
        return report, pd.DataFrame()
    return report, pd.concat(chunks, ignore_index=True)


def _expected_rows(path: Path) -> int:
    """About how many values a file holds, from its size (for ``bulk_write``); 0
    for a file that is not there (the reader reports it, naming the file)."""
    if not path.is_file():
        return 0
    return path.stat().st_size // BYTES_PER_VALUE


def import_observations(
    engine: Engine,
    path: Path,
    *,
    release: str | None = None,
    indicator: str | None = None,
    dry_run: bool = False,
    actor: str = SYSTEM,
    address: str = "",
    chunk_rows: int = READ_CHUNK_ROWS,
) -> ImportOutcome:
    """Validate a file and, when it is clean, store it in a draft release.

    The file is read, checked and written in chunks of ``chunk_rows`` rows, so that
    memory stays bounded whatever its size; everything happens in one transaction:
    an error in any chunk writes nothing (the chunks before it are taken back), and
    a file that brings nothing new or changed leaves the database as it was (no
    empty draft, no log entry). What is written is in the import log and the audit
    log (``actor``: the account name, or ``cli``; ``address``: where the request
    came from).

    Raises
    ------
    ImportValidationError
        When the file has errors; its ``report`` lists them (the first of each kind)
        and counts them all.
    ReleaseStateError
        When ``release`` names a published or withdrawn release (also in a dry run).
    """
    with engine.connect() as conn, conn.begin() as transaction:
        report = ValidationReport(path=path)
        with DraftWrite(
            conn,
            transaction,
            release=release,
            dry_run=dry_run,
            expected_rows=_expected_rows(path),
        ) as draft:
            for rows in checked_chunks(
                conn,
                path,
                report,
                indicator=indicator,
                chunk_rows=chunk_rows,
                settle=draft.settle,
            ):
                draft.write(rows)
            if not report.is_valid:
                raise ImportValidationError(report, report.to_text())
            return draft.finish(report, path=path, actor=actor, address=address)


__all__ = [
    "ImportOutcome",
    "NumberStyle",
    "checked_chunks",
    "import_observations",
    "validate_long",
    "validate_observations",
]
