"""The state's own figures as the benchmark of a district (issue 12, "Data as it
comes"): imported for the Land through a mapping, shown in the district's profile
and as the reference line of the chart — and a Land value computed from its one
district in the database is no benchmark (it would repeat the district's own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.ingest.official.importer import import_official
from sozialmonitor.ingest.official.recognise import inkar_export
from sozialmonitor.store.writes import publish_release, save_areas
from sozialmonitor.web.app import create_app
from tests.fixtures import COUNTS, REGION, TOWNS
from tests.web.expected import html, rows

RTOL = 1e-9
LAND = "03"
MAPPING = """
table: {table}
source: INKAR
areas: {{by: key, keys: [land]}}
outputs:
  - indicator: unemployment_share
    numerator: {{columns: [Arbeitslose]}}
    denominator: {{columns: [Erwerbsfähige]}}
"""


@pytest.fixture
def with_land(small_engine: Engine, tmp_path: Path) -> Engine:
    """The small database with Niedersachsen above Region Hannover and the Land's
    unemployment share of 2021 imported as published (5,0 %)."""
    lines = [
        '"Kennziffer";"Raumeinheit";"Aggregat";"Arbeitslose";"Erwerbsfähige"',
        ";;;2021;2021",
        '"03";"Niedersachsen";"Bundesländer";"250.000";"5.000.000"',
    ]
    export = tmp_path / "land.csv"
    export.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    found = inkar_export(lines[0].replace('"', "").split(";"))
    assert found is not None
    mapping = tmp_path / "land.yaml"
    mapping.write_text(MAPPING.format(table=found.table), encoding="utf-8")
    with small_engine.begin() as conn:
        save_areas(
            conn,
            [
                Area(code=LAND, name="Niedersachsen", level="state"),
                Area(code=REGION, name="Region Hannover", level="region", parent=LAND),
            ],
        )
    import_official(small_engine, export, mapping=mapping, release="land")
    with small_engine.begin() as conn:
        publish_release(conn, "land")
    return small_engine


def _district_share(period: str) -> float:
    towns = [COUNTS[(t, period)] for t in TOWNS if (t, period) in COUNTS]
    return sum(n for n, _ in towns) / sum(d for _, d in towns) * 100


def test_the_district_profile_reads_against_the_land_issue_12(
    with_land: Engine,
) -> None:
    client = TestClient(create_app(with_land))
    body = client.get(f"/api/v1/pages/gebiet/{REGION}").json()
    found = rows(body)
    share = found["unemployment_share"]
    assert share["figure"]["value"] == pytest.approx(_district_share("2021"), RTOL)
    assert share["region"]["area"] == LAND
    assert share["region"]["value"] == pytest.approx(5.0, rel=RTOL)
    assert share["region"]["computed"] is False  # the Land's own figure
    assert share["benchmark"] == LAND
    assert "signifikant schlechter als in Niedersachsen (5,0" in share["reading"]
    # no figure of the Land for the population: none computed from its one district
    population = found["population"]
    assert population["region"]["value"] is None
    # said once for the profile, not in the reading (issue 16)
    assert "Vergleichswert" not in population["reading"]
    assert body["missing_benchmark_indicators"] == ["population"]
    assert body["missing_benchmark"] == (
        "Ein Vergleichswert in Niedersachsen fehlt bei 1 Kennzahl: Einwohner."
    )
    page = html(client.get(f"/gebiet/{REGION}"))
    assert page.find(string=lambda s: s and "Niedersachsen (5,0" in s) is not None


def test_a_municipality_sees_the_district_and_the_land(with_land: Engine) -> None:
    client = TestClient(create_app(with_land))
    body = client.get(f"/api/v1/pages/gebiet/{TOWNS[0]}").json()
    assert body["show_parent_column"] is True
    share = rows(body)["unemployment_share"]
    assert share["parent"]["value"] == pytest.approx(_district_share("2021"), RTOL)
    assert share["region"]["value"] == pytest.approx(5.0, rel=RTOL)
    population = rows(body)["population"]
    assert population["region"]["value"] is None
    assert population["benchmark"] == REGION  # the district, as the Land has none


def test_the_chart_draws_the_land_as_its_reference_line(with_land: Engine) -> None:
    client = TestClient(create_app(with_land))
    body = client.get(
        "/api/v1/pages/indikator/unemployment_share",
        params={"raum": LAND, "gebiete": REGION, "ansicht": "diagramm"},
    ).json()
    chart = body["chart"]
    assert [c["code"] for c in chart["columns"]] == [LAND, REGION]
    by_period = {r["period"]: r["values"] for r in chart["rows"]}
    assert by_period["2021"] == pytest.approx([5.0, _district_share("2021")], RTOL)
    assert by_period["2020"][0] is None  # not the district's own value again
    assert by_period["2020"][1] == pytest.approx(_district_share("2020"), RTOL)
