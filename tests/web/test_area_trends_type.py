"""The area profile's trend markers and area type (issue 13): the results of
``sozialmonitor stats trend|typology``; the typology setting's YAML loader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app as cli
from sozialmonitor.errors import ConfigurationError
from sozialmonitor.web.app import create_app
from sozialmonitor.web.typology_setting import (
    TypologySetting,
    load_typology_setting,
)
from tests.cli_access import cli_env

HANNOVER = "03241001"
TYPOLOGY = TypologySetting(
    indicators=("unemployment_share", "income_tax_per_inhabitant"),
    level="municipality",
    k=3,
)
runner = CliRunner()


def cli_json(engine: Engine, *args: str) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    result = runner.invoke(cli, ["--db", url, *args, "--json"], env=cli_env(url))
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite, typology=TYPOLOGY))


def test_profile_trend_markers_equal_the_command_line(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    response = demo.get(f"/api/v1/pages/gebiet/{HANNOVER}")
    assert response.status_code == 200
    rows = [row for topic in response.json()["topics"] for row in topic["rows"]]
    assert len(rows) >= 5
    directions = set()
    for row in rows:
        expected = cli_json(
            demo_sqlite,
            "stats",
            "trend",
            "--indicator",
            row["indicator"],
            "--area",
            HANNOVER,
        )
        assert row["trend"]["code"] == expected["direction"]["code"], row["indicator"]
        assert row["trend"]["text"] == expected["direction"]["label"]
        directions.add(row["trend"]["code"])
    assert len(directions) > 1  # the demo's series are not all alike
    page = BeautifulSoup(demo.get(f"/gebiet/{HANNOVER}").text, "html.parser")
    markers = page.select("tr.reading .profile-trend .trend-marker")
    assert len(markers) == len(rows)
    assert "Mann-Kendall" in page.get_text()


def test_profile_names_the_area_type_of_the_command_line(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    expected = cli_json(
        demo_sqlite,
        "stats",
        "typology",
        "--indicator",
        "unemployment_share",
        "--indicator",
        "income_tax_per_inhabitant",
        "--level",
        "municipality",
        "--k",
        "3",
    )
    number = next(a["type"] for a in expected["areas"] if a["code"] == HANNOVER)
    found = next(t for t in expected["types"] if t["type"] == number)
    content = demo.get(f"/api/v1/pages/gebiet/{HANNOVER}").json()["area_type"]
    assert content["number"] == number
    assert content["heading"] == f"Typ {number} von 3"
    assert content["description"] == found["description"]
    page = BeautifulSoup(demo.get(f"/gebiet/{HANNOVER}?lang=en").text, "html.parser")
    heading = page.select_one("#area-type-title")
    assert heading is not None
    assert heading.get_text(strip=True) == f"Area type: Type {number} of 3"
    # An area of another level has no type; a portal without a typology shows none.
    region = demo.get("/api/v1/pages/gebiet/03241").json()
    assert region["area_type"] is None
    plain = TestClient(create_app(demo_sqlite))
    assert plain.get(f"/api/v1/pages/gebiet/{HANNOVER}").json()["area_type"] is None


def test_typology_setting_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "typology.yaml"
    path.write_text(
        "indicators: [unemployment_share, income_tax_per_inhabitant]\n"
        "level: municipality\nk: 3\n",
        encoding="utf-8",
    )
    assert load_typology_setting(path) == TYPOLOGY


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("level: municipality\n", "'indicators': a typology needs at least two"),
        ("indicators: [a, a]\nlevel: x\n", "'indicators': a typology needs"),
        ("indicators: [a, b]\n", "'level': name the level"),
        ("indicators: [a, b]\nlevel: x\nk: 11\n", "'k': 11 is not a number of types"),
        ("indicators: [a, b]\nlevel: x\nk: drei\n", "'k': 'drei' is not"),
        ("indicators: [a, b]\nlevel: x\ntypes: 3\n", "unknown field(s) 'types'"),
        ("- a\n- b\n", "a typology is a mapping"),
        ("indicators: [a, b\nlevel: x\n", "not valid YAML"),
    ],
)
def test_a_wrong_typology_setting_is_named_with_file_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "typology.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_typology_setting(path)
    assert str(path) in caught.value.message
    assert message in caught.value.message


def test_a_missing_typology_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="there is no such file"):
        load_typology_setting(tmp_path / "nirgends.yaml")
