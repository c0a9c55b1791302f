"""English catalogue texts (issue 13): ``name_en``, ``short_name_en``, ``unit_en``,
``topic_en`` and ``definition_en`` from the catalogue file (YAML and CSV), the
metadata form, and the English pages that use them or say that a text is only in
German — on SQLite and PostgreSQL, through real HTTP requests."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Role
from sozialmonitor.errors import ImportValidationError
from sozialmonitor.ingest.indicators import import_indicators
from sozialmonitor.store import queries
from sozialmonitor.web.app import create_app
from tests.access.accounts_data import add_account
from tests.web.sign_in_client import portal, sign_in
from tests.web.test_indicator_editing import form_of

CATALOGUE = """\
- id: unemployed
  name: Arbeitslose
  short_name: Arbeitslose
  unit: Personen
  topic: Arbeit
  definition: Arbeitslose nach SGB II und SGB III im Jahresdurchschnitt.
  kind: count
  name_en: Unemployed persons
  short_name_en: Unemployed
  unit_en: persons
  topic_en: Employment
  definition_en: Unemployed persons under SGB II and SGB III, annual average.
- id: debtors
  name: Schuldnerquote
  unit: "%"
  topic: Arbeit
  definition: Anteil der überschuldeten Personen.
"""
CSV_CATALOGUE = (
    "id;name;unit;topic;name_en;unit_en\n"
    "households;Haushalte;Anzahl;Wohnen;Households;number\n"
)


def soup(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")


@pytest.fixture
def catalogue(engine: Engine, tmp_path: Path) -> Engine:
    path = tmp_path / "indicators.yaml"
    path.write_text(CATALOGUE, encoding="utf-8")
    import_indicators(engine, path)
    return engine


def test_the_catalogue_file_carries_the_english_texts(
    catalogue: Engine, tmp_path: Path
) -> None:
    with catalogue.connect() as conn:
        found = {i.id: i for i in queries.list_indicators(conn)}
    unemployed = found["unemployed"]
    assert unemployed.name_en == "Unemployed persons"
    assert (unemployed.short_name_en, unemployed.unit_en) == ("Unemployed", "persons")
    assert unemployed.topic_en == "Employment"
    assert unemployed.definition_en.startswith("Unemployed persons under SGB II")
    assert found["debtors"].name_en == ""
    # CSV: the same column names; the short name follows the English name.
    path = tmp_path / "indicators.csv"
    path.write_text(CSV_CATALOGUE, encoding="utf-8")
    import_indicators(catalogue, path)
    with catalogue.connect() as conn:
        households = queries.get_indicator(conn, "households")
    assert (households.name_en, households.short_name_en) == (
        "Households",
        "Households",
    )
    assert households.unit_en == "number"
    # The API and the downloads write them (the indicator's full record).
    body = TestClient(create_app(catalogue)).get("/api/v1/indicators").json()
    record = next(i for i in body["indicators"] if i["id"] == "unemployed")
    assert record["name_en"] == "Unemployed persons"


def test_an_english_text_is_checked_like_the_german_one(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(
        "- id: x1\n  name: Name\n  unit: '%'\n  name_en: '=HYPERLINK(\"x\")'\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportValidationError) as caught:
        import_indicators(engine, path)
    (finding,) = caught.value.report.errors  # type: ignore[attr-defined]
    assert (finding.row, finding.column) == (1, "name_en")
    assert "spreadsheet formula" in finding.message
    with engine.connect() as conn:
        assert queries.list_indicators(conn) == []


def test_the_english_page_uses_the_english_texts(catalogue: Engine) -> None:
    client = TestClient(create_app(catalogue))
    page = soup(client.get("/indikator/unemployed?lang=en").text)
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Unemployed persons"
    assert h1["lang"] == "en"
    facts = page.select_one(".indicator-facts")
    assert facts is not None
    assert "persons" in facts.get_text() and "Employment" in facts.get_text()
    assert page.select_one(".german-only") is None
    definition = next(
        dd
        for dt in page.select(".meta-list dt")
        if dt.get_text() == "Definition" and (dd := dt.find_next_sibling("dd"))
    )
    assert definition.get_text().startswith("Unemployed persons under SGB II")
    assert definition.get("lang") is None
    # The German page keeps the German texts.
    german = soup(client.get("/indikator/unemployed").text)
    h1 = german.select_one("h1")
    assert h1 is not None and h1.get_text() == "Arbeitslose"


def test_the_english_page_says_which_texts_are_only_in_german(
    catalogue: Engine,
) -> None:
    client = TestClient(create_app(catalogue))
    page = soup(client.get("/indikator/debtors?lang=en").text)
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Schuldnerquote"
    assert h1["lang"] == "de"
    note = page.select_one(".german-only")
    assert note is not None
    assert note.get_text().startswith("Only available in German")
    assert "Name" in note.get_text() and "Definition" in note.get_text()
    # The topic list of the English site: the English topic, the German-only name
    # marked as German.
    topics = soup(client.get("/thema/arbeit?lang=en").text)
    h1 = topics.select_one("h1")
    assert h1 is not None and h1.get_text() == "Employment"
    marked = topics.select("table span[lang=de]")
    assert [m.get_text() for m in marked] == ["Schuldnerquote"]
    # Not a word of this on the German page.
    assert soup(client.get("/indikator/debtors").text).select(".german-only") == []


def test_an_editor_writes_the_english_name_in_the_form(catalogue: Engine) -> None:
    add_account(catalogue, "erika", Role.EDITOR)
    client = TestClient(portal(catalogue), follow_redirects=False)
    assert sign_in(client, catalogue, "erika").status_code == 303
    url = "/verwaltung/indikatoren/debtors"
    form = soup(client.get(url).text)
    for name in ("name_en", "short_name_en", "unit_en", "topic_en", "definition_en"):
        field = form.select_one(f"[name={name}]")
        assert field is not None, name
        assert form.select_one(f"label[for={field['id']}]") is not None, name
    data = form_of(form)
    data["name_en"] = "Over-indebtedness rate"
    data["definition_en"] = "Share of over-indebted persons."
    assert client.post(url, data=data).status_code == 303
    with catalogue.connect() as conn:
        event = audit.events(conn, action="indicator-changed")[-1]
    assert event.detail["changed"]["name_en"] == {
        "before": "",
        "after": "Over-indebtedness rate",
    }
    public = TestClient(create_app(catalogue))
    page = soup(public.get("/indikator/debtors?lang=en").text)
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Over-indebtedness rate"
    note = page.select_one(".german-only")
    assert note is not None and "Definition" not in note.get_text()


def test_the_demo_speaks_english(demo_sqlite: Engine) -> None:
    client = TestClient(create_app(demo_sqlite))
    page = soup(client.get("/indikator/unemployment_share?lang=en").text)
    h1 = page.select_one("h1")
    assert h1 is not None
    assert h1.get_text() == "Unemployed as a share of the working-age population"
    heading = page.select_one("#map-heading")
    assert heading is not None and heading.get_text().startswith("Unemployed as a")
    start = soup(client.get("/?lang=en").text)
    topics = {a.get_text() for a in start.select("h3 a")}
    assert {"Employment", "Population", "Income"} <= topics


def test_migration_0011_keeps_the_indicators_and_adds_empty_english_texts(
    catalogue: Engine,
) -> None:
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import inspect

    from sozialmonitor.store import schema
    from sozialmonitor.store.database import _alembic_config, schema_is_current

    with catalogue.connect() as conn:
        differences = [
            d
            for d in compare_metadata(MigrationContext.configure(conn), schema.metadata)
            if "_en" in repr(d)
        ]
    assert differences == []
    command.downgrade(_alembic_config(catalogue), "0010")
    columns = {c["name"] for c in inspect(catalogue).get_columns("indicator")}
    assert "name_en" not in columns and "name" in columns
    command.upgrade(_alembic_config(catalogue), "head")
    assert schema_is_current(catalogue)
    with catalogue.connect() as conn:
        found = {i.id: i for i in queries.list_indicators(conn)}
    assert set(found) == {"unemployed", "debtors"}
    assert found["unemployed"].name == "Arbeitslose"
    assert found["unemployed"].name_en == ""
