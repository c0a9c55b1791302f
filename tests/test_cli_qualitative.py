"""``sozialmonitor qualitative``: import with its report, export without internal
records unless asked for."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli_access import without_access
from tests.ingest.content import snapshot
from tests.ingest.test_qualitative import ADVICE, FINDING, SECRET, write_csv
from tests.test_cli import run


@pytest.fixture
def small_url(small_engine: Engine) -> str:
    return small_engine.url.render_as_string(hide_password=False)


def _codes(path: Path) -> set[str]:
    with path.open(encoding="utf-8") as handle:
        return {row["code"] for row in csv.DictReader(handle)}


def test_import_then_export_public_and_internal(small_url: str, tmp_path: Path) -> None:
    advice = {**ADVICE, "text": "Sprechstunden."}
    file = write_csv(tmp_path / "q.csv", [FINDING, SECRET, advice])
    code, out, _ = run(small_url, "qualitative", "import", str(file))
    assert code == 0, out
    assert "q.csv: 3 new or changed." in out
    public = tmp_path / "public.csv"
    code, _, err = run(small_url, "qualitative", "export", str(public))
    assert code == 0 and "Wrote 2 records" in err
    assert _codes(public) == {"E-1", "H-1"}
    everything = tmp_path / "all.csv"
    assert (
        run(small_url, "qualitative", "export", str(everything), "--internal")[0] == 0
    )
    assert _codes(everything) == {"E-1", "E-2", "H-1"}


def test_a_bad_file_prints_its_report_and_writes_nothing(
    small_url: str, small_engine: Engine, tmp_path: Path
) -> None:
    file = write_csv(tmp_path / "bad.csv", [{**FINDING, "areas": "99999"}])
    before = without_access(snapshot(small_engine))
    code, _, err = run(small_url, "qualitative", "import", str(file))
    assert code == 2
    assert "bad.csv, row 2, column 'areas': '99999' is not a known area code" in err
    assert without_access(snapshot(small_engine)) == before


def test_the_export_names_its_format(small_url: str, tmp_path: Path) -> None:
    code, _, err = run(small_url, "qualitative", "export", str(tmp_path / "x.json"))
    assert code == 1 and "ending in .csv or .xlsx" in err
