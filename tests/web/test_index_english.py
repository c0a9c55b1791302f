"""English texts of an index's derived indicators (issue 13): the shipped MSS
definition's English texts make ``/indikator/mss.* ?lang=en`` English; a definition
without them leaves the derived indicators German only, and the page says so."""

from __future__ import annotations

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
