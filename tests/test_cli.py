"""The command line: init, releases, export, levels, and errors without tracebacks."""

from __future__ import annotations

import io
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.store.database import connect, schema_is_current
from tests.cli_access import cli_env
from tests.fixtures import FIRST_RELEASE, REGION

runner = CliRunner()


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args], env=cli_env(url))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def small_url(small_engine: Engine) -> str:
    return small_engine.url.render_as_string(hide_password=False)


def test_init_creates_and_is_idempotent(db_url: str) -> None:
    assert run(db_url, "init")[0] == 0
    assert run(db_url, "init")[0] == 0
    assert schema_is_current(connect(db_url))
    code, out, _ = run(db_url, "level", "list")
    assert code == 0 and out.splitlines()[0].startswith("country")


def test_commands_on_an_uninitialised_database_say_what_to_do(db_url: str) -> None:
    code, _, err = run(db_url, "release", "list")
    assert code == 1
    assert "sozialmonitor init" in err
    assert "Traceback" not in err


def test_export_csv_to_stdout_and_xlsx_to_file(small_url: str, tmp_path: Path) -> None:
    code, out, _ = run(
        small_url, "export", "--indicator", "unemployment_share", "--area", REGION
    )
    assert code == 0
    frame = pd.read_csv(io.StringIO(out), dtype={"area": str})
    assert set(frame["period"].astype(str)) == {"2020", "2021"}
    assert set(frame["flags"]) == {"computed"}
    target = tmp_path / "out.xlsx"
    code, _, _ = run(
        small_url,
        "export",
        "--indicator",
        "population",
        "--level",
        "municipality",
        "--from",
        "2021",
        "--format",
        "xlsx",
        "--output",
        str(target),
    )
    assert code == 0
    sheet = pd.read_excel(target, dtype={"area": str})
    assert sorted(sheet["area"]) == ["03241001", "03241002"]


def test_export_hides_internal_indicators_unless_asked(small_url: str) -> None:
    code, _, err = run(small_url, "export", "--indicator", "internal_case_load")
    assert code == 1 and "internal_case_load" in err
    code, _, _ = run(
        small_url, "export", "--indicator", "internal_case_load", "--internal"
    )
    assert code == 0


def test_release_commands(small_url: str, tmp_path: Path) -> None:
    values = tmp_path / "werte.csv"
    values.write_text(
        "Indikator;Gebiet;Jahr;Wert;Zähler;Nenner\n"
        "unemployment_share;03241001;2022;7,5;22.500;300.000\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        small_url, "import", "observations", str(values), "--release", "2022"
    )
    assert code == 0 and "into release '2022'" in out
    assert run(small_url, "release", "validate", "2022")[0] == 0
    assert run(small_url, "release", "publish", "2022")[0] == 0
    code, out, _ = run(small_url, "release", "diff", FIRST_RELEASE, "2022")
    assert out.splitlines() == ["new\tunemployment_share\t03241001\t2022\tNone\t7.5"]
    code, out, _ = run(small_url, "release", "list")
    assert [line.split("\t")[0] for line in out.splitlines()] == [FIRST_RELEASE, "2022"]
    assert run(small_url, "release", "withdraw", "2022", "--reason", "Test")[0] == 0
    code, _, err = run(small_url, "release", "publish", "2022")
    assert code == 1 and "withdrawn" in err and "Traceback" not in err


def test_version_prints_the_installed_version_issue_11() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{version('sozialmonitor')}\n"


def test_version_of_the_installed_command_issue_11() -> None:
    """The console script itself, as a user runs it."""
    command = Path(sys.executable).parent / "sozialmonitor"
    if not command.exists():
        pytest.skip(f"{command}: the package is not installed in this environment")
    done = subprocess.run(
        [str(command), "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, f"{version('sozialmonitor')}\n")


def test_a_release_name_with_a_slash_is_refused_issue_11(
    small_url: str, tmp_path: Path
) -> None:
    values = tmp_path / "werte.csv"
    values.write_text(
        "indicator;area;period;value\npopulation;03241001;2022;1\n", encoding="utf-8"
    )
    before = run(small_url, "release", "list", "--json")
    code, _, err = run(
        small_url, "import", "observations", str(values), "--release", "2022/H1"
    )
    assert code == 1, err
    assert "The release name '2022/H1' contains '/'" in err
    assert "for example '2022-H1'" in err and "Traceback" not in err
    assert run(small_url, "release", "list", "--json") == before


def test_bad_database_url_is_a_message() -> None:
    code, _, err = run("nonsense://", "init")
    assert code == 1
    assert "database" in err.lower() and "Traceback" not in err


def test_export_for_german_excel(small_url: str, tmp_path: Path) -> None:
    target = tmp_path / "werte.csv"
    code, _, _ = run(
        small_url,
        "export",
        "--indicator",
        "unemployment_share",
        "--area",
        "03241002",
        "--format",
        "csv-de",
        "--output",
        str(target),
    )
    assert code == 0
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("indicator;area;area_name;period;value")
    assert lines[1].split(";")[4] == "5,0"  # 1,000 / 20,000 in percent


def test_db_option_also_after_the_command(small_url: str) -> None:
    result = runner.invoke(
        app, ["release", "list", "--db", small_url], env=cli_env(small_url)
    )
    assert result.exit_code == 0
    assert result.stdout.startswith(f"{FIRST_RELEASE}\tpublished\t")
