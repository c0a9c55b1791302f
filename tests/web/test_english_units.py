"""English units on the English pages (issue 13): values carry the catalogue's
``unit_en`` on ``?lang=en`` — the start page's key figures, the profile, the
comparison, the topic page and the indicator table — and the German unit where the
catalogue has no English one, which the start page then says."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.store import queries
from sozialmonitor.web.app import create_app
from sozialmonitor.web.formatting import NARROW_NBSP
from tests.web.test_roles_surfaces import PUB_TOWN, build

LAATZEN = "03241009"
HANNOVER = "03241001"
PAGES = {
    "start": "/",
    "profile": f"/gebiet/{LAATZEN}",
    "compare": f"/vergleich?gebiete={LAATZEN}&gebiete={HANNOVER}",
    "topic": "/thema/arbeit",
    "indicator table": "/indikator/unemployed?ansicht=tabelle",
}
"""Pages that show counts of persons (the demo's ``unit: Personen``)."""


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


def english(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=en"


def values_with_unit(page: BeautifulSoup, unit: str) -> list[str]:
    """The key figures and table cells of the page's main part that end in
    ``unit`` (after a number)."""
    pattern = re.compile(rf"\d{NARROW_NBSP}{re.escape(unit)}$")
    found = page.select("main strong, main td")
    return [t for e in found if pattern.search(t := e.get_text(strip=True))]


@pytest.mark.parametrize("name", list(PAGES))
def test_english_pages_write_english_units_issue_13(
    demo: TestClient, demo_sqlite: Engine, name: str
) -> None:
    with demo_sqlite.connect() as conn:
        unemployed = queries.get_indicator(conn, "unemployed")
    assert (unemployed.unit, unemployed.unit_en) == ("Personen", "persons")
    german = soup(demo.get(PAGES[name]).text)
    assert values_with_unit(german, "Personen"), name  # the test can fail
    assert values_with_unit(german, "persons") == [], name
    page = soup(demo.get(english(PAGES[name])).text)
    assert values_with_unit(page, "Personen") == [], name
    assert values_with_unit(page, "persons"), name


def test_the_start_page_key_figure_in_english_issue_13(demo: TestClient) -> None:
    twin = demo.get("/api/v1/pages/start?lang=en").json()
    figure = next(
        f
        for t in twin["topics"]
        for f in t["figures"]
        if f["indicator"]["id"] == "unemployed"
    )
    expected = f"{figure['value']:,.0f}{NARROW_NBSP}persons"
    assert figure["text"] == expected and figure["unit_german_only"] is False
    page = soup(demo.get("/?lang=en").text)
    link = page.select_one('main a[href^="/indikator/unemployed?"]')
    assert link is not None and link.parent is not None
    strong = link.parent.select_one("strong")
    assert strong is not None and strong.get_text() == expected
    assert link.parent.select(".german-only") == []


def test_a_unit_only_in_german_is_shown_and_named_issue_13(engine: Engine) -> None:
    with engine.begin() as conn:
        build(conn)  # "pub": unit "Fälle", no English unit
    client = TestClient(create_app(engine))
    total = f"{sum(PUB_TOWN.values()):,.0f}"  # no decimals: a count's default
    page = soup(client.get("/?lang=en").text)
    link = page.select_one('main a[href^="/indikator/pub?"]')
    assert link is not None and link.parent is not None
    strong = link.parent.select_one("strong")
    assert strong is not None and strong.get_text() == f"{total}{NARROW_NBSP}Fälle"
    notes = [n.get_text() for n in link.parent.select(".german-only")]
    assert notes == ["(only in German)", "(unit only in German)"]  # name, unit
    # The German page has no note.
    german = soup(client.get("/").text)
    link = german.select_one('main a[href^="/indikator/pub"]')
    assert link is not None and link.parent is not None
    assert link.parent.select(".german-only") == []
