"""What a new user stumbles over in the portal (issue 16): number defaults,
singular and plural, one missing-benchmark note, one name for the area page and
the German CSV."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.web.app import create_app
from tests.fixtures import COUNTS, TOWNS
from tests.web.expected import html, rows


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


# --- number defaults --------------------------------------------------------------


def test_a_count_has_no_decimals_and_a_share_one_issue_16(client: TestClient) -> None:
    # The small database's catalogue gives no decimals: the kind decides.
    town = TOWNS[0]
    body = client.get(f"/api/v1/pages/gebiet/{town}").json()
    found = rows(body)
    numerator, population = COUNTS[(town, "2021")]
    count, share = found["population"], found["unemployment_share"]
    assert count["figure"]["text"] == "301.000\u202fPersonen"
    assert share["figure"]["text"] == "7,0\u202f%"
    # the twin keeps the full value; only the text is rounded
    assert count["figure"]["value"] == population
    assert share["figure"]["value"] == pytest.approx(numerator / population * 100)
    page = html(client.get(f"/gebiet/{town}"))
    cells = {
        group.select_one("th[scope=row] a").get_text(): group.select_one(
            "td.value"
        ).get_text(strip=True)
        for group in page.select("tbody.indicator")
    }
    assert cells["Einwohner"].startswith("301.000")
    assert "301.000,0" not in page.get_text()
    assert cells["Arbeitslosenanteil"].startswith("7,0")
