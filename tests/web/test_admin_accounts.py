"""Creating accounts in the browser (issue 11): the form on the accounts page, its
one-time answer with the initial password, the second factor's key and the recovery
codes — and that these let the new person sign in. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from sozialmonitor.access import accounts, audit, totp
from sozialmonitor.access.roles import Role
from sozialmonitor.domain.area import Area
from sozialmonitor.store.schema import account, audit_event
from sozialmonitor.store.writes import save_areas
from sozialmonitor.web.nul_refusal import NUL_IN_FORM
from tests.access.accounts_data import add_account
from tests.web.sign_in_client import (
    code_step,
    hidden,
    page,
    password_step,
    portal,
    sign_in,
)

NEW = "/verwaltung/konten/neu"


@pytest.fixture
def client(engine: Engine) -> TestClient:
    add_account(engine, "chef", Role.ADMINISTRATOR)
    add_account(engine, "paula", Role.PUBLISHER)
    return TestClient(portal(engine), follow_redirects=False)


def signed_in(client: TestClient, engine: Engine, name: str = "chef") -> str:
    """Sign ``name`` in; the CSRF token of its session."""
    assert sign_in(client, engine, name).status_code == 303
    return hidden(client.get("/verwaltung"), "csrf")


def counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            int(conn.scalar(select(func.count()).select_from(account)) or 0),
            int(conn.scalar(select(func.count()).select_from(audit_event)) or 0),
        )


def create(client: TestClient, csrf: str, **fields: str) -> object:
    return client.post(NEW, data={"csrf": csrf, "role": "editor", **fields})


def test_the_accounts_page_has_the_new_account_form(
    client: TestClient, engine: Engine
) -> None:
    signed_in(client, engine)
    response = client.get("/verwaltung/konten")
    assert response.status_code == 200
    doc = page(response)
    form = doc.select_one("form.account-new")
    assert form is not None and form["action"] == NEW and form["method"] == "post"
    for field in ("new-name", "new-role", "new-area"):
        assert doc.select_one(f"label[for={field}]") is not None
    roles = [o["value"] for o in doc.select("#new-role option")]
    assert roles == ["reader", "editor", "publisher", "administrator"]
    english = page(client.get("/verwaltung/konten?lang=en"))
    assert english.select_one("#neues-konto").get_text() == "New account"


def test_a_new_account_signs_in_with_what_the_answer_shows(
    client: TestClient, engine: Engine
) -> None:
    csrf = signed_in(client, engine)
    response = client.post(
        NEW, data={"csrf": csrf, "name": "neu.kollegin", "role": "editor"}
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    assert "set-cookie" not in response.headers
    doc = page(response)
    password = doc.select_one("#initial-password").get_text()
    uri = doc.select_one("#totp-uri").get_text()
    secret = doc.select_one("#totp-secret").get_text()
    codes = [c.get_text() for c in doc.select("ol.recovery-codes code")]
    assert uri.startswith("otpauth://totp/")
    assert parse_qs(urlsplit(uri).query)["secret"] == [secret]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert accounts.password_problems("neu.kollegin", password) == ()
    with engine.connect() as conn:
        created = accounts.get(conn, "neu.kollegin")
        event = audit.events(conn, action="account-created")[-1]
    assert created.role is Role.EDITOR and created.area_code is None
    assert (event.actor, event.target, event.address) == (
        "chef",
        "neu.kollegin",
        "testclient",
    )
    # The new person, in another browser, with exactly what was shown.
    other = TestClient(portal(engine), follow_redirects=False)
    first = password_step(other, "neu.kollegin", password)
    assert first.status_code == 200, first.text
    code = totp.code_at(totp.key_of(secret), time.time())
    assert code_step(other, hidden(first, "pending"), code).status_code == 303
    start = page(other.get("/verwaltung"))
    assert "neu.kollegin" in start.select_one("dl.account dd").get_text()
    # A recovery code works as the second factor too.
    third = TestClient(portal(engine), follow_redirects=False)
    again = password_step(third, "neu.kollegin", password)
    assert code_step(third, hidden(again, "pending"), codes[0]).status_code == 303


def test_the_secrets_are_shown_once(client: TestClient, engine: Engine) -> None:
    csrf = signed_in(client, engine)
    shown = create(client, csrf, name="einmal")
    password = page(shown).select_one("#initial-password").get_text()
    # A GET of the form's address shows the form, not the answer.
    back = client.get(NEW)
    assert back.status_code == 303
    assert back.headers["location"] == "/verwaltung/konten#neues-konto"
    form = client.get("/verwaltung/konten")
    assert password not in form.text
    assert page(form).select_one("#initial-password") is None
    # Sending the form again (a reload) creates nothing and shows no secret.
    before = counts(engine)
    again = create(client, csrf, name="einmal")
    assert again.status_code == 422
    assert password not in again.text
    assert page(again).select_one("#initial-password") is None
    assert counts(engine) == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": ""}, "new-name", "Bitte geben Sie einen Benutzernamen ein."),
        ({"name": "Anna Groß"}, "new-name", "Kleinbuchstaben"),
        ({"name": "x" * 101}, "new-name", "1 bis 100 Zeichen"),
        ({"name": "chef"}, "new-name", "gibt es schon"),
        ({"name": "neu", "role": "root"}, "new-role", "eine der Rollen"),
        ({"name": "neu", "role": "anonymous"}, "new-role", "eine der Rollen"),
        ({"name": "neu", "area": "99999999"}, "new-area", "kein Gebiet"),
        ({"name": "neu", "area": "9" * 5000}, "new-area", "kein Gebiet"),
    ],
)
def test_a_wrong_entry_shows_the_form_with_its_message_and_writes_nothing(
    client: TestClient,
    engine: Engine,
    fields: dict[str, str],
    field: str,
    message: str,
) -> None:
    csrf = signed_in(client, engine)
    before = counts(engine)
    response = create(client, csrf, **fields)
    assert response.status_code == 422
    assert "no-store" in response.headers["cache-control"]
    doc = page(response)
    error = doc.select_one(f"#error-{field}")
    assert error is not None and message in error.get_text()
    assert doc.select_one(f"#{field}")["aria-invalid"] == "true"
    assert doc.select_one(f".error-summary a[href='#{field}']") is not None
    assert doc.select_one("#initial-password") is None
    assert counts(engine) == before


@pytest.mark.parametrize("fields", [{"name": "ne\x00u"}, {"area": "03\x0041"}])
def test_a_nul_character_is_refused_before_the_form_and_writes_nothing(
    client: TestClient, engine: Engine, fields: dict[str, str]
) -> None:
    """Refused where every form is read (``web/nul_refusal.py``), as PostgreSQL
    cannot store it."""
    csrf = signed_in(client, engine)
    before = counts(engine)
    response = create(client, csrf, **{"name": "neu", **fields})
    assert response.status_code == 400
    assert response.json()["detail"] == NUL_IN_FORM
    assert counts(engine) == before


def test_an_english_message_names_the_field(client: TestClient, engine: Engine) -> None:
    csrf = signed_in(client, engine)
    response = client.post(
        f"{NEW}?lang=en", data={"csrf": csrf, "name": "neu", "role": "x", "area": "1"}
    )
    doc = page(response)
    assert doc.select_one("#error-new-role").get_text() == (
        "Please choose one of the roles."
    )
    assert doc.select_one("#error-new-area").get_text().startswith("There is no area")


def test_a_script_in_the_name_is_refused_and_shown_as_text(
    client: TestClient, engine: Engine
) -> None:
    csrf = signed_in(client, engine)
    payload = '"><script>alert(1)</script>'
    response = create(client, csrf, name=payload)
    assert response.status_code == 422
    doc = page(response)
    assert doc.select("main script") == []
    assert doc.select_one("#new-name")["value"] == payload
    with engine.connect() as conn:
        assert accounts.find(conn, payload) is None


def test_an_existing_area_scopes_the_account(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        save_areas(conn, [Area(code="03241", name="Region Hannover", level="region")])
    csrf = signed_in(client, engine)
    response = create(client, csrf, name="bezirk", role="reader", area=" 03241 ")
    assert response.status_code == 200
    with engine.connect() as conn:
        assert accounts.get(conn, "bezirk").area_code == "03241"
        assert audit.events(conn, action="account-created")[-1].detail == {
            "area": "03241",
            "role": "reader",
        }


def test_a_publisher_may_not_see_or_create_accounts(
    client: TestClient, engine: Engine
) -> None:
    csrf = signed_in(client, engine, "paula")
    before = counts(engine)
    assert client.get("/verwaltung/konten").status_code == 403
    assert create(client, csrf, name="heimlich").status_code == 403
    assert counts(engine) == before
    start = page(client.get("/verwaltung"))
    assert start.select_one("a[href='/verwaltung/konten']") is None


def test_anonymous_visitors_are_sent_to_sign_in_and_may_not_post(
    client: TestClient, engine: Engine
) -> None:
    response = client.get("/verwaltung/konten")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/anmelden?weiter=")
    assert "set-cookie" not in response.headers
    before = counts(engine)
    refused = client.post(NEW, data={"name": "anonym", "role": "administrator"})
    assert refused.status_code == 403
    assert "set-cookie" not in refused.headers
    assert counts(engine) == before


def test_a_form_without_the_csrf_token_is_refused(
    client: TestClient, engine: Engine
) -> None:
    signed_in(client, engine)
    before = counts(engine)
    assert client.post(NEW, data={"name": "ohne", "role": "reader"}).status_code == 403
    wrong = {"csrf": "falsch", "name": "ohne", "role": "reader"}
    assert client.post(NEW, data=wrong).status_code == 403
    assert counts(engine) == before
