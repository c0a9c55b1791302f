"""Search: indicators (umlaut and word-form tolerant), areas by name or code, topics."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.store.writes import save_indicators
from sozialmonitor.web.app import create_app
from sozialmonitor.web.i18n import missing_translations
from sozialmonitor.web.pages import search
from sozialmonitor.web.snapshot import snapshot
from tests.web.test_topic_page import german_texts

CARE = (
    Indicator(
        id="care_dependent_share",
        name="Pflegebedürftige",
        unit="%",
        topic="Gesundheit/Pflege",
        keywords=("Pflege", "Pflegebedürftigkeit", "SGB XI"),
        denominator="Einwohnerinnen und Einwohner",
    ),
    Indicator(
        id="care_home_places",
        name="Plätze in Pflegeheimen",
        unit="je 1.000 EW ab 65 J.",
        kind="rate",
        topic="Gesundheit/Pflege",
        keywords=("Pflegeheim", "stationäre Pflege"),
    ),
    Indicator(
        id="care_internal",
        name="Pflegefälle (intern)",
        unit="Fälle",
        kind="count",
        topic="Gesundheit/Pflege",
        visibility="internal",
    ),
)
CARE_IDS = ["care_dependent_share", "care_home_places"]


def soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    with small_engine.begin() as conn:
        save_indicators(conn, CARE)
    return TestClient(create_app(small_engine))


def found_indicators(page: BeautifulSoup) -> list[str]:
    return [
        a["href"].split("?")[0].removeprefix("/indikator/")
        for a in page.select("table.search-indicators tbody th a")
    ]


@pytest.mark.parametrize("query", ["pflegebedürftig", "Pflegebeduerftige", "PFLEGE"])
def test_care_indicators_are_found_in_every_spelling(
    client: TestClient, query: str
) -> None:
    response = client.get("/suche", params={"q": query})
    assert response.status_code == 200
    page = soup(response)
    ids = found_indicators(page)
    assert ids[0] == "care_dependent_share"
    assert "care_internal" not in ids
    if query == "PFLEGE":
        assert sorted(ids) == CARE_IDS
    status = page.select_one("[role=status]").get_text(strip=True)
    kennzahlen = "1 Kennzahl" if len(ids) == 1 else f"{len(ids)} Kennzahlen"
    assert status.startswith(f"Gefunden: {kennzahlen}")
    assert page.select_one("#search-q")["value"] == query
    assert page.select_one("label[for=search-q]") is not None


def test_results_show_topic_unit_and_matched_keywords(client: TestClient) -> None:
    page = soup(client.get("/suche", params={"q": "Pflegeheim"}))
    row = next(
        tr
        for tr in page.select("table.search-indicators tbody tr")
        if tr.th.a["href"] == "/indikator/care_home_places"
    )
    cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
    assert cells[0] == "Gesundheit/Pflege"
    assert row.td.a["href"] == "/thema/gesundheit-pflege"
    assert cells[1] == "je 1.000 EW ab 65 J."
    assert cells[2] == "Name Stichwörter: Pflegeheim"
    topics = [a.get_text() for a in page.select("main ul li a[href^='/thema/']")]
    assert topics == []  # "Pflegeheim" is no topic
    page = soup(client.get("/suche", params={"q": "Pflege"}))
    topics = [a["href"] for a in page.select("main ul li a[href^='/thema/']")]
    assert topics == ["/thema/gesundheit-pflege"]


def test_internal_indicators_are_never_found(client: TestClient) -> None:
    body = client.get("/api/v1/pages/suche", params={"q": "Fallzahl"}).json()
    assert body["indicators"] == []
    body = client.get("/api/v1/pages/suche", params={"q": "Pflegefälle"}).json()
    assert body["indicators"] == []


def test_empty_query_gives_a_hint_and_the_topics(client: TestClient) -> None:
    page = soup(client.get("/suche"))
    assert page.select_one("[role=status]").get_text(strip=True) == (
        "Bitte geben Sie einen Suchbegriff ein."
    )
    suggested = {a.get_text() for a in page.select("main ul li a[href^='/thema/']")}
    assert suggested == {t.name for t in snapshot(client.app.state.engine).topics}  # type: ignore[attr-defined]
    assert not page.select("table.search-indicators")


def test_no_hits_suggest_the_topics(client: TestClient) -> None:
    page = soup(client.get("/suche", params={"q": "Xylophon"}))
    assert page.select_one("[role=status]").get_text(strip=True) == (
        "Nichts gefunden für „Xylophon“."
    )
    assert page.select("main ul li a[href='/thema/arbeit']")
    assert page.select_one("main a[href='/methoden#katalog']") is not None


def test_search_json_twin_equals_the_page(client: TestClient) -> None:
    page = soup(client.get("/suche", params={"q": "Gemeinde"}))
    body = client.get("/api/v1/pages/suche", params={"q": "Gemeinde"}).json()
    assert [a["code"] for a in body["areas"]] == [
        a["href"].removeprefix("/gebiet/") for a in page.select("ul.search-areas a")
    ]
    assert body["area_total"] == 3
    assert body["status"] == page.select_one("[role=status]").get_text(strip=True)
    body = client.get("/api/v1/pages/suche", params={"q": "Pflege"}).json()
    assert [i["id"] for i in body["indicators"]] == found_indicators(
        soup(client.get("/suche", params={"q": "Pflege"}))
    )


def test_area_codes_are_found(client: TestClient) -> None:
    body = client.get("/api/v1/pages/suche", params={"q": "03241001"}).json()
    assert [a["code"] for a in body["areas"]] == ["03241001"]
    body = client.get("/api/v1/pages/suche", params={"q": "03241"}).json()
    assert [a["code"] for a in body["areas"]][0] == "03241"
    assert body["area_total"] == 4


def test_search_in_english(client: TestClient) -> None:
    page = soup(client.get("/suche", params={"q": "Pflege", "lang": "en"}))
    assert page.html["lang"] == "en"
    assert page.select_one("[role=status]").get_text(strip=True).startswith("Found: ")
    assert page.select_one("table.search-indicators th a")["href"].endswith("?lang=en")
    assert page.select_one("form.controls input[name=lang]")["value"] == "en"


def test_every_search_text_has_an_english_translation() -> None:
    texts = german_texts(["search.html"], ["search.py"])
    texts += list(search.FIELD_WORDS.values())
    assert len(texts) > 20
    assert missing_translations(texts) == []


# --- the real demo ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("Ronnenberg", "03241014"),
        ("ronnenberg", "03241014"),
        ("Neukölln", "08"),
        ("Neukoelln", "08"),
        ("NEUKÖLLN", "08"),
    ],
)
def test_demo_areas_by_name_in_any_spelling(
    demo: TestClient, demo_sqlite: Engine, query: str, code: str
) -> None:
    page = soup(demo.get("/suche", params={"q": query}))
    links = page.select("ul.search-areas a")
    assert links[0]["href"] == f"/gebiet/{code}"
    assert links[0].get_text() == snapshot(demo_sqlite).area(code).name
    names = {a.get_text() for a in links}
    assert all(query.lower()[:4] in n.lower() or "neuk" in n.lower() for n in names)


def test_demo_umlaut_variants_find_the_same_indicators(demo: TestClient) -> None:
    for pair in (("Bevölkerung", "Bevoelkerung"), ("Ausländer", "Auslaender")):
        first, second = (
            demo.get("/api/v1/pages/suche", params={"q": q}).json()["indicators"]
            for q in pair
        )
        assert first and [i["id"] for i in first] == [i["id"] for i in second]
