"""``sozialmonitor gaps compare``: catalogue files of several installations, as
imported (YAML, CSV) or as the API gives them (JSON), generated here."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.ingest.limits import MAX_YAML_BYTES
from sozialmonitor.web.app import create_app

runner = CliRunner()


def _files(folder: Path) -> list[Path]:
    yaml = folder / "kreis-giessen.yaml"
    yaml.write_text(
        "- id: population\n  name: Einwohner\n  unit: Personen\n  kind: count\n"
        "- id: sgb2_share\n  name: SGB-II-Quote\n  unit: '%'\n",
        encoding="utf-8",
    )
    csv = folder / "kreis-fulda.csv"
    csv.write_text(
        "id,name,unit,kind\npopulation,Einwohner,Personen,count\n"
        "care_rate,Pflegequote,je 1.000,rate\n",
        encoding="utf-8",
    )
    return [yaml, csv]


def test_the_catalogues_side_by_side(tmp_path: Path, small_engine: Engine) -> None:
    files = _files(tmp_path)
    exported = tmp_path / "demo.json"
    answer = TestClient(create_app(small_engine)).get("/api/v1/indicators")
    exported.write_text(answer.text, encoding="utf-8")
    result = runner.invoke(app, ["gaps", "compare", *map(str, files), str(exported)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == [
        "indicator",
        "topic",
        "kreis-giessen",
        "kreis-fulda",
        "demo",
    ]
    rows = {line.split()[0]: line.split()[2:] for line in lines[1:] if line.strip()}
    assert rows["population"] == ["x", "x", "x"]
    assert rows["care_rate"] == ["-", "x", "-"]
    assert "kreis-giessen: lacks 2 (care_rate, unemployment_share)" in result.output

    as_json = runner.invoke(
        app, ["gaps", "compare", *map(str, files), str(exported), "--json"]
    )
    data = json.loads(as_json.output)
    assert data["shared"] == ["population"]
    assert data["only_in"]["demo"] == ["unemployment_share"]


def test_bad_files_get_a_message_naming_file_row_and_column(tmp_path: Path) -> None:
    files = _files(tmp_path)
    bad = tmp_path / "kreis-kassel.json"
    bad.write_text(json.dumps({"indicators": [{"id": "x", "unit": "%"}]}))
    result = runner.invoke(app, ["gaps", "compare", str(files[0]), str(bad)])
    assert result.exit_code == 2
    assert "kreis-kassel.json, row 1, column 'name'" in result.output
    assert "Traceback" not in result.output

    not_a_catalogue = tmp_path / "liste.json"
    not_a_catalogue.write_text("[1, 2, 3]")
    result = runner.invoke(
        app, ["gaps", "compare", str(files[0]), str(not_a_catalogue)]
    )
    assert result.exit_code == 2
    assert "must be the answer of /api/v1/indicators" in result.output

    huge = tmp_path / "riesig.json"
    huge.write_text('{"indicators": [' + " " * (MAX_YAML_BYTES + 1) + "]}")
    result = runner.invoke(app, ["gaps", "compare", str(files[0]), str(huge)])
    assert result.exit_code == 2
    assert "riesig.json" in result.output

    missing = runner.invoke(
        app, ["gaps", "compare", str(files[0]), str(tmp_path / "fehlt.csv")]
    )
    assert missing.exit_code == 2
    assert "fehlt.csv" in missing.output


def test_one_file_or_two_of_one_name_are_refused(tmp_path: Path) -> None:
    files = _files(tmp_path)
    one = runner.invoke(app, ["gaps", "compare", str(files[0])])
    assert one.exit_code == 1
    assert "between 2 and" in one.output
    twin = tmp_path / "other"
    twin.mkdir()
    (twin / "kreis-giessen.yaml").write_text(files[0].read_text())
    same = runner.invoke(
        app, ["gaps", "compare", str(files[0]), str(twin / "kreis-giessen.yaml")]
    )
    assert same.exit_code == 1
    assert "Rename one" in same.output


def test_what_official_tables_could_fill(tmp_path: Path) -> None:
    """A district without population figures: the shipped mappings of the
    Regionalstatistik population tables provide them for districts (a Kreis table,
    ...-4) and municipalities (a Gemeinde table, ...-5); the care rate no official
    table provides."""
    files = _files(tmp_path)
    result = runner.invoke(app, ["gaps", "compare", *map(str, files)])
    assert result.exit_code == 0, result.output
    official = result.output.split("What the shipped mappings of official tables")[1]
    assert "kreis-giessen:\n  care_rate" not in official
    assert "kreis-giessen: nothing" in official  # it lacks only care_rate

    third = tmp_path / "kreis-offenbach.yaml"
    third.write_text(
        "- id: care_rate\n  name: Pflegequote\n  unit: je 1.000\n  kind: rate\n",
        encoding="utf-8",
    )
    as_json = runner.invoke(
        app, ["gaps", "compare", *map(str, files), str(third), "--json"]
    )
    assert as_json.exit_code == 0, as_json.output
    fills = json.loads(as_json.output)["official"]
    population = next(
        f for f in fills["kreis-offenbach"] if f["indicator"] == "population"
    )
    assert population["levels"] == ["country", "municipality", "region", "state"]
    assert "12411-01-01-5" in population["tables"]  # the Gemeinde table
    assert [f["indicator"] for f in fills["kreis-fulda"]] == []  # sgb2_share: none
    assert all(f["indicator"] != "care_rate" for f in fills["kreis-giessen"])
