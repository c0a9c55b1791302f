"""The bulk insert of observations: rows in primary key order handed to the driver
in large batches (PostgreSQL ``COPY``, SQLite ``executemany``), and what a large
insert does around it — SQLite's page cache and secondary indexes, PostgreSQL's
planner statistics. Everything runs in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype
from sqlalchemy import Connection

from sozialmonitor.store import schema

INSERT_CHUNK = 50_000
"""Rows handed to the driver at once."""
SQLITE_CACHE_BYTES_PER_ROW = 64
"""Page cache granted per inserted row on SQLite (index pages touched per row)."""
SQLITE_CACHE_MAX_KIB = 512 * 1024
"""At most 512 MiB of page cache for one insert."""
ANALYZE_MIN_ROWS = 100_000
"""From this many rows on, PostgreSQL's statistics of ``observation`` are renewed."""
SQLITE_REBUILD_MIN_ROWS = 100_000
"""From this many rows on, an insert into a table at most as large rebuilds the
secondary indexes instead of updating them row by row."""
BULK = "sozialmonitor.bulk_write"
"""Key in ``Connection.info`` while ``bulk_write`` is active: rows written so far."""


def _driver_columns(frame: pd.DataFrame) -> list[np.ndarray]:
    """Columns as arrays of plain Python values (None for missing) for the driver."""
    columns = []
    for col in frame.columns:
        series = frame[col]
        values = series.to_numpy(dtype=object)
        if series.dtype.kind == "f":
            values[series.isna().to_numpy()] = None
        elif series.dtype.kind not in "iu" and (
            len(values) == 0 or infer_dtype(values, skipna=False) != "string"
        ):
            values = np.array(
                [None if v is None else str(v) for v in values], dtype=object
            )
        columns.append(values)
    return columns


def _key_order(frame: pd.DataFrame) -> np.ndarray:
    """Row positions in primary key order (indicator, period, area), so that the
    key index and the table grow at their end instead of all over the file."""
    periods = pd.factorize(frame["period"], sort=True)[0]
    return np.lexsort(
        (frame["area_id"].to_numpy(), periods, frame["indicator_id"].to_numpy())
    )


@contextmanager
def bulk_write(conn: Connection, rows: int) -> Iterator[None]:
    """Around many calls of ``store_observations`` of one import of about ``rows``
    values (read and written chunk by chunk): what each large insert would do once
    is done once for all of them — SQLite builds its secondary index anew after
    the last chunk (when the import at least doubles the table), PostgreSQL renews
    its statistics after the last chunk. All in the caller's transaction."""
    if BULK in conn.info:
        raise RuntimeError("bulk_write is active on this connection already.")
    conn.info[BULK] = 0
    try:
        if conn.dialect.name == "postgresql":
            yield
            if conn.info[BULK] >= ANALYZE_MIN_ROWS:
                conn.exec_driver_sql("ANALYZE observation")
        else:
            with _sqlite_indexes_rebuilt(conn, rows):
                yield
    finally:
        del conn.info[BULK]


def bulk_insert(conn: Connection, frame: pd.DataFrame) -> None:
    """Insert the rows of ``frame`` (columns named as in ``observation``) into
    ``observation``, in the caller's transaction: PostgreSQL through ``COPY``,
    SQLite through ``executemany`` with a page cache large enough for the insert
    (and, outside ``bulk_write``, its secondary indexes built anew after a large
    insert)."""
    bulk = BULK in conn.info
    if bulk:
        conn.info[BULK] += len(frame)
    frame = frame.take(_key_order(frame))
    columns = _driver_columns(frame)
    names = ", ".join(frame.columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY observation ({names}) FROM STDIN") as copy:
            for start in range(0, len(frame), INSERT_CHUNK):
                for row in _chunk_rows(columns, start):
                    copy.write_row(row)
        if not bulk and len(frame) >= ANALYZE_MIN_ROWS:
            # Planner statistics for the new rows at once, not whenever autovacuum
            # comes by: without them the first reads may choose the wrong plan.
            conn.exec_driver_sql("ANALYZE observation")
        return
    marks = ", ".join("?" for _ in frame.columns)
    rebuilt = nullcontext() if bulk else _sqlite_indexes_rebuilt(conn, len(frame))
    with _sqlite_cache(conn, len(frame)), rebuilt:
        for start in range(0, len(frame), INSERT_CHUNK):
            conn.exec_driver_sql(
                f"INSERT INTO observation ({names}) VALUES ({marks})",
                _chunk_rows(columns, start),
            )


@contextmanager
def _sqlite_indexes_rebuilt(conn: Connection, rows: int) -> Iterator[None]:
    """Build the secondary indexes of ``observation`` anew after an insert that at
    least doubles the table: one sort is much cheaper than putting millions of rows
    into an index one by one (11 million rows: 58 s instead of 83 s for the write).

    It happens inside the import's transaction, so nobody else ever sees the table
    without its index: readers keep their snapshot, and a failed or killed import
    rolls the whole change back (DDL is transactional with the explicit BEGIN of
    ``store.database``)."""
    stored = conn.exec_driver_sql("SELECT max(rowid) FROM observation").scalar()
    if rows < SQLITE_REBUILD_MIN_ROWS or rows < (stored or 0):
        yield
        return
    indexes = sorted(schema.observation.indexes, key=lambda ix: str(ix.name))
    for index in indexes:
        index.drop(conn)
    try:
        yield
    finally:
        for index in indexes:
            index.create(conn)


def _chunk_rows(columns: list[np.ndarray], start: int) -> list[tuple[Any, ...]]:
    chunk = [c[start : start + INSERT_CHUNK].tolist() for c in columns]
    return list(zip(*chunk, strict=True))


@contextmanager
def _sqlite_cache(conn: Connection, rows: int) -> Iterator[None]:
    """A page cache that holds the indexes a large insert changes (SQLite's default
    of 2 MB makes every index page go to disk and back many times); the previous
    size is restored afterwards, which frees the memory."""
    previous = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    if previous < 0:  # negative: KiB, positive: pages
        previous_kib = -previous
    else:
        page_size = int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
        previous_kib = previous * page_size // 1024
    wanted_kib = min(rows * SQLITE_CACHE_BYTES_PER_ROW // 1024, SQLITE_CACHE_MAX_KIB)
    if wanted_kib <= previous_kib:
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = {-wanted_kib}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {previous}")
