"""Records into a published report, in Chromium (issue 14): an editor signs in,
creates a finding and a recommendation built on it, changes the recommendation's
status, sees both on the linked indicator and area pages, previews the area's
profile report with them and publishes it; a visitor finds the report at
/berichte with its release, and the profile page's PDF link. axe-core finds no
WCAG 2.1 A/AA violation on the new pages at both widths in both languages; the
publishing form works under the content security policy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sozialmonitor.access.roles import Role
from sozialmonitor.store.database import connect, init_database
from tests.access.accounts_data import add_account
from tests.browser.conftest import DESKTOP, VIEWPORTS, screenshot, serving
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.browser.test_recommendation_editing import NEW, fill
from tests.browser.test_upload import assert_accessible, sign_in
from tests.fixtures import FIRST_RELEASE, TOWNS, make_demo_db
from tests.web.sign_in_client import portal

pytestmark = pytest.mark.browser

FINDING = "Beispiel: Wege zur Beratung sind weit"
ADVICE = "Beispiel: Beratung vor Ort"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The small database with one editor, served over plain http."""
    engine = connect(f"sqlite:///{tmp_path / 'reports.db'}")
    init_database(engine)
    make_demo_db(engine)
    add_account(engine, "erika", Role.EDITOR)
    with serving(portal(engine)) as base:
        yield base, engine
    engine.dispose()


def create_records(page: Any, base: str) -> None:
    """A public finding and a recommendation built on it, its status advanced."""
    page.goto(f"{base}{NEW}?art=finding")
    fill(
        page,
        {
            "code": "E-7",
            "title": FINDING,
            "text": "Die Gruppe nennt weite Wege.",
            "visibility": "öffentlich",
            "topic": "Arbeit",
            "indicators": "unemployment_share",
            "areas": TOWNS[0],
            "source_kind": "Fokusgruppe",
            "participants": "12",
        },
    )
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url("**/empfehlungen/E-7?gespeichert=1")
    page.goto(f"{base}{NEW}?art=recommendation")
    fill(
        page,
        {
            "code": "H-7",
            "title": ADVICE,
            "text": "Sprechstunden in den Stadtteilen.",
            "visibility": "öffentlich",
            "topic": "Arbeit",
            "indicators": "unemployment_share",
            "areas": TOWNS[0],
            "findings": "E-7",
            "addressee": "Rat",
            "status": "beschlossen",
            "status_date": "20.06.2020",
        },
    )
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url("**/empfehlungen/H-7?gespeichert=1")
    page.get_by_role("link", name="Bearbeiten").click()
    fill(page, {"status": "in Umsetzung", "status_date": "01.07.2021"})
    page.get_by_role("button", name="Speichern").click()
    page.wait_for_url("**/empfehlungen/H-7?gespeichert=1")


def test_records_reach_the_published_report(
    browser: Any, served: tuple[str, Any]
) -> None:
    base, engine = served
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, base, engine)
        create_records(page, base)
        for path in ("/indikator/unemployment_share", f"/gebiet/{TOWNS[0]}"):
            page.goto(f"{base}{path}")
            block = page.locator("section.qualitative")
            assert block.get_by_role("link", name=ADVICE).count(), path
            assert block.get_by_role("link", name=FINDING).count(), path

        page.goto(f"{base}/verwaltung")
        page.get_by_role("link", name="Berichte veröffentlichen").click()
        page.wait_for_url("**/verwaltung/berichte")
        page.locator("#field-template").select_option(label="Gebietsprofil")
        page.locator("#field-gebiet").fill(TOWNS[0])
        page.locator("#field-datenstand").select_option(label=FIRST_RELEASE)
        page.get_by_role("button", name="Vorschau").click()
        preview = page.locator("section.report-preview")
        preview.wait_for()
        text = preview.inner_text()
        assert "Vorschau: Gebietsprofil Gemeinde 001" in text
        assert FINDING in text and ADVICE in text
        assert "in Umsetzung" in text  # the recommendation's status now
        for lang in ("de", "en"):
            for viewport, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                assert_accessible(page, f"the preview ({viewport}, {lang})")
            if lang == "de":  # the same preview in English
                page.goto(f"{base}/verwaltung/berichte?lang=en")
                page.locator("#field-template").select_option(value="gebietsprofil")
                page.locator("#field-gebiet").fill(TOWNS[0])
                page.get_by_role("button", name="Preview").click()
                page.locator("section.report-preview").wait_for()
                assert page.get_attribute("html", "lang") == "en"
        page.set_viewport_size(DESKTOP)
        page.goto(f"{base}/verwaltung/berichte")
        page.locator("#field-template").select_option(value="gebietsprofil")
        page.locator("#field-gebiet").fill(TOWNS[0])
        page.locator("#field-datenstand").select_option(label=FIRST_RELEASE)
        page.get_by_role("button", name="Veröffentlichen").click()
        page.wait_for_url("**/berichte/veroeffentlicht/*")
        published = page.url.removeprefix(base)
        assert page.locator("h1").inner_text() == "Gebietsprofil Gemeinde 001"
        assert ADVICE in page.inner_text("main")
        screenshot(page, "published-report")
        page.goto(f"{base}/verwaltung/berichte")
        assert page.locator(".published-reports li").count() == 1
        assert_accessible(page, "the list with a published report")
        assert not errors
    finally:
        context.close()

    visitor = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    try:
        page = visitor.new_page()
        page.goto(f"{base}/berichte")
        entry = page.locator(".published-reports li")
        assert f"Datenstand {FIRST_RELEASE}, veröffentlicht am" in entry.inner_text()
        entry.get_by_role("link", name="Gebietsprofil Gemeinde 001").click()
        page.wait_for_url(f"**{published}")
        assert FINDING in page.inner_text("main")
        page.goto(f"{base}/gebiet/{TOWNS[0]}")
        link = page.get_by_role("link", name="Als PDF herunterladen")
        assert link.get_attribute("href") == f"/gebiet/{TOWNS[0]}/profil.pdf"
        for lang in ("de", "en"):
            for viewport, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                for path in ("/berichte", published, f"/gebiet/{TOWNS[0]}"):
                    page.goto(f"{base}{path}?lang={lang}")
                    assert page.get_attribute("html", "lang") == lang
                    assert_accessible(page, f"{path} ({viewport}, {lang})")
        assert visitor.cookies() == []
    finally:
        visitor.close()

    # the new pages under the content security policy (no bypass)
    strict = browser.new_context(viewport=DESKTOP, locale="de-DE")
    try:
        page = strict.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        for path in ("/berichte", published):
            page.goto(f"{base}{path}")
            assert page.evaluate("window.__cspViolations") == [], path
        sign_in(page, base, engine, offset=1)
        page.goto(f"{base}/verwaltung/berichte")
        page.locator("form.report-publish").wait_for()
        assert page.evaluate("window.__cspViolations") == []
    finally:
        strict.close()
