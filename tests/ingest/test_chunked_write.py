"""Imports write their values in chunks inside the one transaction (issue 12,
"imports in bounded memory"): any chunk size gives the same database and report as
one chunk, and a failure in the last chunk writes nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine

from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.store import writes
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.queries import list_releases
from sozialmonitor.store.writes import (
    draft_release,
    save_indicators,
    store_observations,
)
from tests.fixtures import make_demo_db
from tests.ingest.conftest import EXTRA_INDICATORS
from tests.ingest.content import snapshot, stored

ONE_CHUNK = 1_000_000
HEADER = "Indikator;Gebiet;Jahr;Wert;Zähler;Nenner;Anmerkung"
EARLIER_DRAFT = [
    # replaced by the file below, and one that goes back to the published value
    "population;03241003;2020;25500;;;",
    "population;03241001;2021;999999;;;",
]
ROWS = [
    # as published (not stored again; the draft row goes back to the published one)
    "population;03241001;2020;300000;;;",
    "population;03241001;2021;301000;;;",
    # changed and new
    "population;03241003;2020;26000;;;",
    "population;03241003;2021;26100;;;Fortschreibung",
    "unemployment_share;03241001;2022;;21500;302000;",
    "unemployment_share;03241002;2022;;2000;20200;",  # a jump: warning
    "unemployment_share;03241003;2022;2,1;;;",
    "mean_income;03241001;2021;1234,5;;;",
    "mean_income;03241001;2022;2500;;;",  # a jump within the file: warning
    "mean_income;03241002;2022;987,25;;;",
    "child_poverty;03241001;2016;12,0;;;",
    "child_poverty;03241002;2016;;;;",  # empty: skipped
    "child_poverty;03241002;2017;8,5;;;",
]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _prepared(engine: Engine, folder: Path) -> Engine:
    """The small region, the extra indicators and a draft that the file changes."""
    with engine.begin() as conn:
        save_indicators(conn, EXTRA_INDICATORS)
    import_observations(
        engine, _write(folder / "earlier.csv", EARLIER_DRAFT), release="2022"
    )
    return engine


@pytest.fixture
def reference(tmp_path: Path) -> Engine:
    """A second database (SQLite) prepared the same way, imported in one chunk."""
    folder = tmp_path / "reference"
    folder.mkdir()
    engine = connect(f"sqlite:///{folder / 'reference.db'}")
    init_database(engine)
    make_demo_db(engine)
    yield _prepared(engine, folder)
    engine.dispose()


def _state(engine: Engine) -> dict[tuple[str, str], object]:
    """Each release's state and its stored values."""
    with engine.connect() as conn:
        releases = [(r.name, r.status.value) for r in list_releases(conn)]
    return {release: stored(engine, release[0]) for release in releases}


@pytest.mark.parametrize("chunk_rows", [1, 3, 7])
def test_chunked_import_equals_one_chunk_issue_12(
    small_engine: Engine, reference: Engine, tmp_path: Path, chunk_rows: int
) -> None:
    engine = _prepared(small_engine, tmp_path)
    path = _write(tmp_path / "werte.csv", ROWS)

    chunked = import_observations(engine, path, release="2022", chunk_rows=chunk_rows)
    whole = import_observations(reference, path, release="2022", chunk_rows=ONE_CHUNK)

    assert chunked.report.to_dict() == whole.report.to_dict()
    assert {f.code for f in chunked.report.findings} == {"implausible-jump"}
    assert chunked.rows_written == whole.rows_written == 11
    assert _state(engine) == _state(reference)
    # and importing the same file again changes nothing, in chunks as in one
    again = import_observations(engine, path, release="2022", chunk_rows=chunk_rows)
    assert again.rows_written == 0


def test_error_in_the_last_chunk_writes_nothing_issue_12(
    small_engine: Engine, reference: Engine, tmp_path: Path
) -> None:
    engine = _prepared(small_engine, tmp_path)
    path = _write(tmp_path / "werte.csv", [*ROWS, "mean_income;03241099;2022;1;;;"])
    before = snapshot(engine)

    with pytest.raises(ImportValidationError) as chunked:
        import_observations(engine, path, release="2022", chunk_rows=2)
    with pytest.raises(ImportValidationError) as whole:
        import_observations(reference, path, release="2022", chunk_rows=ONE_CHUNK)

    assert chunked.value.report.to_dict() == whole.value.report.to_dict()
    (error,) = chunked.value.report.errors
    assert (error.code, error.row) == ("unknown-area-code", len(ROWS) + 2)
    assert snapshot(engine) == before


def test_failed_write_in_the_last_chunk_writes_nothing_issue_12(
    small_engine: Engine,
) -> None:
    """The earlier chunks are written when the last one fails (here: a row without
    an area, which cannot be stored); the transaction takes them back."""
    before = snapshot(small_engine)
    rows = pd.DataFrame(
        {
            "indicator_id": [1, 1, 2, 2],
            "area_id": [2.0, 3.0, 2.0, float("nan")],
            "period": ["2023", "2023", "2023", "2023"],
            "value": [1.0, 2.0, 3.0, 4.0],
            "numerator": [None] * 4,
            "denominator": [None] * 4,
            "flags": [0] * 4,
            "note": [None] * 4,
        }
    )
    with pytest.raises(ValueError), small_engine.begin() as conn:
        release = draft_release(conn, "2023")
        store_observations(conn, release, rows, chunk_rows=1)
    assert snapshot(small_engine) == before


def test_chunk_rows_must_be_positive_issue_12(small_engine: Engine) -> None:
    with small_engine.begin() as conn, pytest.raises(ValueError, match="at least 1"):
        store_observations(
            conn, draft_release(conn, "2023"), pd.DataFrame(), chunk_rows=0
        )


@pytest.mark.parametrize(("indicators", "bound"), [(1, 2_000), (200, 1)])
def test_every_form_of_the_comparison_with_stored_rows_issue_12(
    small_engine: Engine,
    reference: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    indicators: int,
    bound: int,
) -> None:
    """A chunk reads the stored rows of its keys per indicator and area range (the
    periods with each), or with the periods once, or for all its indicators with
    one range of areas: the same database and report every way."""
    engine = _prepared(small_engine, tmp_path)
    path = _write(tmp_path / "werte.csv", ROWS)
    whole = import_observations(reference, path, release="2022", chunk_rows=ONE_CHUNK)

    monkeypatch.setattr(writes, "MAX_INDICATORS_LISTED", indicators)
    monkeypatch.setattr(writes, "MAX_PERIODS_BOUND", bound)
    chunked = import_observations(engine, path, release="2022", chunk_rows=5)

    assert chunked.report.to_dict() == whole.report.to_dict()
    assert chunked.rows_written == whole.rows_written == 11
    assert _state(engine) == _state(reference)
    again = import_observations(engine, path, release="2022", chunk_rows=5)
    assert again.rows_written == 0
