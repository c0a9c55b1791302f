"""The bulk insert of an import (issue 12): whether SQLite takes the rows in
statements of many rows (while the secondary indexes are dropped) or one by one,
what is stored is exactly the rows handed over, and the indexes are back after."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, event, select, text

from sozialmonitor.store import bulk_insert, queries, schema
from sozialmonitor.store.bulk_insert import BULK, INDEXES_DROPPED, bulk_write
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import draft_release, store_observations
from tests.fixtures import TOWNS, make_demo_db

COLUMNS = ["period", "value", "numerator", "denominator", "flags", "note"]


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = connect(f"sqlite:///{tmp_path / 'bulk.db'}")
    init_database(engine)
    make_demo_db(engine)
    yield engine
    engine.dispose()


def _rows(conn: Connection, years: range, seed: int) -> pd.DataFrame:
    """Both demo indicators for every town and year (years the demo has no values
    of), with empty values, numerators, notes and flags among them."""
    rng = np.random.default_rng(seed)
    indicators = [
        queries.indicator_id(conn, "population"),
        queries.indicator_id(conn, "unemployment_share"),
    ]
    areas = [queries.area_id(conn, code) for code in TOWNS]
    keys = pd.MultiIndex.from_product(
        [indicators, areas, [str(y) for y in years]],
        names=["indicator_id", "area_id", "period"],
    ).to_frame(index=False)
    count = len(keys)
    value = rng.uniform(0, 1000, count).round(2)
    value[rng.random(count) < 0.1] = np.nan
    numerator = np.where(rng.random(count) < 0.3, rng.integers(0, 99, count), np.nan)
    note = np.where(rng.random(count) < 0.2, "Schätzung", None)
    return keys.assign(
        value=value,
        numerator=numerator,
        denominator=np.where(np.isnan(numerator), np.nan, 100.0),
        flags=rng.choice([0, 1, 4], count),
        note=note,
    )


def _stored(conn: Connection, release_id: int) -> pd.DataFrame:
    o = schema.observation
    found = conn.execute(
        select(o.c.indicator_id, o.c.area_id, *(o.c[c] for c in COLUMNS)).where(
            o.c.release_id == release_id
        )
    ).all()
    return _sorted(pd.DataFrame([tuple(r) for r in found], columns=_KEYS + COLUMNS))


_KEYS = ["indicator_id", "area_id"]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({"note": object})
    frame["note"] = frame["note"].where(frame["note"].notna(), None)
    return frame.sort_values([*_KEYS, "period"]).reset_index(drop=True)


def _indexes(conn: Connection) -> set[str]:
    found = conn.execute(
        text("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name=:t"),
        {"t": "observation"},
    )
    return {str(name) for (name,) in found}


def test_rows_in_statements_of_many_and_one_by_one_issue_12(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small sizes, so that a few hundred rows take every path: statements of 7
    # rows, batches of 49 and the rows left over one by one.
    monkeypatch.setattr(bulk_insert, "SQLITE_ROWS_PER_STATEMENT", 7)
    monkeypatch.setattr(bulk_insert, "INSERT_CHUNK", 50)
    monkeypatch.setattr(bulk_insert, "SQLITE_REBUILD_MIN_ROWS", 10)
    statements: list[str] = []
    with sqlite_engine.begin() as conn:
        before = _indexes(conn)
        release = draft_release(conn, "bulk")
        first = _rows(conn, range(1950, 1990), seed=1)  # more than the table holds
        second = _rows(conn, range(1940, 1942), seed=2)  # fewer
        stored_rows = conn.execute(text("SELECT count(*) FROM observation")).scalar()
        assert len(second) < stored_rows + len(first)

        def seen(*args: object) -> None:
            statements.append(str(args[2]))

        event.listen(conn, "before_cursor_execute", seen)
        with bulk_write(conn, len(first)):
            assert conn.info[INDEXES_DROPPED] is True
            written = store_observations(conn, release, first, chunk_rows=97)
        many = [s for s in statements if s.count("(?") == 7]
        assert many, "the first insert used statements of many rows"
        statements.clear()
        with bulk_write(conn, len(second)):
            assert conn.info[INDEXES_DROPPED] is False
            written += store_observations(conn, release, second, chunk_rows=97)
        inserts = [s for s in statements if s.startswith("INSERT INTO observation")]
        assert inserts
        assert all(s.count("(?") == 1 for s in inserts)
        event.remove(conn, "before_cursor_execute", seen)

        assert BULK not in conn.info
        assert INDEXES_DROPPED not in conn.info
        assert _indexes(conn) == before
        expected = _sorted(pd.concat([first, second], ignore_index=True))
        assert written == len(expected)
        pd.testing.assert_frame_equal(
            _stored(conn, release.id), expected, check_dtype=False
        )
