"""What the sign-in and the administration refuse: CSRF, cross-site posts, session
fixation, brute force, timed-out sessions; and that anonymous visitors get no
cookie — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from sozialmonitor.access import accounts, audit, ratelimit
from sozialmonitor.access.roles import Role
from sozialmonitor.store.schema import account_session
from sozialmonitor.web.session import SECURE_COOKIE
from tests.access.accounts_data import add_account
from tests.fixtures import REGION, TOWNS
from tests.web.sign_in_client import (
    COOKIE,
    hidden,
    page,
    password_step,
    portal,
    sign_in,
)

JAR_DOMAIN = "testserver.local"
"""Where the cookie jar files cookies of http://testserver (a host without a dot)."""


@pytest.fixture
def client(engine: Engine) -> TestClient:
    add_account(engine, "anna", Role.READER)
    add_account(engine, "chef", Role.ADMINISTRATOR)
    return TestClient(portal(engine), follow_redirects=False)


def role_of(engine: Engine, name: str) -> Role:
    with engine.connect() as conn:
        return accounts.get(conn, name).role


@pytest.mark.parametrize("token", [None, "", "wrong-token"])
def test_post_without_the_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, engine: Engine, token: str | None
) -> None:
    sign_in(client, engine, "chef")
    form = {"name": "anna", "role": "administrator"}
    if token is not None:
        form["csrf"] = token
    refused = client.post("/verwaltung/konten/rolle", data=form)
    assert refused.status_code == 403
    assert role_of(engine, "anna") is Role.READER
    out = client.post("/abmelden", data={} if token is None else {"csrf": token})
    assert out.status_code == 403
    assert client.get("/verwaltung").status_code == 200  # still signed in


def test_the_csrf_token_of_another_session_is_refused(
    client: TestClient, engine: Engine
) -> None:
    other = TestClient(client.app, follow_redirects=False)
    sign_in(other, engine, "anna")
    foreign = hidden(other.get("/verwaltung"), "csrf")
    sign_in(client, engine, "chef", offset=1)
    refused = client.post(
        "/verwaltung/konten/rolle",
        data={"csrf": foreign, "name": "anna", "role": "editor"},
    )
    assert refused.status_code == 403
    assert role_of(engine, "anna") is Role.READER


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
    ],
)
def test_cross_site_posts_are_refused_even_with_the_token(
    client: TestClient, engine: Engine, headers: dict[str, str]
) -> None:
    sign_in(client, engine, "chef")
    token = hidden(client.get("/verwaltung/konten"), "csrf")
    refused = client.post(
        "/verwaltung/konten/rolle",
        data={"csrf": token, "name": "anna", "role": "editor"},
        headers=headers,
    )
    assert refused.status_code == 403
    assert role_of(engine, "anna") is Role.READER
    # A cross-site sign-in (login CSRF) is refused too.
    login = client.post(
        "/anmelden",
        data={"step": "password", "name": "anna", "password": "x"},
        headers=headers,
    )
    assert login.status_code == 403


def test_same_origin_post_with_the_token_is_accepted(
    client: TestClient, engine: Engine
) -> None:
    sign_in(client, engine, "chef")
    token = hidden(client.get("/verwaltung/konten"), "csrf")
    done = client.post(
        "/verwaltung/konten/rolle",
        data={"csrf": token, "name": "anna", "role": "editor"},
        headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"},
    )
    assert done.status_code == 303
    assert role_of(engine, "anna") is Role.EDITOR


def test_session_fixation_a_cookie_from_before_is_not_the_one_after(
    client: TestClient, engine: Engine
) -> None:
    planted = "attacker-chosen-session-id"
    client.cookies.set(COOKIE, planted, domain=JAR_DOMAIN)
    done = sign_in(client, engine, "anna")
    assert done.status_code == 303
    assert client.cookies[COOKIE] != planted
    # Signing in again while signed in also rotates, and ends the old session.
    before = client.cookies[COOKIE]
    sign_in(client, engine, "anna", offset=1)
    after = client.cookies[COOKIE]
    assert after != before
    stale = TestClient(client.app, follow_redirects=False)
    stale.cookies.set(COOKIE, before, domain=JAR_DOMAIN)
    assert stale.get("/verwaltung").status_code == 303
    with engine.connect() as conn:
        assert len(conn.execute(select(account_session)).all()) == 1


