"""English texts of an index's derived indicators (issue 13): the shipped MSS
definition's English texts make ``/indikator/mss.* ?lang=en`` English; a definition
without them leaves the derived indicators German only, and the page says so."""

from __future__ import annotations

import re
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.index_definition import find_definition, parse_definition
from sozialmonitor.analysis.index_derived import derived_columns
from sozialmonitor.store import queries
from sozialmonitor.web.app import create_app

ENGLISH_NAMES = {
    "mss.status_index": "Status index",
    "mss.dynamics_class": "Dynamics index: class",
    "mss.z_s1": "z-score S1 Unemployment",
    "mss.cell": "Overall index of social inequality",
}
"""Derived indicator -> its English short name, written from mss.yaml's texts."""
WITHOUT_ENGLISH = """\
id: tiny
name: Tiny-Index
level: municipality
period: 2021
status:
  name: Status-Index
  indicators: [{key: a, label: A, indicator: a_share}]
  classes: [{code: 1, label: hoch, below: 0}, {code: 2, label: niedrig}]
"""


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


@pytest.mark.parametrize(("indicator_id", "short_name"), ENGLISH_NAMES.items())
def test_derived_mss_indicators_are_english(
    demo: TestClient, demo_sqlite: Engine, indicator_id: str, short_name: str
) -> None:
    page = soup(demo.get(f"/indikator/{indicator_id}?lang=en"))
    h1 = page.select_one("h1")
    assert h1 is not None
    assert h1.get_text(strip=True) == (
        f"{short_name} (Monitoring of Social Urban Development 2021 – Overall index "
        "of social inequality)"
    )
    assert h1.get("lang") == "en"
    assert page.select(".german-only") == [], page.select_one(".german-only")
    # The stored catalogue holds the English texts the page shows.
    with demo_sqlite.connect() as conn:
        stored = queries.get_indicator(conn, indicator_id)
    assert stored.short_name_en == short_name
    assert stored.topic_en == "Social index"
    assert "Higher index values mean a lower social status" in stored.definition_en
    assert "Computed by Sozialmonitor from the index definition 'mss'" in (
        stored.definition_en
    )
    # The German page keeps its German texts.
    german = soup(demo.get(f"/indikator/{indicator_id}")).select_one("h1")
    assert german is not None and "Monitoring Soziale Stadtentwicklung" in (
        german.get_text()
    )


def test_the_english_definition_and_topic_are_shown(demo: TestClient) -> None:
    page = soup(demo.get("/indikator/mss.status_class?lang=en"))
    text = page.main.get_text(" ", strip=True) if page.main else ""
    assert "Class of the Status index: 1 = hoch (< -1); 2 = mittel (≤ 1)" in text
    assert "Topic: Social index" in text
    assert "Only available in German" not in text


def test_every_derived_indicator_of_the_shipped_definitions_has_english() -> None:
    for index in ("mss", "oberhausen"):
        definition = find_definition(index)
        inputs = ", ".join(definition.source_indicators)
        for column in derived_columns(definition):
            found = column.indicator
            for field in ("name_en", "short_name_en", "unit_en", "topic_en"):
                assert getattr(found, field), (found.id, field)
            trace = f"input indicators: {inputs}."
            assert found.definition_en.endswith(trace), found.id
            # The German definition still carries the YAML the classes are read from.
            assert "\n\nIndexdefinition:\n\n" in found.definition


def test_a_definition_without_english_texts_stays_german_only() -> None:
    definition = parse_definition(WITHOUT_ENGLISH)
    for column in derived_columns(definition):
        found = column.indicator
        assert (found.name_en, found.short_name_en, found.definition_en) == ("", "", "")
        assert found.topic_en == ""
        # The unit is written by the code, so it is English in any case.
        assert found.unit_en in ("z-score", "index", "class")


MSS_NAME_EN = (
    "Monitoring of Social Urban Development 2021 – Overall index of social inequality"
)
MSS_NAME_DE = (
    "Monitoring Soziale Stadtentwicklung 2021 – Gesamtindex Soziale Ungleichheit"
)
PLANNING_AREA = "01100101"
"""Stülerstraße, a Berlin planning area with a class in the MSS."""


def index_link(page: BeautifulSoup, index_id: str) -> Any:
    found = page.select(f'main a[href^="/sozialindex/{index_id}"]')
    assert len(found) == 1, found
    return found[0]


