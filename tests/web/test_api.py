"""The JSON API and the start page, on the public read gate."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.web.app import create_app
from tests.fixtures import COUNTS, FIRST_RELEASE, REGION, TOWNS

PROBLEM_KEYS = {"type", "title", "status", "detail"}


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


def test_indicators_are_public_only(client: TestClient) -> None:
    body = client.get("/api/v1/indicators").json()
    ids = {i["id"] for i in body["indicators"]}
    assert ids == {"unemployment_share", "population"}
    assert body["release"]["name"] == FIRST_RELEASE
    assert body["release"]["published_at"].endswith("+00:00")
    share = next(i for i in body["indicators"] if i["id"] == "unemployment_share")
    assert share["kind"] == "share" and share["multiplier"] == 100


def test_areas_by_level_and_as_geojson(client: TestClient) -> None:
    body = client.get("/api/v1/areas", params={"level": "municipality"}).json()
    assert [a["code"] for a in body["areas"]] == list(TOWNS)
    assert all(a["parent"] == REGION for a in body["areas"])
    geo = client.get("/api/v1/areas", params={"geometry": "true"}).json()
    assert geo["type"] == "FeatureCollection"
    assert {f["id"] for f in geo["features"]} == {REGION, *TOWNS}


def test_observations_with_computed_region(client: TestClient) -> None:
    response = client.get(
        "/api/v1/observations",
        params={
            "indicator": "unemployment_share",
            "area": f"{REGION},03241001",
            "from": "2020",
            "to": "2020",
        },
    )
    assert response.status_code == 200
    rows = {o["area"]: o for o in response.json()["observations"]}
    num = sum(n for (_, p), (n, _) in COUNTS.items() if p == "2020")
    den = sum(d for (_, p), (_, d) in COUNTS.items() if p == "2020")
    assert rows[REGION]["value"] == pytest.approx(num / den * 100)
    assert rows[REGION]["flags"] == ["computed"]
    assert rows[REGION]["missing_children"] == []
    assert rows["03241001"]["release"] == FIRST_RELEASE


def test_observations_by_level(client: TestClient) -> None:
    body = client.get(
        "/api/v1/observations",
        params=[
            ("indicator", "population"),
            ("level", "municipality"),
            ("from", "2021"),
        ],
    ).json()
    assert {(o["area"], o["period"]) for o in body["observations"]} == {
        ("03241001", "2021"),
        ("03241002", "2021"),
    }


@pytest.mark.parametrize(
    ("params", "status", "kind"),
    [
        ({"indicator": "nope"}, 404, "unknown-indicator"),
        ({"indicator": "internal_case_load"}, 404, "unknown-indicator"),
        ({"area": "99"}, 404, "unknown-area-code"),
        ({"indicator": "population", "from": "soon"}, 400, "invalid-period"),
        ({"cursor": "nope"}, 404, "unknown-indicator"),
        ({"indicator": "population", "as_of": "2099"}, 404, "unknown-release"),
    ],
)
def test_errors_are_problem_details(
    client: TestClient, params: dict[str, str], status: int, kind: str
) -> None:
    response = client.get("/api/v1/observations", params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    assert body["type"].endswith("/" + kind)


def test_without_indicator_and_area_every_value_comes_a_page_an_indicator(
    client: TestClient,
) -> None:
    pages, cursor = [], None
    while True:
        params = {"level": "municipality"} | ({"cursor": cursor} if cursor else {})
        body = client.get("/api/v1/observations", params=params).json()
        pages.append({o["indicator"] for o in body["observations"]})
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == [{"population"}, {"unemployment_share"}]
    named = client.get(
        "/api/v1/observations",
        params={"indicator": "population", "level": "municipality"},
    ).json()
    assert named["next"] is None
    first = client.get("/api/v1/observations", params={"level": "municipality"})
    assert first.json()["observations"] == named["observations"]


def test_unknown_route_is_a_problem_too(client: TestClient) -> None:
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_start_page_lists_topics_and_release(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html is not None and page.html["lang"] == "de"
    assert FIRST_RELEASE in page.select_one("main .meta").get_text()
    topics = [h.get_text() for h in page.select("main h3")]
    assert "Arbeit" in topics
    links = {a.get_text() for a in page.select("ul.figures a")}
    assert "Arbeitslosenanteil" in links
    assert "Fallzahl (intern)" not in links
    assert not page.select("script[src^=http], link[href^=http]")
