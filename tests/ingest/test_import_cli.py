"""``sozialmonitor import …``: a bad file prints its report without a traceback and
exits 2; the database stays as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from tests.cli_access import cli_env, without_access
from tests.fixtures import FIRST_RELEASE
from tests.ingest.content import snapshot, stored

DATA = Path(__file__).parents[1] / "data"
BAD = DATA / "bad"


def run(engine: Engine, *args: str) -> tuple[int, str, str]:
    url = engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--db", url, "import", *args], env=cli_env(url))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("command", "file", "expected"),
    [
        (
            "observations",
            "observations/unknown_area.csv",
            "unknown_area.csv, row 3, column 'Gebiet': '03241999' is not a known area "
            "code. Import the areas first",
        ),
        (
            "observations",
            "observations/truncated.csv",
            "truncated.csv, row 4: the file ends in the middle of this row",
        ),
        (
            "indicators",
            "indicators/bad_kind.yaml",
            "bad_kind.yaml, row 1, column 'kind': Input should be 'share'",
        ),
        (
            "areas",
            "areas/unknown_level.geojson",
            "unknown_level.geojson, row 2, column 'level': 'stadtteil' is not an area "
            "level",
        ),
    ],
)
def test_bad_file_prints_the_report_and_exits_2(
    ingest_engine: Engine, command: str, file: str, expected: str
) -> None:
    before = snapshot(ingest_engine)
    code, out, err = run(ingest_engine, command, str(BAD / file))
    assert code == 2
    assert expected in err
    assert "Nothing was written; correct the file and import it again." in err
    assert "Traceback" not in out + err
    assert without_access(snapshot(ingest_engine)) == without_access(before)


def test_bad_file_as_json(ingest_engine: Engine) -> None:
    path = BAD / "observations" / "duplicates.csv"
    code, out, _ = run(ingest_engine, "observations", str(path), "--json")
    assert code == 2
    report = json.loads(out)
    assert (report["valid"], report["errors"]) == (False, 1)
    (finding,) = report["findings"]
    assert finding["code"] == "duplicate-row"
    assert (finding["row"], finding["column"], finding["value"]) == (
        4,
        "Indikator",
        "unemployment_share",
    )


def test_dry_run_validates_only(ingest_engine: Engine) -> None:
    before = snapshot(ingest_engine)
    path = DATA / "observations" / "long_semicolon_german_bom.csv"
    code, out, _ = run(ingest_engine, "observations", str(path), "--dry-run")
    assert code == 0
    assert "long_semicolon_german_bom.csv: valid, 7 rows; nothing written." in out
    assert without_access(snapshot(ingest_engine)) == without_access(before)


def test_import_prints_release_and_warnings(ingest_engine: Engine) -> None:
    path = DATA / "observations" / "jump.csv"
    code, out, err = run(ingest_engine, "observations", str(path), "--release", "X")
    assert code == 0
    assert "jump.csv: 3 new or changed into release 'X'." in out
    assert "warning: jump.csv, row 2, column 'value': 12 after 6.97674" in err
    assert len(stored(ingest_engine, "X")) == 3


def test_published_release_exits_1_with_the_reason(ingest_engine: Engine) -> None:
    before = snapshot(ingest_engine)
    path = DATA / "observations" / "wide_semicolon.csv"
    code, out, err = run(
        ingest_engine, "observations", str(path), "--release", FIRST_RELEASE
    )
    assert code == 1
    assert f"The release '{FIRST_RELEASE}' is published" in err
    assert "Traceback" not in out + err
    assert without_access(snapshot(ingest_engine)) == without_access(before)
