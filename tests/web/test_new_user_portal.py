"""What a new user stumbles over in the portal (issue 16): number defaults,
singular and plural, one missing-benchmark note, one name for the area page and
the German CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.web import i18n
from sozialmonitor.web.app import create_app
from tests.fixtures import COUNTS, TOWNS
from tests.web.expected import html, rows

WEB = Path(i18n.__file__).parent


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


# --- one name for the area page ---------------------------------------------------


def test_the_area_page_has_one_name_issue_16(client: TestClient) -> None:
    other_names = ("Sozialstrukturprofil", "Social structure profile")
    texts = [
        *WEB.joinpath("templates").rglob("*.html"),
        *WEB.joinpath("translations").rglob("*.yaml"),
        *WEB.rglob("*.py"),
    ]
    assert len(texts) > 50
    for path in texts:
        content = path.read_text(encoding="utf-8")
        for name in other_names:
            assert name not in content, f"{path.name} calls the area page {name!r}"
    municipality = html(client.get(f"/gebiet/{TOWNS[0]}"))
    region = html(client.get("/gebiet/03241"))
    assert municipality.select_one("h1").get_text().startswith("Gebietsprofil ")
    assert region.select_one("h1").get_text().startswith("Gebietsprofil ")
    assert municipality.title.get_text().startswith("Gebietsprofil ")
    english = html(client.get(f"/gebiet/{TOWNS[0]}?lang=en"))
    assert english.select_one("h1").get_text().startswith("Area profile ")
