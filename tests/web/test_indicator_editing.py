"""Indicator metadata in the administration: the list, the form, field messages,
optimistic concurrency, min_count through the public API, escaping, audit, roles
— on SQLite and PostgreSQL, through real HTTP requests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Role
from sozialmonitor.store.indicator_edit import stored_indicator
from tests.access.accounts_data import add_account
from tests.fixtures import make_demo_db
from tests.release_data import DRAFT, make_draft
from tests.web.sign_in_client import page, portal, sign_in

LIST = "/verwaltung/indikatoren"
POPULATION = f"{LIST}/population"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'

Client = Callable[[str], TestClient]


@pytest.fixture
def accounts_engine(engine: Engine) -> Engine:
    make_demo_db(engine)
    add_account(engine, "lena", Role.READER)
    add_account(engine, "erika", Role.EDITOR)
    add_account(engine, "udo", Role.EDITOR)
    return engine


@pytest.fixture
def signed_in(accounts_engine: Engine) -> Client:
    app = portal(accounts_engine)

    def client(name: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        assert sign_in(c, accounts_engine, name).status_code == 303
        return c

    return client


def form_of(response_page: BeautifulSoup) -> dict[str, str]:
    """What the browser would send: every field of the edit form as shown."""
    form = response_page.select_one("form.indicator-edit")
    assert form is not None
    data: dict[str, str] = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = str(field["name"])
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = str(chosen["value"])
        else:
            data[name] = str(field.get("value", ""))
    return data


def public_population(client: TestClient, area: str) -> float | None:
    body = client.get(
        "/api/v1/observations",
        params={"indicator": "population", "area": area, "from": "2020", "to": "2020"},
    ).json()
    values = [o["value"] for o in body["observations"]]
    return values[0] if values else None


def test_the_list_filters_by_topic_and_search(signed_in: Client) -> None:
    client = signed_in("erika")
    doc = page(client.get(LIST))
    names = [a.get_text() for a in doc.select("table.indicators tbody th a")]
    assert sorted(names) == ["Arbeitslosenanteil", "Einwohner", "Fallzahl (intern)"]
    topics = [o["value"] for o in doc.select("#indicator-topic option")]
    assert topics == ["", "Allgemein", "Arbeit"]
    by_topic = page(client.get(LIST, params={"thema": "Arbeit"}))
    assert [a.get_text() for a in by_topic.select("table.indicators tbody th a")] == [
        "Arbeitslosenanteil"
    ]
    searched = page(client.get(LIST, params={"q": "einw"}))
    assert [a.get_text() for a in searched.select("table.indicators tbody th a")] == [
        "Einwohner"
    ]


def test_an_editor_changes_the_name_and_the_audit_log_shows_it(
    signed_in: Client, accounts_engine: Engine
) -> None:
    client = signed_in("erika")
    data = form_of(page(client.get(POPULATION)))
    assert data["name"] == "Einwohner" and data["min_count"] == "3"
    data["name"] = "Einwohnerinnen und Einwohner"
    data["definition"] = "Hauptwohnsitz am 31.12."
    saved = client.post(POPULATION, data=data)
    assert saved.status_code == 303
    shown = page(client.get(saved.headers["location"]))
    assert "gespeichert" in shown.select_one("#form-message").get_text()
    assert form_of(shown)["name"] == "Einwohnerinnen und Einwohner"
    anonymous = TestClient(portal(accounts_engine))
    names = {
        i["id"]: i["name"]
        for i in anonymous.get("/api/v1/indicators").json()["indicators"]
    }
    assert names["population"] == "Einwohnerinnen und Einwohner"
    with accounts_engine.connect() as conn:
        event = audit.events(conn, action="indicator-changed")[-1]
    assert (event.actor, event.target, event.address) == (
        "erika",
        "population",
        "testclient",
    )
    assert event.detail["changed"] == {
        "name": {"before": "Einwohner", "after": "Einwohnerinnen und Einwohner"},
        "definition": {"before": "", "after": "Hauptwohnsitz am 31.12."},
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Bitte ausfüllen."),
        ("decimals", "zwei", "Bitte eine ganze Zahl eingeben."),
        ("decimals", "9", "Der Wert darf höchstens 6 sein."),
        ("min_count", "-1", "Der Wert muss mindestens 0 sein."),
        ("polarity", "besser", "Bitte eine der angebotenen Möglichkeiten wählen."),
        ("source", "=HYPERLINK(1)", "Der Text beginnt wie eine Tabellenformel"),
        ("unit", "a\x07b", "Der Text enthält ein Steuerzeichen"),
    ],
)
def test_invalid_fields_get_a_german_message_and_nothing_is_saved(
    signed_in: Client,
    accounts_engine: Engine,
    field: str,
    value: str,
    message: str,
) -> None:
    client = signed_in("erika")
    data = form_of(page(client.get(POPULATION)))
    data[field] = value
    refused = client.post(POPULATION, data=data)
    assert refused.status_code == 422
    doc = page(refused)
    error = doc.select_one(f"#error-{field}")
    assert error is not None and error.get_text().startswith(message)
    assert doc.select_one(f"#field-{field}")["aria-invalid"] == "true"
    assert "Traceback" not in refused.text
    with accounts_engine.connect() as conn:
        assert stored_indicator(conn, "population").name == "Einwohner"
        assert audit.events(conn, action="indicator-changed") == []


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(
    signed_in: Client, accounts_engine: Engine
) -> None:
    erika, udo = signed_in("erika"), signed_in("udo")
    hers = form_of(page(erika.get(POPULATION)))
    his = form_of(page(udo.get(POPULATION)))
    his["name"] = "Bevölkerung"
    assert udo.post(POPULATION, data=his).status_code == 303
    hers["unit"] = "Menschen"
    refused = erika.post(POPULATION, data=hers)
    assert refused.status_code == 409
    assert "Jemand anderes" in page(refused).select_one("#form-message").get_text()
    with accounts_engine.connect() as conn:
        now = stored_indicator(conn, "population")
    assert (now.name, now.unit) == ("Bevölkerung", "Personen")


def test_a_raised_min_count_hides_small_counts_in_the_public_api_at_once(
    signed_in: Client, accounts_engine: Engine
) -> None:
    anonymous = TestClient(portal(accounts_engine))
    assert public_population(anonymous, "03241002") == 20_000
    client = signed_in("erika")
    data = form_of(page(client.get(POPULATION)))
    data["min_count"] = "21000"
    assert client.post(POPULATION, data=data).status_code == 303
    assert public_population(anonymous, "03241002") is None
    assert public_population(anonymous, "03241001") == 300_000


def test_making_an_indicator_internal_hides_it_from_the_public(
    signed_in: Client, accounts_engine: Engine
) -> None:
    anonymous = TestClient(portal(accounts_engine))
    assert anonymous.get("/indikator/population").status_code == 200
    client = signed_in("erika")
    data = form_of(page(client.get(POPULATION)))
    data["visibility"] = "internal"
    assert client.post(POPULATION, data=data).status_code == 303
    ids = {i["id"] for i in anonymous.get("/api/v1/indicators").json()["indicators"]}
    assert "population" not in ids
    assert anonymous.get("/indikator/population").status_code == 404


def test_an_indicator_name_with_markup_is_shown_as_text_everywhere(
    signed_in: Client, accounts_engine: Engine
) -> None:
    make_draft(accounts_engine)
    add_account(accounts_engine, "paul", Role.PUBLISHER)
    client = signed_in("erika")
    data = form_of(page(client.get(POPULATION)))
    data["name"] = XSS
    data["short_name"] = XSS
    assert client.post(POPULATION, data=data).status_code == 303
    anonymous = TestClient(portal(accounts_engine))
    pages = [
        client.get(LIST),
        client.get(POPULATION),
        client.get(f"/verwaltung/veroeffentlichungen/{DRAFT}"),
        anonymous.get("/indikator/population"),
        anonymous.get("/thema"),
        anonymous.get("/methoden"),
    ]
    for response in pages:
        assert response.status_code == 200, response.url
        doc = page(response)
        assert not [s for s in doc.select("script") if "alert" in s.get_text()], (
            response.url
        )
        assert not doc.select("img[onerror]"), response.url
    assert XSS in page(pages[0]).select_one("table.indicators").get_text()


@pytest.mark.parametrize("method", ["get", "post"])
def test_readers_are_refused_and_anonymous_visitors_sent_to_sign_in(
    signed_in: Client, accounts_engine: Engine, method: str
) -> None:
    reader = signed_in("lena")
    token = page(reader.get("/verwaltung")).select_one("input[name=csrf]")["value"]
    for path in (LIST, POPULATION):
        if method == "post" and path == LIST:
            continue
        kwargs = {"data": {"csrf": token, "name": "x"}} if method == "post" else {}
        assert getattr(reader, method)(path, **kwargs).status_code == 403
    anonymous = TestClient(portal(accounts_engine), follow_redirects=False)
    if method == "get":
        away = anonymous.get(POPULATION)
        assert away.status_code == 303 and "set-cookie" not in away.headers
    else:
        assert anonymous.post(POPULATION, data={"name": "x"}).status_code == 403
    with accounts_engine.connect() as conn:
        assert stored_indicator(conn, "population").name == "Einwohner"


def test_a_save_without_the_csrf_token_is_refused(
    signed_in: Client, accounts_engine: Engine
) -> None:
    client = signed_in("erika")
    data = form_of(page(client.get(POPULATION)))
    data["name"] = "Ohne Token"
    del data["csrf"]
    assert client.post(POPULATION, data=data).status_code == 403
    with accounts_engine.connect() as conn:
        assert stored_indicator(conn, "population").name == "Einwohner"


def test_an_unknown_indicator_is_a_clean_404(signed_in: Client) -> None:
    client = signed_in("erika")
    assert client.get(f"{LIST}/gibt-es-nicht").status_code == 404
    token = page(client.get("/verwaltung")).select_one("input[name=csrf]")["value"]
    assert client.post(f"{LIST}/gibt-es-nicht", data={"csrf": token}).status_code == 404