def test_brute_force_locks_and_does_not_say_why(
    client: TestClient, engine: Engine
) -> None:
    for _ in range(ratelimit.ACCOUNT_LIMIT):
        assert password_step(client, "anna", "geraten!").status_code == 400
    locked = password_step(client, "anna")  # the right password, too late
    assert locked.status_code == 429
    assert not locked.headers.get("set-cookie")
    assert not page(locked).select("input[name=pending]")
    message = page(locked).select_one("[role=alert]").get_text(strip=True)
    # An unknown name locks with the very same message.
    for _ in range(ratelimit.ACCOUNT_LIMIT):
        password_step(client, "niemand", "geraten!")
    unknown = password_step(client, "niemand", "geraten!")
    assert unknown.status_code == 429
    assert page(unknown).select_one("[role=alert]").get_text(strip=True) == message
    assert message.startswith("Zu viele fehlgeschlagene Anmeldeversuche")
    with engine.connect() as conn:
        locks = audit.events(conn, action="sign-in-locked")
    assert [e.actor for e in locks] == ["anna", "niemand"]


def _age_session(engine: Engine, **ago: dt.timedelta) -> None:
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            update(account_session).values(
                **{column: now - delta for column, delta in ago.items()}
            )
        )


def test_idle_timeout_signs_out(client: TestClient, engine: Engine) -> None:
    sign_in(client, engine, "anna")
    _age_session(engine, last_seen_at=dt.timedelta(minutes=29))
    assert client.get("/verwaltung").status_code == 200
    _age_session(engine, last_seen_at=dt.timedelta(minutes=31))
    assert client.get("/verwaltung").status_code == 303


def test_absolute_timeout_signs_out_an_active_session(
    client: TestClient, engine: Engine
) -> None:
    sign_in(client, engine, "anna")
    _age_session(engine, created_at=dt.timedelta(hours=11, minutes=59))
    assert client.get("/verwaltung").status_code == 200
    _age_session(
        engine,
        created_at=dt.timedelta(hours=12, minutes=1),
        last_seen_at=dt.timedelta(minutes=1),
    )
    assert client.get("/verwaltung").status_code == 303


def test_over_https_the_cookie_is_secure_with_the_host_prefix(engine: Engine) -> None:
    add_account(engine, "anna")
    client = TestClient(
        portal(engine, secure=True),
        base_url="https://testserver",
        follow_redirects=False,
    )
    sign_in(client, engine, "anna")
    cookie = client.cookies.jar
    (only,) = list(cookie)
    assert only.name == SECURE_COOKIE and only.secure and only.path == "/"
    assert not only.domain_specified
    assert client.get("/verwaltung").status_code == 200


PUBLIC_PAGES = [
    "/",
    "/?lang=en",
    "/thema",
    "/thema/arbeit",
    "/indikator/unemployment_share",
    "/indikator/unemployment_share?ansicht=tabelle",
    "/gebiet",
    f"/gebiet/{REGION}",
    f"/vergleich?gebiete={TOWNS[0]}&gebiete={TOWNS[1]}",
    "/methoden",
    "/suche?q=Arbeit",
    "/gebiet/00000",
    "/anmelden",
    "/anmelden?lang=en",
    "/verwaltung",
    "/api/v1/indicators",
    f"/api/v1/pages/gebiet/{REGION}",
]


def test_anonymous_responses_set_no_cookie(small_engine: Engine) -> None:
    client = TestClient(portal(small_engine), follow_redirects=False)
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code in (200, 303, 404), path
        assert "set-cookie" not in response.headers, path
    refused = password_step(client, "niemand", "falsch")
    assert "set-cookie" not in refused.headers
    assert not client.cookies
