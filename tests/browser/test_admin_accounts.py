"""An administrator creates an account and reads the audit log in Chromium; axe-core
finds no WCAG 2.1 A/AA violation on the accounts page (with and without field
errors), the one-time answer and the audit log, and the pages keep to the content
security policy."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

from sozialmonitor.access.roles import Role
from sozialmonitor.store.database import connect, init_database
from tests.access.accounts_data import PASSWORD, add_account, code_for
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import DESKTOP
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.live_server import free_port
from tests.web.sign_in_client import portal

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def admin_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Any]]:
    """A portal on a database of its own with one administrator."""
    path = tmp_path_factory.mktemp("admin") / "admin.db"
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    add_account(engine, "chef", Role.ADMINISTRATOR)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(portal(engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", engine
    server.should_exit = True
    thread.join(timeout=5)
    engine.dispose()


def sign_in(page: Any, base: str, engine: Any, offset: int) -> None:
    page.goto(f"{base}/verwaltung/konten")
    page.get_by_label("Benutzername").fill("chef")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    code_field = page.locator("#sign-in-code")
    code_field.fill(code_for(engine, "chef", time.time(), offset))
    code_field.press("Enter")
    page.wait_for_url(f"{base}/verwaltung/konten")


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe(violations)}"


def test_create_an_account_and_read_the_log(
    browser: Any, admin_server: tuple[str, Any]
) -> None:
    base, engine = admin_server
    # bypass_csp: axe is injected as an inline script; the next test checks the
    # pages under the policy.
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, base, engine, 0)
        assert_accessible(page, "accounts page")

        page.locator("#new-name").fill("neu.kollege")
        page.locator("#new-role").select_option("editor")
        page.locator("#new-area").fill("00000000")
        page.get_by_role("button", name="Konto anlegen").click()
        page.locator("#error-new-area").wait_for()
        assert page.locator("#new-name").input_value() == "neu.kollege"
        assert_accessible(page, "accounts page with a field error")

        page.locator("#new-area").fill("")
        page.get_by_role("button", name="Konto anlegen").click()
        page.locator("#initial-password").wait_for()
        assert len(page.locator("ol.recovery-codes li").all()) == 10
        assert_accessible(page, "the new account's one-time answer")

        page.goto(f"{base}/verwaltung")
        page.get_by_role("link", name="Protokoll").click()
        page.wait_for_url(f"{base}/verwaltung/protokoll")
        first = page.locator("table.audit-log tbody tr").first.inner_text()
        assert "account-created" in first and "neu.kollege" in first
        assert_accessible(page, "audit log")
        page.locator("#filter-action").select_option("account-created")
        page.get_by_role("button", name="Filtern").click()
        page.wait_for_url(f"{base}/verwaltung/protokoll?aktion=account-created*")
        assert len(page.locator("table.audit-log tbody tr").all()) == 2
        assert not errors
    finally:
        context.close()


def test_the_pages_keep_to_the_content_security_policy(
    browser: Any, admin_server: tuple[str, Any]
) -> None:
    base, engine = admin_server
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    try:
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        sign_in(page, base, engine, 1)
        page.locator("#new-name").fill("x y")
        page.get_by_role("button", name="Konto anlegen").click()
        page.locator("#error-new-name").wait_for()
        page.wait_for_timeout(200)
        assert page.evaluate("window.__cspViolations") == []
        page.goto(f"{base}/verwaltung/protokoll")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
