"""In Chromium: a publisher signs in, opens a draft's changes, publishes it after
the confirmation, and the public indicator page shows the new value; axe-core finds
no WCAG 2.1 A/AA violation on the release list, the release page, the indicator
list and the indicator form (with its field errors shown)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from sozialmonitor.access.roles import Role
from sozialmonitor.store.database import connect, init_database
from tests.access.accounts_data import PASSWORD, add_account, code_for
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import DESKTOP, serving
from tests.fixtures import make_demo_db
from tests.release_data import DRAFT, make_draft
from tests.web.sign_in_client import portal

pytestmark = pytest.mark.browser
PUBLIC_TABLE = "/indikator/population?ebene=municipality&ansicht=tabelle"


@pytest.fixture
def release_server(tmp_path: Any) -> Iterator[tuple[str, Any]]:
    """A portal on the small database with a draft and a publisher."""
    engine = connect(f"sqlite:///{tmp_path / 'releases.db'}")
    init_database(engine)
    make_demo_db(engine)
    make_draft(engine)
    add_account(engine, "paul", Role.PUBLISHER)
    with serving(portal(engine)) as base:
        yield base, engine
    engine.dispose()


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe(violations)}"


def population_of(page: Any, area: str) -> str:
    row = page.locator("main table tr", has_text=area).first
    return str(row.inner_text())


def test_a_publisher_publishes_a_draft_and_the_public_page_shows_it(
    browser: Any, release_server: tuple[str, Any]
) -> None:
    base, engine = release_server
    # bypass_csp: axe is injected as an inline script (test_csp.py checks the pages
    # under the policy).
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}{PUBLIC_TABLE}")
        assert "20.100\u202fPersonen" in population_of(page, "Gemeinde 002")

        page.goto(f"{base}/verwaltung/veroeffentlichungen")
        page.get_by_label("Benutzername").fill("paul")
        page.get_by_label("Passwort").fill(PASSWORD)
        page.locator("main form button[type=submit]").click()
        code = page.locator("#sign-in-code")
        code.wait_for()
        code.fill(code_for(engine, "paul", time.time()))
        code.press("Enter")
        page.wait_for_url(f"{base}/verwaltung/veroeffentlichungen")
        assert_accessible(page, "release list")

        page.get_by_role("link", name=DRAFT).click()
        page.wait_for_url(f"{base}/verwaltung/veroeffentlichungen/{DRAFT}")
        assert page.locator("table.release-changes tr.jump").count() == 3
        assert_accessible(page, "release page")

        page.get_by_role("link", name="Veröffentlichen …").click()
        page.wait_for_url(f"**/{DRAFT}/veroeffentlichen")
        assert_accessible(page, "confirmation")
        page.get_by_role("button", name="Jetzt veröffentlichen").click()
        page.wait_for_url(f"**/{DRAFT}?erledigt=veroeffentlicht")
        assert "veröffentlicht" in page.locator("#release-message").inner_text()
        assert_accessible(page, "published release with the withdrawal form")

        page.goto(f"{base}{PUBLIC_TABLE}")
        assert "40.000\u202fPersonen" in population_of(page, "Gemeinde 002")

        page.goto(f"{base}/verwaltung/indikatoren")
        assert_accessible(page, "indicator list")
        page.get_by_role("link", name="Einwohner").click()
        page.wait_for_url(f"{base}/verwaltung/indikatoren/population")
        assert_accessible(page, "indicator form")
        page.get_by_label("Nachkommastellen").fill("zwei")
        page.get_by_label("Name", exact=True).fill("")
        page.get_by_role("button", name="Speichern").click()
        page.locator("#form-message").wait_for()
        assert page.locator(".field-error").count() == 2
        assert_accessible(page, "indicator form with errors")
        assert not errors
    finally:
        context.close()
