"""Signing in with password and TOTP in Chromium, the administration, signing out;
axe-core finds no WCAG 2.1 A/AA violation on the sign-in steps and /verwaltung."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from sozialmonitor.access.roles import Role
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.web.session import DEVELOPMENT_COOKIE
from tests.access.accounts_data import PASSWORD, add_account, code_for
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import DESKTOP, serving
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.web.sign_in_client import portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def accounts_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Any]]:
    """A portal on a database of its own with one reader, over plain http (the
    development cookie)."""
    path = tmp_path_factory.mktemp("accounts") / "accounts.db"
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    add_account(engine, "anna", Role.READER, area="03241001")
    with serving(portal(engine)) as base:
        yield base, engine
    engine.dispose()


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe(violations)}"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_sign_in_with_password_and_totp_and_out_again(
    browser: Any, accounts_server: tuple[str, Any], lang: str
) -> None:
    base, engine = accounts_server
    # bypass_csp: axe is injected as an inline script (test_csp.py checks the pages
    # under the policy).
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        suffix = "?lang=en" if lang == "en" else ""
        page.goto(f"{base}/verwaltung{suffix}")
        assert page.url.startswith(f"{base}/anmelden?weiter=%2Fverwaltung")
        assert context.cookies() == []
        assert_accessible(page, "sign-in form")

        page.get_by_label("Account name" if lang == "en" else "Benutzername").fill(
            "anna"
        )
        page.get_by_label("Password" if lang == "en" else "Passwort").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        code_field = page.locator("#sign-in-code")
        code_field.wait_for()
        assert context.cookies() == []  # half signed in: still no cookie
        assert_accessible(page, "second-factor form")

        # A second sign-in in the same 30 s step needs the next step's code.
        offset = 1 if lang == "en" else 0
        code_field.fill(code_for(engine, "anna", time.time(), offset))
        code_field.press("Enter")
        page.wait_for_url(f"{base}/verwaltung{suffix}")
        (cookie,) = context.cookies()
        assert cookie["name"] == DEVELOPMENT_COOKIE
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert cookie["path"] == "/"
        facts = page.locator("dl.account dd").all_inner_texts()
        assert facts[0] == "anna" and facts[2] == "03241001"
        assert_accessible(page, "administration")
        assert page.evaluate("document.cookie") == ""  # HttpOnly: out of scripts' reach

        page.locator("form.sign-out button").click()
        page.wait_for_url(f"{base}/{suffix}")
        assert context.cookies() == []
        page.goto(f"{base}/verwaltung")
        assert "/anmelden" in page.url
        assert not errors
    finally:
        context.close()


def test_the_sign_in_form_works_under_the_content_security_policy(
    browser: Any, accounts_server: tuple[str, Any]
) -> None:
    base, _engine = accounts_server
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    try:
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        response = page.goto(f"{base}/anmelden")
        assert response is not None and response.status == 200
        assert "unsafe" not in (response.header_value("content-security-policy") or "")
        page.get_by_label("Benutzername").fill("niemand")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
