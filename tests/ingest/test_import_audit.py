"""Every import is in the audit log: who, when, what (kind, file, digest, rows) and
from where; a refused or failed import is in neither log (issue 11)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from sozialmonitor.access import audit
from sozialmonitor.cli import app
from sozialmonitor.cli.caller import command_line_address
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.areas import import_areas
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.ingest.observations import import_observations
from sozialmonitor.store import schema
from tests.cli_access import cli_env

DATA = Path(__file__).parents[1] / "data"
runner = CliRunner()


def imports(engine: Engine) -> list[audit.AuditEvent]:
    with engine.connect() as conn:
        return audit.events(conn, action="import")


def test_a_command_line_import_is_audited_as_cli(
    small_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "werte.csv"
    path.write_text("indicator;area;period;value\npopulation;03241003;2021;25100\n")
    url = small_engine.url.render_as_string(hide_password=False)
    result = runner.invoke(
        app,
        ["--db", url, "import", "observations", str(path), "--release", "r9"],
        env=cli_env(url),
    )
    assert result.exit_code == 0, result.output
    (event,) = imports(small_engine)
    # SQLite: the file's owner; PostgreSQL: the token a command there needs
    sqlite = small_engine.dialect.name == "sqlite"
    assert event.actor == audit.SYSTEM if sqlite else event.actor.startswith("token:")
    assert event.target == "r9"
    assert event.address == command_line_address()
    assert event.detail == {
        "kind": "observations",
        "file": "werte.csv",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "rows_read": 1,
        "rows_written": 1,
    }


def test_an_import_for_an_account_names_it_and_its_address(
    small_engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "werte.csv"
    path.write_text("indicator;area;period;value\npopulation;03241003;2021;25100\n")
    outcome = import_observations(
        small_engine, path, release="r9", actor="erika", address="192.0.2.7"
    )
    assert outcome.rows_written == 1
    (event,) = imports(small_engine)
    assert (event.actor, event.address, event.target) == ("erika", "192.0.2.7", "r9")


def test_catalogue_and_area_imports_are_audited_too(engine: Engine) -> None:
    import_indicators(engine, DATA / "indicators" / "catalogue.yaml", actor="erika")
    import_areas(engine, DATA / "areas" / "areas.csv", address="192.0.2.8")
    events = imports(engine)
    assert [(e.actor, e.address, e.detail["kind"]) for e in events] == [
        ("erika", "", "indicators"),
        (audit.SYSTEM, "192.0.2.8", "areas"),
    ]
    assert all(e.target == "" and e.detail["rows_written"] > 0 for e in events)


def test_a_refused_or_empty_import_is_not_audited(
    small_engine: Engine, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("indicator;area;period;value\npopulation;99999999;2021;1\n")
    with pytest.raises(ImportValidationError):
        import_observations(small_engine, bad, actor="erika")
    same = tmp_path / "same.csv"  # a value already stored: nothing new
    same.write_text("indicator;area;period;value\npopulation;03241001;2021;301000\n")
    assert import_observations(small_engine, same, actor="erika").rows_written == 0
    assert imports(small_engine) == []
    with small_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(schema.import_log)) == 0
