"""The page "Was hat sich verändert?" (``/veraenderungen``, issue 14): grouped by
kind, each sentence made from its statement's figures and linked to its view, the
JSON twin with the same statements, the link from the start page, the English
page, and the command ``release digest``."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.store.queries import (
    ObservationQuery,
    get_indicator,
    read_observations,
)
from sozialmonitor.web import formatting
from sozialmonitor.web.urls import href
from tests.digest_data import NEW, OLD, make_digest_db, town
from tests.test_cli import run
from tests.web.conftest import soup
from tests.web.sign_in_client import portal


@pytest.fixture
def digest_db(engine: Engine) -> Engine:
    make_digest_db(engine)
    return engine


@pytest.fixture
def client(digest_db: Engine) -> TestClient:
    return TestClient(portal(digest_db))


def shown(engine: Engine, release: str, area: str, period: str) -> str:
    """The value of sgb2 as the portal writes it."""
    with engine.connect() as conn:
        (found,) = read_observations(
            conn,
            ObservationQuery(
                indicators=["sgb2"], areas=[area], periods=[period], as_of=release
            ),
            audience=Audience.INTERNAL,
        )
        indicator = get_indicator(conn, "sgb2")
    return formatting.with_unit(found.value, indicator, "de")


def test_the_page_states_each_kind_with_its_figures_issue_14(
    client: TestClient, digest_db: Engine
) -> None:
    response = client.get("/veraenderungen")
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select_one("h1").get_text() == "Was hat sich verändert?"
    kinds = [s["id"] for s in page.select("section.digest h2")]
    assert kinds == [
        "digest-change",
        "digest-difference",
        "digest-revision",
        "digest-focus",
        "digest-trend_reversal",
        "digest-hot_spot",
        "digest-outlier",
    ]
    changes = page.select("li[data-kind=change] a")
    texts = {a.get_text() for a in changes}
    up = (
        f"In Musterdorf 02 ist „SGB-II-Quote“ von 2021 auf 2022 signifikant "
        f"gestiegen: von {shown(digest_db, NEW, town(2), '2021')} auf "
        f"{shown(digest_db, NEW, town(2), '2022')}."
    )
    assert up in texts and "10,0\u202f%" in up and "20,0\u202f%" in up
    link = next(a for a in changes if a.get_text() == up)
    assert link["href"] == href(
        "/indikator/sgb2", "de", ansicht="diagramm", gebiet=town(2)
    )
    assert client.get(link["href"]).status_code == 200
    # A count is compared by its difference, and the page says so (issue 13).
    differences = page.select("li[data-kind=difference]")
    assert differences
    for item in differences:
        assert "signifikant" not in item.a.get_text()
        assert "Differenz, ohne Signifikanztest" in item.get_text()
    assert all("„Fälle“" not in a.get_text() for a in changes)
    (revision,) = page.select("li[data-kind=revision] a")
    assert revision.get_text() == (
        f"In Musterdorf 01 wurde „SGB-II-Quote“ für 2021 berichtigt: jetzt "
        f"{shown(digest_db, NEW, town(1), '2021')}, im Datenstand {OLD} "
        f"{shown(digest_db, OLD, town(1), '2021')}."
    )
    assert page.select_one("#digest-focus + p").get_text() == "Keine gefunden."
    assert page.select_one("#digest-method")
    assert "Geheimer Anteil" not in response.text  # an internal indicator


def test_the_json_twin_has_the_same_statements(client: TestClient) -> None:
    html = soup(client.get("/veraenderungen").text)
    twin = client.get("/api/v1/pages/veraenderungen").json()
    assert (twin["release"], twin["previous"]) == (NEW, OLD)
    sentences = [i["sentence"] for s in twin["sections"] for i in s["items"]]
    assert sentences == [a.get_text() for a in html.select("li[data-kind] > a")]
    change = twin["sections"][0]["items"][0]["statement"]
    assert change["kind"] == "change" and change["figures"]["p_value"] < 0.05
    missing = client.get("/api/v1/pages/veraenderungen?datenstand=gibt-es-nicht")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_an_unknown_release_and_the_english_page(client: TestClient) -> None:
    response = client.get("/veraenderungen?datenstand=gibt-es-nicht")
    assert response.status_code == 404
    assert "gibt-es-nicht" in soup(response.text).select_one("p.note").get_text()
    english = soup(client.get("/veraenderungen?lang=en").text)
    assert english.select_one("h1").get_text() == "What has changed?"
    sentence = english.select_one("li[data-kind=change] a").get_text()
    assert "“SGB II rate”" in sentence and "significantly" in sentence
    options = [o["value"] for o in english.select("select[name=datenstand] option")]
    assert options == [NEW, OLD]


def test_the_start_page_links_the_digest(client: TestClient) -> None:
    start = soup(client.get("/").text)
    assert start.select_one("a[href='/veraenderungen']").get_text() == (
        "Was hat sich verändert?"
    )


def test_the_command_prints_the_statements(digest_db: Engine) -> None:
    url = digest_db.url.render_as_string(hide_password=False)
    code, out, _ = run(url, "release", "digest")
    assert code == 0
    assert "Signifikante Veränderungen gegenüber der Vorperiode" in out
    assert "In Musterdorf 02 ist „SGB-II-Quote“ von 2021 auf 2022" in out
    assert "Geheimer Anteil" not in out
    code, out, _ = run(url, "release", "digest", "--json", "--release", OLD)
    assert code == 0 and json.loads(out)["release"] == OLD
    code, out, err = run(url, "release", "digest", "--release", "nope")
    assert code == 1 and "Traceback" not in err and "nope" in err
    code, out, _ = run(url, "release", "digest", "--internal", "--english")
    assert code == 0 and "“Geheimer Anteil”" in out


def test_the_release_changes_on_the_methods_page_link_the_digest(
    client: TestClient,
) -> None:
    page = soup(client.get(f"/methoden?datenstand={OLD}").text)
    link = page.select_one("a[href^='/veraenderungen']")
    assert link is not None and link["href"] == href(
        "/veraenderungen", "de", datenstand=OLD
    )
    assert client.get(link["href"]).status_code == 200


def test_every_statement_links_a_view_that_shows_its_area(client: TestClient) -> None:
    twin = client.get("/api/v1/pages/veraenderungen").json()
    items = [(s["kind"], i) for s in twin["sections"] for i in s["items"]]
    assert {kind for kind, _ in items} == {
        "change",
        "difference",
        "revision",
        "trend_reversal",
        "hot_spot",
        "outlier",
    }
    for _, item in items:
        target = client.get(item["url"])
        assert target.status_code == 200, item["url"]
        (area,) = item["statement"]["areas"]
        assert area["name"] in target.text, item["url"]
