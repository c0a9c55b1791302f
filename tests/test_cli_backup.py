"""``sozialmonitor backup`` and ``restore`` on the command line."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from tests.cli_access import cli_env
from tests.fixtures import FIRST_RELEASE, REGION

runner = CliRunner()


def test_backup_and_restore_give_the_same_export(
    small_engine: Engine, tmp_path: Path
) -> None:
    source = small_engine.url.render_as_string(hide_password=False)
    target = f"sqlite:///{tmp_path / 'restored.db'}"
    file = tmp_path / "sicherung.zip"
    done = runner.invoke(
        app, ["--db", source, "backup", str(file)], env=cli_env(source)
    )
    assert done.exit_code == 0, done.stderr
    assert file.is_file()
    done = runner.invoke(app, ["--db", target, "restore", str(file)])
    assert done.exit_code == 0, done.stderr
    assert "Restored" in done.stdout
    export = ["export", "--indicator", "unemployment_share", "--area", REGION]
    before = runner.invoke(app, ["--db", source, *export])
    after = runner.invoke(app, ["--db", target, *export])
    assert before.exit_code == after.exit_code == 0
    assert before.stdout == after.stdout
    releases = runner.invoke(app, ["--db", target, "release", "list"])
    assert FIRST_RELEASE in releases.stdout


def test_a_damaged_backup_is_refused_without_a_traceback(tmp_path: Path) -> None:
    file = tmp_path / "kaputt.zip"
    file.write_bytes(b"PK\x03\x04 not really a zip")
    target = tmp_path / "new.db"
    done = runner.invoke(app, ["--db", f"sqlite:///{target}", "restore", str(file)])
    assert done.exit_code != 0
    assert "kaputt.zip" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not target.exists()
