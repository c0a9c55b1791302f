"""Signing in through OpenID Connect against a real provider on 127.0.0.1
(``tests/oidc_provider.py``), on SQLite and PostgreSQL: the whole way through the
portal's routes, with the provider erring or lying in every way the portal must
notice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from httpx import Response
from joserfc.jwk import RSAKey
from sqlalchemy import Engine, select, update

from sozialmonitor.access import accounts, audit
from sozialmonitor.access.oidc.provider import Provider
from sozialmonitor.access.oidc.settings import CALLBACK_PATH, OidcSettings
from sozialmonitor.access.roles import Role
from sozialmonitor.access.sessions import id_hash
from sozialmonitor.store.schema import account, account_session, oidc_login
from tests.access.accounts_data import PASSWORD, add_account
from tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    IdentityProvider,
    new_keys,
    running,
    unsigned,
)
from tests.web.sign_in_client import COOKIE, page, portal, sign_in

PORTAL = "http://testserver"
BINDING = "sozialmonitor-oidc"
ANNA = {"sub": "kc-0001", "preferred_username": "anna", "amr": ["pwd", "otp"]}


@pytest.fixture(scope="module")
def keys() -> tuple[RSAKey, RSAKey]:
    return new_keys()


@pytest.fixture
def idp(keys: tuple[RSAKey, RSAKey]) -> Iterator[IdentityProvider]:
    provider = IdentityProvider(
        key=keys[0],
        other_key=keys[1],
        redirect_uri=PORTAL + CALLBACK_PATH,
        user=dict(ANNA),
    )
    with running(provider):
        yield provider


def settings(idp: IdentityProvider, **changes: Any) -> OidcSettings:
    base = OidcSettings(
        issuer=idp.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        redirect_uri=PORTAL + CALLBACK_PATH,
        display_name="Keycloak der Stadt",
    )
    return dataclasses.replace(base, **changes).checked()


def client_for(engine: Engine, oidc: OidcSettings | None) -> TestClient:
    app = portal(engine)
    app.state.oidc = Provider(oidc) if oidc else None
    return TestClient(app, follow_redirects=False)


@pytest.fixture
def client(engine: Engine, idp: IdentityProvider) -> TestClient:
    add_account(engine, "anna", Role.READER, area="03241001")
    return client_for(engine, settings(idp))


def start(client: TestClient, weiter: str = "/verwaltung") -> Response:
    response = client.get("/anmelden/oidc", params={"weiter": weiter})
    assert response.status_code == 303, response.text
    return response


def at_provider(location: str) -> str:
    """The browser at the provider's authorization endpoint: where it is sent back."""
    answer = httpx.get(location, follow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back: str = answer.headers["location"]
    assert back.startswith(PORTAL + CALLBACK_PATH)
    return back.removeprefix(PORTAL)


def sign_in_oidc(client: TestClient, weiter: str = "/verwaltung") -> Response:
    return client.get(at_provider(start(client, weiter).headers["location"]))


def cookies_set(response: Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def session_cookie(response: Response) -> str:
    found = [c for c in cookies_set(response) if c.startswith(f"{COOKIE}=")]
    assert len(found) == 1, cookies_set(response)
    return found[0]


def last_event(engine: Engine) -> audit.AuditEvent:
    with engine.connect() as conn:
        return audit.events(conn)[-1]


def refused(client: TestClient, response: Response, reason: str) -> None:
    """The answer is a redirect to the failure page for ``reason``, without a
    session; the page says what happened, in German."""
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert urlsplit(location).path == "/anmelden/oidc/fehler"
    assert parse_qs(urlsplit(location).query)["grund"] == [reason]
    assert not any(c.startswith(f"{COOKIE}=") for c in cookies_set(response))
    shown = client.get(location)
    assert shown.status_code in (400, 403, 502, 503)
    doc = page(shown)
    assert doc.select_one("h1").get_text() == "Anmeldung nicht möglich"
    assert doc.select_one("[role=alert]").get_text(strip=True)
    assert "Traceback" not in shown.text
    assert client.get("/verwaltung").status_code == 303


def failed(engine: Engine, reason: str) -> audit.AuditEvent:
    event = last_event(engine)
    assert event.action == "sign-in-failed"
    assert event.detail["method"] == "oidc"
    assert event.detail["reason"] == reason, event.detail
    return event


# --- the sign-in page ----------------------------------------------------------------


def test_sign_in_page_offers_the_provider_only_when_configured(
    client: TestClient, engine: Engine
) -> None:
    doc = page(client.get("/anmelden?weiter=/verwaltung/konten"))
    button = doc.select_one("a#sign-in-oidc")
    assert button is not None
    assert button.get_text() == "Mit Keycloak der Stadt anmelden"
    assert button["href"] == "/anmelden/oidc?weiter=%2Fverwaltung%2Fkonten"
    english = page(client.get("/anmelden?lang=en")).select_one("a#sign-in-oidc")
    assert english.get_text() == "Sign in with Keycloak der Stadt"
    plain = client_for(engine, None)
    assert page(plain.get("/anmelden")).select_one("a#sign-in-oidc") is None
    assert plain.get("/anmelden/oidc").status_code == 404
    assert plain.get("/anmelden/oidc/rueckkehr?state=x&code=y").status_code == 404


# --- the way through -----------------------------------------------------------------


def test_sign_in_through_the_provider(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    begun = start(client, "/verwaltung?lang=en")
    # The only cookie before signing in: the binding, on the OIDC paths only.
    (binding,) = cookies_set(begun)
    assert binding.startswith(f"{BINDING}=")
    attributes = {a.strip().lower() for a in binding.split(";")[1:]}
    assert {"httponly", "path=/anmelden/oidc", "samesite=lax", "max-age=600"} <= (
        attributes
    )
    query = parse_qs(urlsplit(begun.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [PORTAL + CALLBACK_PATH]
    assert query["scope"] == ["openid profile email"]
    assert len(query["state"][0]) >= 43 and len(query["nonce"][0]) >= 43
    assert len(query["code_challenge"][0]) == 43
    with engine.connect() as conn:
        stored = conn.execute(select(oidc_login)).one()
    # Stored server-side, the state only as a hash.
    assert stored.state_hash != query["state"][0] and stored.nonce == query["nonce"][0]

    done = client.get(at_provider(begun.headers["location"]))
    assert done.status_code == 200, last_event(engine)
    assert done.headers["cache-control"] == "no-store"
    cookie = session_cookie(done)
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert any(
        c.startswith(f'{BINDING}=""') and "Max-Age=0" in c for c in cookies_set(done)
    )
    refresh = page(done).select_one('meta[http-equiv="refresh"]')
    assert refresh["content"] == "0; url=/verwaltung?lang=en"
    assert page(done).select_one("main a")["href"] == "/verwaltung?lang=en"

    admin = client.get("/verwaltung")
    assert admin.status_code == 200
    assert "anna" in page(admin).select_one("dl.account").get_text()
    event = last_event(engine)
    assert event.action == "sign-in" and event.actor == "anna"
    assert event.detail == {"method": "oidc", "factor": "amr:otp", "issuer": idp.issuer}
    with engine.connect() as conn:
        linked = conn.execute(select(account).where(account.c.name == "anna")).one()
        assert conn.execute(select(oidc_login)).first() is None
    assert (linked.oidc_issuer, linked.oidc_subject) == (idp.issuer, "kc-0001")
    assert idp.token_requests == 1


def test_signing_in_rotates_the_session_id(client: TestClient, engine: Engine) -> None:
    back = at_provider(start(client).headers["location"])
    # Meanwhile signed in with password and code (in another tab, say).
    before = session_cookie(sign_in(client, engine, "anna"))
    old_id = before.split(";")[0].split("=", 1)[1]
    after = session_cookie(client.get(back))
    new_id = after.split(";")[0].split("=", 1)[1]
    assert new_id != old_id
    with engine.connect() as conn:
        hashes = set(conn.scalars(select(account_session.c.id_hash)))
    assert id_hash(old_id) not in hashes and id_hash(new_id) in hashes


def test_a_linked_account_is_found_by_its_subject(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    sign_in_oidc(client)
    client.cookies.clear()
    idp.user = {**ANNA, "preferred_username": "anna.neu"}  # renamed at the provider
    assert sign_in_oidc(client).status_code == 200
    assert last_event(engine).actor == "anna"


# --- state, binding, expiry ----------------------------------------------------------


def test_wrong_state_is_refused(client: TestClient, engine: Engine) -> None:
    back = at_provider(start(client).headers["location"])
    forged = back.replace("state=", "state=x")
    refused(client, client.get(forged), "expired")
    failed(engine, "expired")


def test_a_state_is_used_once(client: TestClient, engine: Engine) -> None:
    back = at_provider(start(client).headers["location"])
    assert client.get(back).status_code == 200
    client.cookies.clear()
    refused(client, client.get(back), "expired")
    assert failed(engine, "expired").detail["detail"] == "state unknown or used"


def test_an_expired_sign_in_is_refused(client: TestClient, engine: Engine) -> None:
    back = at_provider(start(client).headers["location"])
    with engine.begin() as conn:
        conn.execute(
            update(oidc_login).values(
                created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=11)
            )
        )
    refused(client, client.get(back), "expired")
    assert failed(engine, "expired").detail["detail"] == "state expired"


def test_a_sign_in_started_in_another_browser_is_refused(
    client: TestClient, engine: Engine
) -> None:
    back = at_provider(start(client).headers["location"])
    other = TestClient(client.app, follow_redirects=False)
    refused(other, other.get(back), "expired")
    assert "binding" in failed(engine, "expired").detail["detail"]


# --- the ID token --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "detail"),
    [
        ({"nonce": None}, "nonce"),
        ({"nonce": "eine-andere-nonce"}, "nonce"),
        ({"aud": "ein-anderer-client"}, "aud"),
        ({"aud": [CLIENT_ID, "ein-anderer-client"]}, "azp"),
        ({"iss": "https://login.example.org/realms/test"}, "iss"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 4000}, "exp"),
        ({"iat": int(time.time()) - 7200}, "issued too long ago"),
        ({"sub": None}, "sub"),
    ],
)
def test_an_id_token_that_fails_a_check_is_refused(
    client: TestClient,
    engine: Engine,
    idp: IdentityProvider,
    override: dict[str, Any],
    detail: str,
) -> None:
    idp.claims_override = override
    refused(client, sign_in_oidc(client), "invalid-token")
    assert detail in failed(engine, "invalid-token").detail["detail"]


def test_several_audiences_need_the_client_as_authorised_party(
    client: TestClient, idp: IdentityProvider
) -> None:
    idp.claims_override = {"aud": [CLIENT_ID, "andere"], "azp": CLIENT_ID}
    assert sign_in_oidc(client).status_code == 200


def test_a_forged_signature_is_refused(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    idp.sign = idp.forged
    refused(client, sign_in_oidc(client), "invalid-token")
    assert "signature" in failed(engine, "invalid-token").detail["detail"]


def test_an_unsigned_token_is_refused(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    idp.sign = unsigned
    refused(client, sign_in_oidc(client), "invalid-token")
    assert "signature" in failed(engine, "invalid-token").detail["detail"]


def test_keys_rotated_by_the_provider_are_read_again(
    client: TestClient, idp: IdentityProvider
) -> None:
    assert sign_in_oidc(client).status_code == 200  # the keys are cached now
    client.cookies.clear()
    idp.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-2"})
    assert sign_in_oidc(client).status_code == 200


def test_a_code_is_exchanged_once(client: TestClient, engine: Engine) -> None:
    first = at_provider(start(client).headers["location"])
    assert client.get(first).status_code == 200
    code = parse_qs(urlsplit(first).query)["code"][0]
    client.cookies.clear()
    second = at_provider(start(client).headers["location"])
    state = parse_qs(urlsplit(second).query)["state"][0]
    reused = client.get(CALLBACK_PATH, params={"state": state, "code": code})
    refused(client, reused, "token-refused")
    assert failed(engine, "token-refused").detail["detail"] == "token: invalid_grant"


def test_client_secret_post_when_the_provider_asks_for_it(
    engine: Engine, idp: IdentityProvider
) -> None:
    idp.auth_method = "client_secret_post"
    add_account(engine, "anna", Role.READER)
    client = client_for(engine, settings(idp))
    assert sign_in_oidc(client).status_code == 200


# --- the second factor ---------------------------------------------------------------


def test_no_second_factor_is_refused_by_default(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    idp.user = {**ANNA, "amr": ["pwd"]}
    refused(client, sign_in_oidc(client), "no-second-factor")
    assert failed(engine, "no-second-factor").actor == "anna"


def test_no_second_factor_is_accepted_when_not_required(
    engine: Engine, idp: IdentityProvider
) -> None:
    add_account(engine, "anna", Role.READER)
    idp.user = {key: value for key, value in ANNA.items() if key != "amr"}
    client = client_for(engine, settings(idp, require_mfa=False))
    assert sign_in_oidc(client).status_code == 200
    assert last_event(engine).detail["factor"] == "not-required"


def test_a_configured_acr_counts_as_second_factor(
    engine: Engine, idp: IdentityProvider
) -> None:
    add_account(engine, "anna", Role.READER)
    idp.user = {**ANNA, "amr": ["pwd"], "acr": "gold"}
    client = client_for(engine, settings(idp, acr="gold"))
    location = start(client).headers["location"]
    assert parse_qs(urlsplit(location).query)["acr_values"] == ["gold"]
    assert client.get(at_provider(location)).status_code == 200
    assert last_event(engine).detail["factor"] == "acr:gold"


# --- accounts and roles --------------------------------------------------------------


def test_role_comes_from_the_claim_when_configured(
    engine: Engine, idp: IdentityProvider
) -> None:
    add_account(engine, "anna", Role.READER, area="03241001")
    idp.user = {**ANNA, "groups": ["mitarbeitende", "sm-editor"]}
    oidc = settings(
        idp,
        role_claim="groups",
        role_map={"sm-editor": Role.EDITOR, "sm-admin": Role.ADMINISTRATOR},
    )
    client = client_for(engine, oidc)
    assert sign_in_oidc(client).status_code == 200
    with engine.connect() as conn:
        anna = accounts.get(conn, "anna")
        changed = audit.events(conn, action="role-changed")[-1]
    assert anna.role is Role.EDITOR and anna.area_code == "03241001"
    assert changed.detail == {"from": "reader", "to": "editor"}
    client.cookies.clear()
    idp.user = {**ANNA, "groups": ["mitarbeitende"]}
    refused(client, sign_in_oidc(client), "no-role")
    failed(engine, "no-role")


def test_an_unknown_account_is_refused(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    idp.user = {**ANNA, "sub": "kc-0002", "preferred_username": "bert"}
    refused(client, sign_in_oidc(client), "no-account")
    assert failed(engine, "no-account").actor == "bert"
    with engine.connect() as conn:
        assert accounts.find(conn, "bert") is None


def test_a_disabled_account_is_refused(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        accounts.disable(conn, "anna")
    refused(client, sign_in_oidc(client), "no-account")
    with engine.connect() as conn:  # nothing written: not even the link
        assert (
            conn.execute(
                select(account.c.oidc_subject).where(account.c.name == "anna")
            ).scalar()
            is None
        )


def test_an_unknown_account_is_created_when_configured(
    engine: Engine, idp: IdentityProvider
) -> None:
    idp.user = {
        **ANNA,
        "sub": "kc-0002",
        "preferred_username": "Bert",
        "roles": "sm-ed",
    }
    oidc = settings(
        idp, role_claim="roles", role_map={"sm-ed": Role.EDITOR}, create_accounts=True
    )
    client = client_for(engine, oidc)
    assert sign_in_oidc(client).status_code == 200
    with engine.connect() as conn:
        bert = accounts.get(conn, "bert")
        created = audit.events(conn, action="account-created")[-1]
        # It has no password: the provider is the only way in.
        assert accounts.check_password(conn, "bert", PASSWORD) is None
    assert bert.role is Role.EDITOR and bert.area_code is None
    assert created.detail["method"] == "oidc"


# --- the provider answers with an error, or not at all -------------------------------


def test_the_provider_refusing_is_shown_plainly(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    idp.deny = "access_denied"
    answer = sign_in_oidc(client)
    refused(client, answer, "denied")
    shown = client.get(answer.headers["location"])
    assert shown.status_code == 403
    assert page(shown).select_one("[role=alert]").get_text(strip=True) == (
        "Die Anmeldung bei Keycloak der Stadt wurde abgebrochen oder abgelehnt."
    )
    assert failed(engine, "denied").detail["detail"] == "access_denied"
    assert idp.token_requests == 0


def test_the_failure_page_speaks_english_when_started_in_english(
    client: TestClient, idp: IdentityProvider
) -> None:
    idp.deny = "access_denied"
    begun = client.get("/anmelden/oidc?lang=en")
    answer = client.get(at_provider(begun.headers["location"]))
    assert answer.headers["location"] == "/anmelden/oidc/fehler?grund=denied&lang=en"
    shown = page(client.get(answer.headers["location"]))
    assert shown.select_one("h1").get_text() == "Sign-in not possible"
    assert shown.select_one("[role=alert]").get_text(strip=True) == (
        "The sign-in at Keycloak der Stadt was cancelled or refused."
    )


def test_a_provider_with_another_issuer_is_not_used(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    idp.discovery_override = {"issuer": "https://login.example.org/realms/test"}
    answer = client.get("/anmelden/oidc")
    assert answer.status_code == 502
    assert "set-cookie" not in answer.headers
    assert "nicht verwendbar" in page(answer).select_one("[role=alert]").get_text()
    assert "issuer" in failed(engine, "provider-error").detail["detail"]


def test_an_oversized_answer_from_the_provider_is_not_read(
    client: TestClient, engine: Engine, idp: IdentityProvider
) -> None:
    idp.discovery_override = {"padding": "x" * 1_000_000}
    answer = client.get("/anmelden/oidc")
    assert answer.status_code == 502
    assert failed(engine, "provider-error").detail["detail"] == "response too large"


def test_an_unreachable_provider_is_said_so_in_bounded_time(engine: Engine) -> None:
    import socket

    silent = socket.socket()  # listens, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connection refused
    try:
        for sock in (silent, closed):
            port = sock.getsockname()[1]
            oidc = OidcSettings(
                issuer=f"http://127.0.0.1:{port}/realms/test",
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                redirect_uri=PORTAL + CALLBACK_PATH,
            )
            app = portal(engine)
            app.state.oidc = Provider(oidc, timeout=1.0)
            client = TestClient(app, follow_redirects=False)
            began = time.monotonic()
            answer = client.get("/anmelden/oidc")
            assert time.monotonic() - began < 5
            assert answer.status_code == 503
            assert "set-cookie" not in answer.headers
            message = page(answer).select_one("[role=alert]").get_text()
            assert "nicht erreichbar" in message
            assert "Traceback" not in answer.text
            failed(engine, "unavailable")
    finally:
        silent.close()
        closed.close()


# --- cookies for anonymous visitors --------------------------------------------------


def test_anonymous_visitors_get_no_cookie_but_from_the_oidc_start(
    client: TestClient,
) -> None:
    for path in (
        "/",
        "/anmelden",
        "/anmelden/oidc/fehler?grund=expired",
        "/anmelden/oidc/fehler?grund=unsinn",
        CALLBACK_PATH,
    ):
        response = client.get(path)
        assert "set-cookie" not in response.headers, path
    assert cookies_set(client.get("/anmelden/oidc"))[0].startswith(f"{BINDING}=")


def test_over_https_the_binding_cookie_is_secure(
    engine: Engine, idp: IdentityProvider
) -> None:
    app = portal(engine, secure=True)
    app.state.oidc = Provider(settings(idp))
    client = TestClient(app, follow_redirects=False)
    (binding,) = cookies_set(start(client))
    attributes = {a.strip().lower() for a in binding.split(";")[1:]}
    assert binding.startswith("__Secure-sozialmonitor-oidc=")
    assert {"secure", "httponly", "samesite=lax", "path=/anmelden/oidc"} <= attributes
