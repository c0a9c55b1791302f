"""The hot-spot view's downloads (issue 13): each area's cluster as the map shows
it and the pseudo p-value of its local Moran statistic, equal to ``sozialmonitor
stats spatial``; an area whose value is hidden is not classified and has no
p-value — on a grid built by the test (SQLite and PostgreSQL) and on the demo's
Berlin planning areas, through real HTTP requests."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages import indicator_hotspots
from tests.web.test_trends_hotspots import (
    GRID,
    ROOT,
    SECRET_CELL,
    SHARE,
    cli_json,
    grid_engine,
    hidden_cells,
    page_json,
)

__all__ = ["grid_engine"]  # the fixture, used by name
PARAMS = {"raum": ROOT, "ebene": "municipality", "ansicht": "hotspots"}
HOTSPOT_COLUMNS = ["cluster", "cluster_label", "p_value"]


def download(client: TestClient, ext: str, **params: str) -> Any:
    response = client.get(f"/indikator/{SHARE}/download.{ext}", params=params)
    assert response.status_code == 200, response.text[:500]
    return response


def csv_rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter))


def test_csv_has_the_clusters_and_p_values_of_the_command_line(
    grid_engine: Engine,
) -> None:
    client = TestClient(create_app(grid_engine))
    expected = cli_json(
        grid_engine, "stats", "spatial", "--indicator", SHARE, "--level", "municipality"
    )
    by_code = {a["code"]: a for a in expected["areas"]}
    response = download(client, "csv", **PARAMS)
    header = next(csv.reader(io.StringIO(response.text)))
    at = header.index("value") + 1
    assert header[at : at + 3] == HOTSPOT_COLUMNS
    rows = csv_rows(response.text)
    assert len(rows) == GRID * GRID
    shown = page_json(client, **PARAMS)["hotspots"]["clusters"]
    for row in rows:
        area = by_code[row["area"]]
        # The class the map shows, and the command line's.
        assert row["cluster"] == shown[row["area"]] == area["cluster"]["code"]
        assert row["cluster_label"] == area["cluster"]["label"]
        if area["p_value"] is None:
            assert row["p_value"] == ""
        else:
            assert float(row["p_value"]) == pytest.approx(area["p_value"], rel=1e-12)
    assert {r["cluster"] for r in rows} >= {"high-high", "low-low", "not_significant"}
    # Hidden values: no value, not classified, no p-value.
    hidden = hidden_cells(grid_engine)
    assert SECRET_CELL[0] in hidden
    for row in rows:
        if row["area"] in hidden:
            assert (row["value"], row["cluster"], row["p_value"]) == (
                "",
                "not_analysed",
                "",
            )
            assert row["cluster_label"] == "nicht untersucht"
    assert "77.7777" not in response.text
    # Significant clusters have a p-value at the level of significance.
    for row in rows:
        if row["cluster"] in ("high-high", "low-low", "high-low", "low-high"):
            assert float(row["p_value"]) <= indicator_hotspots.DEFAULT_ALPHA


def test_german_csv_xlsx_and_english_labels(grid_engine: Engine) -> None:
    client = TestClient(create_app(grid_engine))
    german = download(client, "csv", format="csv-de", **PARAMS).content.decode()
    rows = csv_rows(german, ";")
    hot = next(r for r in rows if r["Cluster"] == "high-high")
    assert hot["Cluster (Bezeichnung)"] == "hoch-hoch (Hot Spot)"
    assert "," in hot["p-Wert"] and "." not in hot["p-Wert"]
    book = load_workbook(io.BytesIO(download(client, "xlsx", **PARAMS).content))
    sheet = book["Werte"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    at = header.index("value") + 1
    assert header[at : at + 3] == HOTSPOT_COLUMNS
    values = [
        dict(zip(header, r, strict=True))
        for r in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert {v["cluster"] for v in values} >= {"high-high", "low-low"}
    assert all(
        isinstance(v["p_value"], float) for v in values if v["cluster"] == "high-high"
    )
    english = csv_rows(download(client, "csv", lang="en", **PARAMS).text)
    labels = {r["cluster"]: r["cluster_label"] for r in english}
    assert labels["high-high"].startswith("high-high")
    # The other views keep their columns.
    table = download(client, "csv", **(PARAMS | {"ansicht": "tabelle"})).text
    assert "cluster" not in next(csv.reader(io.StringIO(table)))


def test_a_level_analysed_in_the_background_waits_then_has_the_clusters(
    grid_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indicator_hotspots, "IN_REQUEST_LIMIT", GRID * GRID - 1)
    # No wait for the background analysis (the page waits up to 3 s for it).
    monkeypatch.setattr(indicator_hotspots, "FIRST_VIEW_WAIT", 0.0)
    client = TestClient(create_app(grid_engine))
    url = f"/indikator/{SHARE}/download.csv"
    first = client.get(url, params=PARAMS)
    # As the page: the first request starts the analysis and does not wait.
    assert first.status_code == 503, first.text[:300]
    assert "being computed" in first.json()["detail"]
    deadline = time.monotonic() + 60
    while first.status_code == 503 and time.monotonic() < deadline:
        assert first.headers["retry-after"].isdigit()
        assert first.headers["content-type"] == "application/problem+json"
        time.sleep(0.2)
        first = client.get(url, params=PARAMS)
    assert first.status_code == 200
    rows = csv_rows(first.text)
    shown = page_json(client, **PARAMS)["hotspots"]["clusters"]
    assert {r["area"]: r["cluster"] for r in rows} == shown
    # Above the in-request size the p-values are not computed for the file.
    assert {r["p_value"] for r in rows} == {""}


def test_berlin_planning_areas(demo_sqlite: Engine) -> None:
    client = TestClient(create_app(demo_sqlite))
    params = {"ebene": "planning_area", "ansicht": "hotspots"}
    url = "/indikator/mss_s3_transfer/download.csv"
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text[:300]
    rows = csv_rows(response.text)
    twin = client.get("/api/v1/pages/indikator/mss_s3_transfer", params=params).json()[
        "hotspots"
    ]["clusters"]
    assert {r["area"]: r["cluster"] for r in rows} == twin
    assert sum(r["cluster"] == "high-high" for r in rows) > 10
    no_value = [r for r in rows if r["value"] == ""]
    assert no_value and {r["cluster"] for r in no_value} == {"not_analysed"}
