"""Signing in through the forms, the administration's gate, signing out — on
SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Role
from sozialmonitor.store.schema import account_session
from tests.access.accounts_data import add_account, code_for
from tests.web.sign_in_client import (
    COOKIE,
    code_step,
    hidden,
    page,
    password_step,
    portal,
    sign_in,
)


@pytest.fixture
def client(engine: Engine) -> TestClient:
    add_account(engine, "anna", Role.READER, area="03241001")
    add_account(engine, "chef", Role.ADMINISTRATOR)
    return TestClient(portal(engine), follow_redirects=False)


def actions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [e.action for e in audit.events(conn)]


def test_sign_in_form_is_accessible_and_sets_no_cookie(client: TestClient) -> None:
    response = client.get("/anmelden")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    doc = page(response)
    form = doc.select_one("main form[method=post]")
    assert form is not None and form["action"] == "/anmelden"
    name = doc.select_one("#sign-in-name")
    password = doc.select_one("#sign-in-password")
    assert name is not None and password is not None
    assert name["autocomplete"] == "username"
    assert password["autocomplete"] == "current-password"
    assert password["type"] == "password"
    assert doc.select_one("label[for=sign-in-name]") is not None
    assert doc.select_one("label[for=sign-in-password]") is not None
    assert doc.select_one("h1").get_text() == "Anmelden"


def test_english_sign_in_form(client: TestClient) -> None:
    doc = page(client.get("/anmelden?lang=en"))
    assert doc.select_one("h1").get_text() == "Sign in"
    assert doc.select_one("main form")["action"] == "/anmelden?lang=en"


def test_password_then_totp_signs_in_and_shows_the_administration(
    client: TestClient, engine: Engine
) -> None:
    first = password_step(client, "anna", weiter="/verwaltung?lang=en")
    assert first.status_code == 200
    assert "set-cookie" not in first.headers
    doc = page(first)
    code = doc.select_one("#sign-in-code")
    assert code is not None
    assert code["autocomplete"] == "one-time-code" and code["inputmode"] == "numeric"
    assert doc.select_one("#sign-in-recovery") is not None
    # Half signed in is not signed in.
    assert client.get("/verwaltung").status_code == 303
    done = code_step(
        client,
        hidden(first, "pending"),
        code_for(engine, "anna", time.time()),
        weiter=hidden(first, "weiter"),
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/verwaltung?lang=en"
    cookie = done.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    admin = client.get("/verwaltung")
    assert admin.status_code == 200
    assert admin.headers["cache-control"] == "private, no-store"
    facts = {
        dt.get_text(): dd.get_text()
        for dt, dd in zip(
            page(admin).select("dl.account dt"),
            page(admin).select("dl.account dd"),
            strict=True,
        )
    }
    assert facts["Benutzername"] == "anna"
    assert facts["Rolle"] == "Lesen (intern)"
    assert facts["Gebietsbezug"] == "03241001"
    # A reader gets no link to the accounts page.
    assert not page(admin).select('a[href="/verwaltung/konten"]')
    assert actions(engine)[-1] == "sign-in"


def test_wrong_password_and_unknown_name_look_the_same(client: TestClient) -> None:
    wrong = password_step(client, "anna", "falsches Passwort")
    unknown = password_step(client, "niemand", "falsches Passwort")
    assert wrong.status_code == unknown.status_code == 400
    messages = [
        page(r).select_one("[role=alert]").get_text(strip=True)
        for r in (wrong, unknown)
    ]
    assert messages == ["Benutzername oder Passwort ist falsch."] * 2
    assert "set-cookie" not in wrong.headers and "set-cookie" not in unknown.headers
    assert not page(wrong).select("input[name=pending]")


def test_wrong_totp_is_refused(client: TestClient, engine: Engine) -> None:
    first = password_step(client, "anna")
    wrong = code_for(engine, "anna", time.time(), offset=7)
    answer = code_step(client, hidden(first, "pending"), wrong)
    assert answer.status_code == 400
    assert "set-cookie" not in answer.headers
    alert = page(answer).select_one("[role=alert]").get_text(strip=True)
    assert alert == "Der Code ist falsch oder wurde schon verwendet."
    assert client.get("/verwaltung").status_code == 303


def test_totp_replay_is_refused(client: TestClient, engine: Engine) -> None:
    code = code_for(engine, "anna", time.time(), offset=1)
    first = password_step(client, "anna")
    assert code_step(client, hidden(first, "pending"), code).status_code == 303
    other = TestClient(client.app, follow_redirects=False)
    again = password_step(other, "anna")
    replay = code_step(other, hidden(again, "pending"), code)
    assert replay.status_code == 400 and "set-cookie" not in replay.headers


def test_recovery_code_works_once(engine: Engine) -> None:
    codes = add_account(engine, "bert").recovery_codes
    client = TestClient(portal(engine), follow_redirects=False)
    first = password_step(client, "bert")
    assert code_step(client, hidden(first, "pending"), codes[0]).status_code == 303
    other = TestClient(client.app, follow_redirects=False)
    again = password_step(other, "bert")
    assert code_step(other, hidden(again, "pending"), codes[0]).status_code == 400


def test_sign_out_ends_the_session(client: TestClient, engine: Engine) -> None:
    sign_in(client, engine, "anna")
    session_id = client.cookies[COOKIE]
    token = hidden(client.get("/verwaltung"), "csrf")
    out = client.post("/abmelden", data={"csrf": token})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert (
        "Max-Age=0" in out.headers["set-cookie"]
        or "expires=" in out.headers["set-cookie"].lower()
    )
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(account_session)) == 0
    # The old id is worth nothing, even when sent again.
    client.cookies.set(COOKIE, session_id)
    assert client.get("/verwaltung").status_code == 303
    assert actions(engine)[-1] == "sign-out"


def test_anonymous_administration_redirects_to_sign_in(client: TestClient) -> None:
    response = client.get("/verwaltung/konten?lang=en")
    assert response.status_code == 303
    assert response.headers["location"] == (
        "/anmelden?weiter=%2Fverwaltung%2Fkonten%3Flang%3Den&lang=en"
    )
    assert "set-cookie" not in response.headers
    form = client.get(response.headers["location"])
    assert hidden(form, "weiter") == "/verwaltung/konten?lang=en"


def test_reader_is_refused_the_accounts_page_administrator_is_not(
    client: TestClient, engine: Engine
) -> None:
    sign_in(client, engine, "anna")
    refused = client.get("/verwaltung/konten")
    assert refused.status_code == 403
    assert page(refused).select_one("h1").get_text() == "Keine Berechtigung"
    admin = TestClient(client.app, follow_redirects=False)
    sign_in(admin, engine, "chef")
    accounts = admin.get("/verwaltung/konten")
    assert accounts.status_code == 200
    names = [th.get_text() for th in page(accounts).select("table.accounts tbody th")]
    assert names == ["anna", "chef"]


def test_administrator_changes_a_role_and_it_is_audited(
    client: TestClient, engine: Engine
) -> None:
    sign_in(client, engine, "chef")
    token = hidden(client.get("/verwaltung/konten"), "csrf")
    changed = client.post(
        "/verwaltung/konten/rolle",
        data={"csrf": token, "name": "anna", "role": "editor"},
    )
    assert changed.status_code == 303
    rows = page(client.get("/verwaltung/konten")).select("table.accounts tbody tr")
    assert rows[0].select("td")[0].get_text() == "Redaktion"
    with engine.connect() as conn:
        event = audit.events(conn, action="role-changed")[-1]
    assert (event.actor, event.target, event.detail) == (
        "chef",
        "anna",
        {"from": "reader", "to": "editor"},
    )
    assert event.address == "testclient"


@pytest.mark.parametrize(
    "weiter",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
        "\t//evil.example",
    ],
)
def test_weiter_never_leaves_the_site(
    client: TestClient, engine: Engine, weiter: str
) -> None:
    first = password_step(client, "anna", weiter=weiter)
    assert hidden(first, "weiter") == "/verwaltung"
    code = code_for(engine, "anna", time.time())
    done = code_step(client, hidden(first, "pending"), code, weiter=weiter)
    assert done.headers["location"] == "/verwaltung"
