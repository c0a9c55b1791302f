"""The demo's example findings and recommendations: marked as examples, without
figures, linked to real demo indicators and areas, the internal ones not public."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.qualitative import RecordKind
from sozialmonitor.store import queries
from sozialmonitor.store.qualitative import read_records
from sozialmonitor.web.app import create_app


def test_the_examples_are_marked_and_state_no_figures(demo_sqlite: Engine) -> None:
    with demo_sqlite.connect() as conn:
        records = read_records(conn, audience=Audience.INTERNAL)
        public = {r.code for r in read_records(conn)}
        indicators = {i.id for i in queries.list_indicators(conn)}
        areas = {a.code for a in queries.list_areas(conn)}
    kinds = {r.kind for r in records}
    assert kinds == {RecordKind.FINDING, RecordKind.RECOMMENDATION}
    assert {r.code for r in records if r.internal} == {"B-E-03", "B-H-03"}
    assert public == {r.code for r in records} - {"B-E-03", "B-H-03"}
    for record in records:
        assert record.title.startswith("Beispiel: "), record.code
        assert record.text.startswith("*Beispiel: erfundener Datensatz"), record.code
        assert record.estimated_cost is None
        assert record.source is None or record.source.participants is None
        assert set(record.indicators) | set(record.outcome_indicators) <= indicators
        assert record.areas and set(record.areas) <= areas


def test_the_demo_shows_them_on_the_list_and_the_profile(demo_sqlite: Engine) -> None:
    client = TestClient(create_app(demo_sqlite))
    listing = BeautifulSoup(client.get("/empfehlungen").text, "html.parser")
    titles = [h.get_text() for h in listing.select("article.record h3")]
    assert len(titles) == 4 and all(t.startswith("Beispiel: ") for t in titles)
    profile = BeautifulSoup(client.get("/gebiet/03241009").text, "html.parser")
    block = profile.select_one("section.qualitative")
    assert block is not None
    assert "Beispiel: Beratungssprechstunden in den Stadtteilen" in block.get_text()
