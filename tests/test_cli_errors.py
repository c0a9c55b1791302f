"""A problem the user can fix (a missing file, a database that cannot be used) is
one message with what to do and a non-zero exit, never a traceback; ``--debug``
shows the details (issue 16)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.store import database

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
runner = CliRunner()


def test_a_file_that_is_not_a_database() -> None:
    url = f"sqlite:///{EXAMPLES / 'werte-2020.csv'}"
    result = runner.invoke(app, ["--db", url, "release", "list"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "werte-2020.csv: file is not a database." in result.stderr
    assert "sqlite:///FILE names the database file" in result.stderr
    assert "--debug" in result.stderr


def test_debug_shows_the_details() -> None:
    url = f"sqlite:///{EXAMPLES / 'werte-2020.csv'}"
    result = runner.invoke(app, ["--debug", "--db", url, "release", "list"])
    assert result.exit_code == 1
    assert isinstance(result.exception, DatabaseError)  # raised: Python prints it


def test_a_database_server_that_does_not_answer() -> None:
    url = "postgresql+psycopg://nobody:secret@127.0.0.1:1/nothing"
    result = runner.invoke(app, ["--db", url, "release", "list"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(
        "Cannot use the database postgresql+psycopg://nobody:***@127.0.0.1:1/nothing"
    )
    assert "secret" not in result.output
    assert "that the database server is running" in result.stderr


def test_a_locked_database_says_to_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = tmp_path / "kreis.db"
    url = f"sqlite:///{path}"
    assert runner.invoke(app, ["--db", url, "init"]).exit_code == 0
    areas = str(EXAMPLES / "gemeinden.geojson")
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        result = runner.invoke(app, ["--db", url, "import", "areas", areas])
    finally:
        holder.close()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "database is locked" in result.stderr
    assert "Wait until it has finished, then run the command again." in result.stderr
    assert runner.invoke(app, ["--db", url, "import", "areas", areas]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "missing"),
    [
        (["import", "official", "fehlt.csv"], "fehlt.csv"),
        (["import", "mapped", "fehlt.yaml", "EXAMPLE"], "fehlt.yaml"),
        (["import", "indicators", "fehlt.yaml"], "fehlt.yaml"),
        (["import", "observations", "fehlt.csv"], "fehlt.csv"),
    ],
)
def test_a_missing_file_is_named_issue_16(
    args: list[str], missing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'kreis.db'}"
    assert runner.invoke(app, ["--db", url, "init"]).exit_code == 0
    example = str(ROOT / "tests" / "data" / "genesis_ws" / "12411-01-01-4.csv")
    args = [example if a == "EXAMPLE" else a for a in args]
    result = runner.invoke(app, ["--db", url, *args, "--dry-run"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"ERROR: {missing}: " in result.stderr
    assert "does not exist. Check the path and the file name." in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["export", "--indicator", "unemployment_share", "--output", "OUT/x.csv"],
        ["audit", "export", "OUT/x.jsonl"],
    ],
)
def test_a_file_to_write_in_a_missing_folder(args: list[str], tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kreis.db'}"
    assert runner.invoke(app, ["--db", url, "init"]).exit_code == 0
    catalogue = str(EXAMPLES / "kennzahlen.yaml")
    assert (
        runner.invoke(app, ["--db", url, "import", "indicators", catalogue]).exit_code
        == 0
    )
    out = tmp_path / "fehlt"
    args = [a.replace("OUT", str(out)) for a in args]
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"Cannot use the file {out}/x.")
    assert "the folder to write it in, must exist" in result.stderr
