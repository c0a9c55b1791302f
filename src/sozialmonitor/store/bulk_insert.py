"""The bulk insert of observations: rows in primary key order handed to the driver
in large batches (PostgreSQL ``COPY``, SQLite ``executemany``), and what a large
insert does around it — SQLite's page cache and secondary indexes, PostgreSQL's
planner statistics. Everything runs in the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype
from sqlalchemy import Connection

from sozialmonitor.store import schema

INSERT_CHUNK = 50_000
"""Rows handed to the driver at once."""
SQLITE_ROWS_PER_STATEMENT = 1_000
"""Rows one SQLite ``INSERT`` carries (``VALUES (…), (…), …``, within SQLite's limit
of bound variables): the driver binds them in one call and SQLite runs one statement
for a thousand rows, not one each — half the CPU time of an insert row by row; and
the writing thread lets go of the interpreter once per statement, not once per row."""
SQLITE_CACHE_BYTES_PER_ROW = 64
"""Page cache granted per inserted row on SQLite (index pages touched per row)."""
SQLITE_CACHE_MAX_KIB = 512 * 1024
"""At most 512 MiB of page cache for one insert."""
SQLITE_INDEX_BYTES_PER_ROW = 20
"""Page cache granted per stored row while a large insert puts its rows into the
secondary index of ``observation`` (about the size of that index: 222 MB for 10.9
million rows)."""
ANALYZE_MIN_ROWS = 100_000
"""From this many rows on, PostgreSQL's statistics of ``observation`` are renewed."""
SQLITE_REBUILD_MIN_ROWS = 100_000
"""From this many rows on, an insert into a table at most as large rebuilds the
secondary indexes instead of updating them row by row."""
BULK = "sozialmonitor.bulk_write"
INDEXES_DROPPED = "sozialmonitor.bulk_write.indexes_dropped"
"""Key in ``Connection.info`` while ``bulk_write`` is active on SQLite: are the
secondary indexes of ``observation`` dropped until its end?"""
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
            with _sqlite_indexes_rebuilt(conn, rows) as dropped:
                conn.info[INDEXES_DROPPED] = dropped
                yield
    finally:
        del conn.info[BULK]
        conn.info.pop(INDEXES_DROPPED, None)


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
    if bulk:
        with _sqlite_cache(conn, len(frame)):
            _sqlite_insert(conn, names, columns, many=conn.info[INDEXES_DROPPED])
        return
    with (
        _sqlite_cache(conn, len(frame)),
        _sqlite_indexes_rebuilt(conn, len(frame)) as dropped,
    ):
        _sqlite_insert(conn, names, columns, many=dropped)


def _sqlite_insert(
    conn: Connection, names: str, columns: list[np.ndarray], *, many: bool
) -> None:
    """Insert the rows of ``columns``; ``many``: with statements of many rows each
    (``VALUES (…), (…), …``; the rows that do not fill one go one by one).

    Only while the secondary indexes are dropped: then the rows go to the end of the
    table and of its key, and a statement changes few pages. Into the index on the
    areas the rows go all over it, and a statement of many rows keeps the old
    content of every page it changes (SQLite's statement journal, to undo the
    statement alone on an error): a page a row, written to a temporary file —
    1.2 million rows into a table of 9.7 million wrote 3 GB that way."""
    width = len(columns)
    one = f"({', '.join('?' for _ in range(width))})"
    single = f"INSERT INTO observation ({names}) VALUES {one}"
    if not many:
        for start in range(0, len(columns[0]), INSERT_CHUNK):
            conn.exec_driver_sql(single, _chunk_rows(columns, start))
        return
    driver = conn.connection.driver_connection
    limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
    per_statement = max(min(SQLITE_ROWS_PER_STATEMENT, limit // width), 1)
    statement = f"INSERT INTO observation ({names}) VALUES " + ", ".join(
        [one] * per_statement
    )
    batch = max(INSERT_CHUNK // per_statement, 1) * per_statement
    for start in range(0, len(columns[0]), batch):
        block = np.column_stack([c[start : start + batch] for c in columns])
        full = len(block) // per_statement * per_statement
        if full:
            flat = block[:full].reshape(-1, per_statement * width)
            conn.exec_driver_sql(statement, [tuple(row) for row in flat.tolist()])
        if full < len(block):
            conn.exec_driver_sql(single, [tuple(row) for row in block[full:].tolist()])


@contextmanager
def _sqlite_indexes_rebuilt(conn: Connection, rows: int) -> Iterator[bool]:
    """Build the secondary indexes of ``observation`` anew after an insert that at
    least doubles the table: one sort is much cheaper than putting millions of rows
    into an index one by one (11 million rows: 58 s instead of 83 s for the write).

    It happens inside the import's transaction, so nobody else ever sees the table
    without its index: readers keep their snapshot, and a failed or killed import
    rolls the whole change back (DDL is transactional with the explicit BEGIN of
    ``store.database``). Yields whether the indexes are dropped during the insert.

    A smaller insert of many rows puts them into the indexes with a page cache that
    holds the index on the areas (``SQLITE_INDEX_BYTES_PER_ROW``)."""
    stored = conn.exec_driver_sql("SELECT max(rowid) FROM observation").scalar() or 0
    if rows < SQLITE_REBUILD_MIN_ROWS:
        yield False
        return
    if rows < stored:
        # The indexes stay and take the rows one by one, each in another place of
        # the index on the areas: a cache that holds that index for the whole
        # insert, not one sized for a chunk's rows (1.2 million rows into 9.7
        # million: the writer's CPU 10 s instead of 14 s, for 190 MB of cache).
        with _sqlite_cache(conn, stored, SQLITE_INDEX_BYTES_PER_ROW):
            yield False
        return
    indexes = sorted(schema.observation.indexes, key=lambda ix: str(ix.name))
    for index in indexes:
        index.drop(conn)
    try:
        yield True
    finally:
        for index in indexes:
            index.create(conn)


def _chunk_rows(columns: list[np.ndarray], start: int) -> list[tuple[Any, ...]]:
    chunk = [c[start : start + INSERT_CHUNK].tolist() for c in columns]
    return list(zip(*chunk, strict=True))


@contextmanager
def _sqlite_cache(
    conn: Connection, rows: int, bytes_per_row: int = SQLITE_CACHE_BYTES_PER_ROW
) -> Iterator[None]:
    """A page cache that holds the indexes a large insert changes (SQLite's default
    of 2 MB makes every index page go to disk and back many times): ``bytes_per_row``
    for each of ``rows``, at most ``SQLITE_CACHE_MAX_KIB``. The previous size is
    restored afterwards, which frees the memory."""
    previous = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    if previous < 0:  # negative: KiB, positive: pages
        previous_kib = -previous
    else:
        page_size = int(conn.exec_driver_sql("PRAGMA page_size").scalar_one())
        previous_kib = previous * page_size // 1024
    wanted_kib = min(rows * bytes_per_row // 1024, SQLITE_CACHE_MAX_KIB)
    if wanted_kib <= previous_kib:
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size = {-wanted_kib}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {previous}")