def test_english_pages_name_the_index_in_english_issue_13(demo: TestClient) -> None:
    page = soup(demo.get("/sozialindex/mss?lang=en"))
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == MSS_NAME_EN
    assert h1.get("lang") is None  # the page's own language
    assert page.title is not None and page.title.get_text().startswith(MSS_NAME_EN)
    lead = page.select_one("p.lead")
    assert lead is not None and lead.get_text().startswith("Status index (unemployment")
    caption = page.select_one("table.index-matrix caption")
    assert caption is not None
    assert caption.get_text().startswith("Overall index of social inequality:")
    assert page.select(".german-only") == []
    twin = demo.get("/api/v1/pages/sozialindex/mss?lang=en").json()
    assert twin["name"] == {"text": MSS_NAME_EN, "lang": "en", "german_only": False}
    assert twin["german_only"] == []
    # Every page that links the index names it in English.
    for address in ("/?lang=en", "/sozialindex?lang=en", "/thema/sozialindex?lang=en"):
        link = index_link(soup(demo.get(address)), "mss")
        assert link.get_text() == MSS_NAME_EN, address
        assert link.select('[lang="de"]') == [], address
    start = demo.get("/api/v1/pages/start?lang=en").json()
    assert [i["name"]["text"] for i in start["indices"]] == [MSS_NAME_EN]
    profile = soup(demo.get(f"/gebiet/{PLANNING_AREA}?lang=en"))
    position = profile.select_one(".index-position dt")
    assert position is not None
    assert position.get_text() == "Overall index of social inequality"
    twin = demo.get(f"/api/v1/pages/gebiet/{PLANNING_AREA}?lang=en").json()
    assert [p["name"]["text"] for p in twin["index_positions"]] == [
        "Overall index of social inequality"
    ]
    # The German pages keep the German name.
    german = soup(demo.get("/sozialindex/mss")).select_one("h1")
    assert german is not None and german.get_text() == MSS_NAME_DE
    assert index_link(soup(demo.get("/")), "mss").get_text() == MSS_NAME_DE
    position = soup(demo.get(f"/gebiet/{PLANNING_AREA}")).select_one(
        ".index-position dt"
    )
    assert position is not None
    assert position.get_text() == "Gesamtindex Soziale Ungleichheit"


def test_an_index_without_english_texts_is_marked_german_issue_13(
    public_index: Engine,
) -> None:
    client = TestClient(create_app(public_index))
    page = soup(client.get("/sozialindex/muster?lang=en"))
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Musterindex"
    assert h1.get("lang") == "de"
    lead = page.select_one("p.lead")
    assert lead is not None and lead.get("lang") == "de"
    note = page.select_one("p.note.german-only")
    assert note is not None and note.get_text(strip=True) == (
        "Only available in German: Name, Description, Names of the sub-indices, "
        "Names of the classes."
    )
    # Without English class labels the classes keep their German words.
    rows = [th.get_text(" ", strip=True) for th in page.select("table.index-matrix th")]
    assert "Status hoch (1)" in rows, rows
    twin = client.get("/api/v1/pages/sozialindex/muster?lang=en").json()
    assert twin["name"] == {"text": "Musterindex", "lang": "de", "german_only": True}
    for address in ("/?lang=en", "/sozialindex?lang=en"):
        link = index_link(soup(client.get(address)), "muster")
        marked = link.select_one('span[lang="de"]')
        assert marked is not None and marked.get_text() == "Musterindex", address
        after = link.find_next_sibling("span", class_="german-only")
        assert after is not None and after.get_text() == "(only in German)", address
    profile = soup(client.get("/gebiet/M01?lang=en"))
    position = profile.select_one(".index-position dt")
    assert position is not None
    assert position.get_text(" ", strip=True) == "Gesamtindex (only in German)"
    assert position.select_one('span[lang="de"]') is not None
    # The German page has no note.
    german = soup(client.get("/sozialindex/muster"))
    assert german.select(".german-only") == []
    assert german.select_one("h1[lang]") is None


def test_english_index_page_names_drivers_and_reasons_in_english_issue_13(
    demo: TestClient,
) -> None:
    """The focus table's drivers carry the definition's English labels and the
    reasons an area has no class are English (they were German on English pages)."""
    labels_en = {i.label_en for i in find_definition("mss").indicators}
    labels_de = {i.label for i in find_definition("mss").indicators}
    page = soup(demo.get("/sozialindex/mss?lang=en"))
    drivers = [li.get_text(strip=True) for li in page.select("ul.drivers li")]
    assert drivers
    for text in drivers:
        assert any(text.startswith(f"{label} ") for label in labels_en), text
        assert not any(text.startswith(f"{label} ") for label in labels_de), text
    note = page.select_one("#index-focus").find_previous("p", class_="note")
    assert note is not None
    assert " ".join(note.get_text().split()) == (
        "Without a class: not indexed (< 300 inhabitants): 5; outlier: 1."
    )
    outlier = page.select_one('.map-area[data-code="10100205"]')
    assert outlier is not None and outlier["aria-label"].endswith(": outlier")
    twin = demo.get("/api/v1/pages/sozialindex/mss?lang=en").json()
    assert {item["reason"] for item in twin["left_out"]} == {
        "not indexed (< 300 inhabitants)",
        "outlier",
    }
    assert twin["focus"][0]["drivers"][0]["label"] in labels_en
    # The German page keeps the definition's German words.
    german = soup(demo.get("/sozialindex/mss"))
    first = german.select_one("ul.drivers li")
    assert first is not None
    assert any(
        first.get_text(strip=True).startswith(f"{label} ") for label in labels_de
    )
    note_de = german.select_one("#index-focus").find_previous("p", class_="note")
    assert note_de is not None
    assert "nicht indexiert (< 300 EW): 5; Ausreißer: 1" in note_de.get_text()


