"""Findings and recommendations edited in Chromium (issue 14): an editor signs in,
creates a finding and a recommendation built on it, changes the recommendation's
status, and a visitor without an account sees both on the linked indicator and
area pages, with the outcome values since the decision on the recommendation's
page. axe-core finds no WCAG 2.1 A/AA violation on the form (with its field
messages) and the record's page, at both widths in both languages; the form works
under the content security policy."""

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
from tests.browser.test_upload import assert_accessible, sign_in
from tests.fixtures import TOWNS, make_demo_db
from tests.web.sign_in_client import portal

pytestmark = pytest.mark.browser

NEW = "/verwaltung/empfehlungen/neu"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """The small database with one editor, served over plain http."""
    engine = connect(f"sqlite:///{tmp_path / 'records.db'}")
    init_database(engine)
    make_demo_db(engine)
    add_account(engine, "erika", Role.EDITOR)
    with serving(portal(engine)) as base:
        yield base, engine
    engine.dispose()


def fill(page: Any, values: dict[str, str]) -> None:
    for name, value in values.items():
        field = page.locator(f"#field-{name}")
        if field.evaluate("(el) => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)


def test_an_editor_creates_links_and_advances_records_the_public_sees_them(
    browser: Any, served: tuple[str, Any]
) -> None:
    base, engine = served
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, base, engine)
        page.goto(f"{base}/empfehlungen")
        page.get_by_role("link", name="Neue Erkenntnis erfassen").click()
        page.wait_for_url(f"**{NEW}?art=finding")
        fill(
            page,
            {
                "code": "E-9",
                "title": "Beispiel: Wege zur Beratung sind weit",
                "text": "Die Gruppe **nennt** weite Wege.",
                "visibility": "öffentlich",
                "topic": "Arbeit",
                "indicators": "unemployment_share",
                "areas": f"{TOWNS[0]}; {TOWNS[1]}",
                "source_kind": "Fokusgruppe",
                "source_group": "Fachkräfte",
                "participants": "zwölf",
            },
        )
        page.get_by_role("button", name="Speichern").click()
        # the mistake is named at its field, and nothing is saved
        error = page.locator("#error-participants")
        error.wait_for()
        assert "ganze Zahl von 1 bis 100.000" in error.inner_text()
        assert page.locator("#field-participants").get_attribute("aria-invalid")
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            assert_accessible(page, f"the form with a field message ({viewport})")
        page.set_viewport_size(DESKTOP)
        screenshot(page, "record-edit-error")
        fill(page, {"participants": "12"})
        page.get_by_role("button", name="Speichern").click()
        page.wait_for_url("**/empfehlungen/E-9?gespeichert=1")
        assert "gespeichert" in page.locator("[role=status]").inner_text()

        page.goto(f"{base}{NEW}?art=recommendation")
        fill(
            page,
            {
                "code": "H-9",
                "title": "Beispiel: Beratung vor Ort",
                "text": "Sprechstunden in den Stadtteilen.",
                "visibility": "öffentlich",
                "topic": "Arbeit",
                "areas": f"{TOWNS[0]}; {TOWNS[1]}",
                "findings": "E-9",
                "addressee": "Rat",
                "estimated_cost": "25.000",
                "outcome_indicators": "unemployment_share",
                "status": "beschlossen",
                "status_date": "20.06.2020",
            },
        )
        page.get_by_role("button", name="Speichern").click()
        page.wait_for_url("**/empfehlungen/H-9?gespeichert=1")
        page.get_by_role("link", name="Bearbeiten").click()
        page.wait_for_url("**/verwaltung/empfehlungen/H-9")
        fill(page, {"status": "in Umsetzung", "status_date": "01.07.2021"})
        page.get_by_role("button", name="Speichern").click()
        page.wait_for_url("**/empfehlungen/H-9?gespeichert=1")
        history = page.locator("ol.history li").all_inner_texts()
        assert history == [
            "20.06.2020: beschlossen (erfasst von erika)",
            "01.07.2021: in Umsetzung (erfasst von erika)",
        ]
        assert page.get_by_role("link", name="Beispiel: Wege zur Beratung").count()
        screenshot(page, "record-page")
        for lang in ("de", "en"):
            for viewport, size in VIEWPORTS.items():
                page.set_viewport_size(size)
                for path in (
                    "/empfehlungen/H-9",
                    "/verwaltung/empfehlungen/H-9",
                    f"{NEW}?art=finding",
                ):
                    page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={lang}")
                    assert page.get_attribute("html", "lang") == lang
                    assert_accessible(page, f"{path} ({viewport}, {lang})")
        assert not errors
    finally:
        context.close()

    visitor = browser.new_context(viewport=DESKTOP, locale="de-DE")
    try:
        page = visitor.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        for path in ("/indikator/unemployment_share", f"/gebiet/{TOWNS[1]}"):
            page.goto(f"{base}{path}")
            block = page.locator("section.qualitative")
            assert block.get_by_role("link", name="Beispiel: Beratung vor Ort").count()
            assert block.get_by_role(
                "link", name="Beispiel: Wege zur Beratung sind weit"
            ).count()
        page.goto(f"{base}/indikator/unemployment_share")
        page.locator("section.qualitative").get_by_role(
            "link", name="Beispiel: Beratung vor Ort"
        ).click()
        page.wait_for_url("**/empfehlungen/H-9")
        assert "erika" not in page.inner_text("main")  # the public: when, not who
        assert page.locator("ol.history li").count() == 2
        table = page.locator("table.outcome-values")
        assert table.locator("caption").inner_text() == "Arbeitslosenanteil"
        assert table.locator("thead th").all_inner_texts() == ["Gebiet", "2020", "2021"]
        assert page.evaluate("window.__cspViolations") == []
        assert visitor.cookies() == []
    finally:
        visitor.close()

    # the form under the content security policy (no bypass)
    strict = browser.new_context(viewport=DESKTOP, locale="de-DE")
    try:
        page = strict.new_page()
        page.add_init_script(RECORD_VIOLATIONS)
        sign_in(page, base, engine, offset=1)
        page.goto(f"{base}/verwaltung/empfehlungen/H-9")
        page.locator("form.record-edit").wait_for()
        assert page.evaluate("window.__cspViolations") == []
    finally:
        strict.close()
