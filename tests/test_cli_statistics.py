"""``sozialmonitor stats``: tables, the API's JSON, exit codes without tracebacks."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app
from sozialmonitor.web.app import create_app
from tests.cli_access import cli_env
from tests.fixtures import REGION, TOWNS

runner = CliRunner()


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", url, *args], env=cli_env(url))
    return result.exit_code, result.stdout, result.stderr


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def small_url(small_engine: Engine) -> str:
    return url_of(small_engine)


@pytest.fixture(scope="module")
def demo_url(demo_sqlite: Engine) -> str:
    return url_of(demo_sqlite)


def test_compare_prints_a_table_with_german_results(small_url: str) -> None:
    code, out, err = run(
        small_url,
        "stats",
        "compare",
        "--indicator",
        "unemployment_share",
        "--parent",
        REGION,
        "--period",
        "2020",
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Arbeitslosenanteil (unemployment_share, %), 2020")
    assert lines[1].split()[:3] == ["code", "name", "value"]
    row = next(line for line in lines if line.startswith(TOWNS[1]))
    assert "5.0" in row and "signifikant besser als Region Hannover" in row


@pytest.mark.parametrize(
    ("args", "path", "params"),
    [
        (
            ["compare", "--indicator", "unemployment_share", "--area", TOWNS[0]],
            "compare",
            {"indicator": "unemployment_share", "area": TOWNS[0]},
        ),
        (
            ["trend", "--indicator", "unemployment_share", "--area", REGION],
            "trend",
            {"indicator": "unemployment_share", "area": REGION},
        ),
        (
            [
                "classes",
                "--indicator",
                "unemployment_share",
                "--level",
                "municipality",
                "--period",
                "2020",
                "--scheme",
                "quantiles",
                "--k",
                "3",
            ],
            "classes",
            {
                "indicator": "unemployment_share",
                "level": "municipality",
                "period": "2020",
                "scheme": "quantiles",
                "k": 3,
            },
        ),
        (
            [
                "typology",
                "--indicator",
                "unemployment_share",
                "--indicator",
                "population",
                "--level",
                "municipality",
                "--k",
                "2",
            ],
            "typology",
            {
                "indicator": ["unemployment_share", "population"],
                "level": "municipality",
                "k": 2,
            },
        ),
    ],
)
def test_json_is_the_apis_json(
    small_engine: Engine, args: list[str], path: str, params: dict[str, Any]
) -> None:
    code, out, err = run(url_of(small_engine), "stats", *args, "--json")
    assert code == 0, err
    api = TestClient(create_app(small_engine)).get(
        f"/api/v1/statistics/{path}", params=params
    )
    assert api.status_code == 200
    assert json.loads(out) == api.json()


def test_spatial_and_typology_tables_on_the_demo(demo_url: str) -> None:
    code, out, err = run(
        demo_url,
        "stats",
        "spatial",
        "--indicator",
        "unemployment_share",
        "--level",
        "municipality",
    )
    assert code == 0, err
    # Hannover's 21 and Hessen's 78 municipalities but Offenbach (no neighbour)
    assert "Moran's I = " in out and "98 areas" in out
    hannover = next(line for line in out.splitlines() if line.startswith("03241001"))
    assert "Hannover" in hannover
    code, out, err = run(
        demo_url,
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
    assert code == 0, err
    assert [line[:5] for line in out.splitlines()[1:4]] == ["Typ 1", "Typ 2", "Typ 3"]
    assert "als im Durchschnitt der Gebiete" in out
    assert "11000000" in err  # Berlin has no values: left out, and said so


def test_trend_table_names_direction_and_changes(demo_url: str) -> None:
    code, out, err = run(
        demo_url,
        "stats",
        "trend",
        "--indicator",
        "unemployment_share",
        "--area",
        "03241",
        "--method",
        "logit",
    )
    assert code == 0, err
    assert "Trend 2001–2021 (logit): fallend, signifikant" in out
    assert "Breaks in the series: 2011" in out
    assert "in 10 Jahren" in out and "percentage points" in out


ERRORS: list[tuple[list[str], str]] = [
    (["compare", "--indicator", "nope", "--area", REGION], "nope"),
    (
        ["compare", "--indicator", "population", "--area", "99"],
        "no area with the code '99'",
    ),
    (
        ["classes", "--indicator", "population", "--level", "x"],
        "no area level 'x'",
    ),
    (
        ["classes", "--indicator", "population", "--level", "municipality"]
        + ["--k", "12"],
        "out of range",
    ),
    (
        ["spatial", "--indicator", "population", "--level", "municipality"],
        "import areas",
    ),
    (
        ["trend", "--indicator", "population", "--area", REGION]
        + ["--method", "logit"],
        "share",
    ),
    (
        ["typology", "--indicator", "population", "--level", "municipality"],
        "two different indicators",
    ),
    (["classes", "--indicator", "internal_case_load", "--level", "region"], "id"),
]
"""(arguments after ``stats``, part of the message)"""


def test_errors_exit_1_without_traceback(small_url: str) -> None:
    for args, message in ERRORS:
        code, out, err = run(small_url, "stats", *args)
        assert code == 1, (args, out, err)
        assert message in err, (args, err)
        assert "Traceback" not in err + out, args


def test_internal_indicators_need_internal(small_url: str) -> None:
    args = ["stats", "classes", "--indicator", "internal_case_load", "--level"]
    code, out, _ = run(small_url, *args, "municipality", "--internal", "--json")
    assert code == 0
    assert json.loads(out)["indicator"]["id"] == "internal_case_load"


def test_missing_option_is_a_usage_error(small_url: str) -> None:
    code, out, err = run(small_url, "stats", "trend", "--indicator", "population")
    assert code == 2
    assert "--area" in err and "Traceback" not in err + out