GERMAN_CLASS_WORD = re.compile(
    r"\b(hoch|mittel|niedrig|sehr niedrig|positiv|stabil|negativ|Dynamik)\b"
)
"""The German words of the MSS classes ("Status sehr niedrig", "Dynamik negativ")."""


def test_english_index_pages_write_the_classes_in_english_issue_13(
    demo: TestClient,
) -> None:
    page = soup(demo.get("/sozialindex/mss?lang=en"))
    main = page.main
    assert main is not None
    text = main.get_text(" ", strip=True)
    assert GERMAN_CLASS_WORD.findall(text) == []
    # The matrix is the map's legend: its rows, columns and cells in English.
    heads = [
        th.get_text(" ", strip=True) for th in page.select("table.index-matrix th")
    ]
    assert "Status very low (4)" in heads and "Dynamics negative (-)" in heads, heads
    reasons = {
        td.get_text(" ", strip=True)
        for td in page.select("table.index-focus tbody td:nth-of-type(1)")
    }
    assert reasons and reasons <= {
        "Status very low (4+)",
        "Status very low (4+/-)",
        "Status very low, Dynamics negative (4-)",
        "Dynamics negative (1-)",
        "Dynamics negative (2-)",
        "Dynamics negative (3-)",
    }, reasons
    labels = [a["aria-label"] for a in page.select(".map-area[aria-label]")]
    assert any(
        label.endswith(": 2-: Status medium, dynamics negative") for label in labels
    )
    assert "areas with Status very low or Dynamics negative" in text
    assert "e.g. 2- = Status medium, dynamics negative" in text
    twin = demo.get("/api/v1/pages/sozialindex/mss?lang=en")
    assert GERMAN_CLASS_WORD.findall(twin.text) == []
    assert twin.json()["focus_rule"] == "Status very low or Dynamics negative"
    # The profile's index position line.
    profile = soup(demo.get(f"/gebiet/{PLANNING_AREA}?lang=en"))
    position = profile.select_one(".index-position dd")
    assert position is not None
    assert re.fullmatch(
        r"Status (high|medium|low|very low), dynamics (positive|stable|negative) "
        r"\(\d[+-/]+\)",
        position.get_text(" ", strip=True),
    ), position
    # The German pages keep the official German words.
    german = soup(demo.get("/sozialindex/mss"))
    heads_de = [
        th.get_text(" ", strip=True) for th in german.select("table.index-matrix th")
    ]
    assert "Status sehr niedrig (4)" in heads_de and "Dynamik negativ (-)" in heads_de
    assert demo.get("/api/v1/pages/sozialindex/mss").json()["focus_rule"] == (
        "Status sehr niedrig oder Dynamik negativ"
    )
    position_de = soup(demo.get(f"/gebiet/{PLANNING_AREA}")).select_one(
        ".index-position dd"
    )
    assert position_de is not None
    assert re.fullmatch(
        r"Status (hoch|mittel|niedrig|sehr niedrig), Dynamik (positiv|stabil|negativ) "
        r"\(\d[+-/]+\)",
        position_de.get_text(" ", strip=True),
    ), position_de


def test_a_driver_without_an_english_label_takes_the_stored_english_name() -> None:
    from sozialmonitor.analysis.index_parts import IndexIndicator
    from sozialmonitor.web.i18n import Translator
    from sozialmonitor.web.pages.sozialindex_words import driver_label, reason_text

    en = Translator(lang="en")
    names = {"u": "Unemployment share"}
    level = IndexIndicator(key="s1", label="S1 Arbeitslosigkeit", indicator="u")
    change = IndexIndicator(
        key="d1", label="D1 Veränderung Arbeitslosigkeit", change_of="u", periods=2
    )
    assert driver_label(level, en, names) == "Unemployment share"
    assert driver_label(change, en, names) == "Change: Unemployment share"
    assert driver_label(change, en, {}) == "D1 Veränderung Arbeitslosigkeit"
    assert reason_text("nicht indexiert (Einwohnerzahl fehlt)", en) == (
        "not indexed (population missing)"
    )
    assert reason_text("nicht indexiert (< 12.500 EW)", en) == (
        "not indexed (< 12,500 inhabitants)"
    )
    assert not en.missing
