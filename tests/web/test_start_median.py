"""The start page's key figures where the site's area has no value (issue 13): the
Berlin demo site shows the median and range of the planning areas, labelled as
such, never as a Berlin-wide value; index values get none; an area below the top
takes the median of its own planning areas only — real demo database, real HTTP
requests, the expected numbers read through the public read gate."""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.ingest.demo import demo_site
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web.app import create_app
from tests.web.site_files import write_site

RTOL = 1e-9
"""The medians are of the stored values: equal up to float arithmetic."""
PERIOD = "2020-12-31"
MITTE = "01"
"""Berlin-Mitte, a district: its planning areas' codes start with 01."""


@pytest.fixture(scope="module")
def berlin(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite, site=demo_site("berlin")))


@pytest.fixture(scope="module")
def mitte(demo_sqlite: Engine, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    site = write_site(tmp_path_factory.mktemp("site"), compare=MITTE)
    return TestClient(create_app(demo_sqlite, site=str(site)))


def planning_area_values(engine: Engine, indicator: str) -> dict[str, float]:
    """The public values of the planning areas valid at the end of 2020."""
    with engine.connect() as conn:
        found = read_observations(
            conn,
            ObservationQuery(
                indicators=[indicator], level="planning_area", periods=[PERIOD]
            ),
            audience=Audience.PUBLIC,
        )
    # The 447 planning areas before the reform have no values of 2020 (ATTRIBUTION).
    return {
        o.area: o.value
        for o in found
        if o.value is not None and not o.flags & Flag.SUPPRESSED
    }


def figures(client: TestClient, url: str = "/api/v1/pages/start") -> dict[str, Any]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return {
        f["indicator"]["id"]: f for t in response.json()["topics"] for f in t["figures"]
    }


def test_berlin_shows_the_median_of_the_planning_areas(
    berlin: TestClient, demo_sqlite: Engine
) -> None:
    found = figures(berlin)
    unemployment = found["mss_s1_unemployment"]
    values = planning_area_values(demo_sqlite, "mss_s1_unemployment")
    assert len(values) == 536
    assert unemployment["value"] is None  # no Berlin-wide value is invented
    median = unemployment["median"]
    assert median["level"] == "planning_area" and median["count"] == len(values)
    assert median["value"] == pytest.approx(statistics.median(values.values()), RTOL)
    assert (median["low"], median["high"]) == (
        min(values.values()),
        max(values.values()),
    )
    assert unemployment["area"]["code"] == "11000000"
    # Population has Berlin's own value: shown as such, without a median.
    population = found["population"]
    assert population["median"] is None and population["value"] == 3_769_962
    # Index values (z-scores, indices, classes) get no stand-in.
    assert not [i for i in found if i.startswith("mss.") or "index" in i]


def test_the_page_labels_the_median_in_both_languages(berlin: TestClient) -> None:
    page = BeautifulSoup(berlin.get("/").text, "html.parser")
    item = page.select_one("li.median a[href='/indikator/mss_s1_unemployment']")
    assert item is not None and item.parent is not None
    text = item.parent.get_text(" ", strip=True)
    assert "Median in den 536 Planungsräumen" in text
    assert text.index("Median") < text.index(item.parent.strong.get_text())  # type: ignore[union-attr]
    assert "(Berlin, 31.12.2020; Spanne 0,45\u202f% bis 17,79\u202f%)" in text
    english = BeautifulSoup(berlin.get("/?lang=en").text, "html.parser")
    item = english.select_one(
        "li.median a[href='/indikator/mss_s1_unemployment?lang=en']"
    )
    assert item is not None and item.parent is not None
    text = item.parent.get_text(" ", strip=True)
    assert "Median of the 536 planning areas" in text
    assert "range 0.45\u202f% to 17.79\u202f%" in text
    # Berlin's own value stays unlabelled.
    own = page.select_one("a[href='/indikator/population']")
    assert own is not None and "median" not in (own.parent.get("class") or [])  # type: ignore[union-attr]


def test_an_area_below_the_top_takes_its_own_planning_areas(
    mitte: TestClient, demo_sqlite: Engine
) -> None:
    found = figures(mitte)
    values = {
        code: v
        for code, v in planning_area_values(demo_sqlite, "mss_s1_unemployment").items()
        if code.startswith(MITTE)
    }
    assert 0 < len(values) < 536
    in_mitte = found["mss_s1_unemployment"]
    assert in_mitte["area"]["code"] == MITTE and in_mitte["value"] is None
    median = in_mitte["median"]
    assert median["count"] == len(values)
    assert median["value"] == pytest.approx(statistics.median(values.values()), RTOL)
    assert median["high"] == max(values.values())


def test_without_a_site_the_start_page_shows_no_median(demo_sqlite: Engine) -> None:
    plain = TestClient(create_app(demo_sqlite, site=""))
    assert all(f["median"] is None for f in figures(plain).values())
