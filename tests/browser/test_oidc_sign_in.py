"""Signing in through OpenID Connect in Chromium, with the provider on another site
(``localhost``) than the portal (``127.0.0.1``): the provider's redirect back is a
cross-site navigation, and the portal must still end up signed in with its
SameSite=Strict cookie. axe-core finds no WCAG 2.1 A/AA violation on the sign-in
page with the provider's button and on the failure page; neither breaks the CSP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from sozialmonitor.access.oidc.provider import Provider
from sozialmonitor.access.oidc.settings import CALLBACK_PATH, OidcSettings
from sozialmonitor.access.roles import Role
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.web.session import DEVELOPMENT_COOKIE
from tests.access.accounts_data import add_account
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import DESKTOP
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.live_server import free_port
from tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    IdentityProvider,
    new_keys,
    running,
)
from tests.web.sign_in_client import portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def oidc_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, IdentityProvider]]:
    """A portal on 127.0.0.1 whose provider runs on localhost."""
    path = tmp_path_factory.mktemp("oidc") / "oidc.db"
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    add_account(engine, "anna", Role.READER, area="03241001")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    key, other = new_keys()
    idp = IdentityProvider(
        interactive=True,
        key=key,
        other_key=other,
        redirect_uri=base + CALLBACK_PATH,
        user={"sub": "kc-0001", "preferred_username": "anna", "amr": ["pwd", "otp"]},
    )
    with running(idp, host="localhost"):
        app = portal(engine)
        app.state.oidc = Provider(
            OidcSettings(
                issuer=idp.issuer,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                redirect_uri=base + CALLBACK_PATH,
                display_name="Keycloak der Stadt",
            )
        )
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.05)
        yield base, idp
        server.should_exit = True
        thread.join(timeout=5)
    engine.dispose()


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe(violations)}"


def test_sign_in_through_a_provider_on_another_site(
    browser: Any, oidc_server: tuple[str, IdentityProvider]
) -> None:
    base, idp = oidc_server
    idp.deny = ""
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/verwaltung")
        assert context.cookies() == []
        button = page.get_by_role("link", name="Mit Keycloak der Stadt anmelden")
        assert_accessible(page, "sign-in form with the provider's button")
        button.click()
        # At the provider (another site); its link back is a cross-site navigation.
        page.locator("#continue").click()
        page.wait_for_url(f"{base}/verwaltung")
        (cookie,) = context.cookies()  # the binding cookie is gone again
        assert cookie["name"] == DEVELOPMENT_COOKIE
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        facts = page.locator("dl.account dd").all_inner_texts()
        assert facts[0] == "anna" and facts[2] == "03241001"
        assert not errors
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
def test_the_failure_page_is_accessible_and_keeps_the_policy(
    browser: Any, oidc_server: tuple[str, IdentityProvider], lang: str
) -> None:
    base, idp = oidc_server
    idp.deny = "access_denied"
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    try:
        page = context.new_page()
        suffix = "?lang=en" if lang == "en" else ""
        page.goto(f"{base}/anmelden{suffix}")
        name = "Sign in with" if lang == "en" else "Mit"
        page.get_by_role("link", name=f"{name} Keycloak der Stadt").click()
        page.locator("#continue").click()
        page.wait_for_url(f"{base}/anmelden/oidc/fehler?grund=denied*")
        assert page.locator("[role=alert]").inner_text()
        assert context.cookies() == []
        assert_accessible(page, f"failure page ({lang})")
    finally:
        context.close()
        idp.deny = ""
    strict = browser.new_context(viewport=DESKTOP, locale="de-DE")
    try:
        strict.add_init_script(RECORD_VIOLATIONS)
        page = strict.new_page()
        for path in ("/anmelden", "/anmelden/oidc/fehler?grund=denied"):
            page.goto(f"{base}{path}")
            page.wait_for_timeout(100)
            assert page.evaluate("window.__cspViolations") == [], path
    finally:
        strict.close()
