"""Uploading in Chromium: an editor signs in, uploads a file with an error, reads
the report, uploads the corrected file, confirms, and sees the job finish; axe-core
finds no WCAG 2.1 A/AA violation on the upload page, the report and the job page,
and the job page's script runs under the content security policy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sozialmonitor.access.roles import Role
from sozialmonitor.store.database import connect, init_database
from tests.access.accounts_data import PASSWORD, add_account, code_for
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import DESKTOP, serving
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.fixtures import make_demo_db
from tests.ingest.content import stored
from tests.web.sign_in_client import portal

pytestmark = pytest.mark.browser

HEADER = "indicator;area;period;value\n"
WRONG = HEADER + "population;03241003;2021;25100\npopulation;0324100X;2021;12\n"
RIGHT = HEADER + "".join(
    f"population;{town};{year};{25_000 + year}\n"
    for town in ("03241001", "03241002", "03241003")
    for year in range(1950, 2020)
)


@pytest.fixture(scope="module")
def upload_server(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Any, Path]]:
    """A portal on the demo data with one editor, over plain http."""
    folder = tmp_path_factory.mktemp("upload")
    engine = connect(f"sqlite:///{folder / 'upload.db'}")
    init_database(engine)
    make_demo_db(engine)
    add_account(engine, "erika", Role.EDITOR)
    app = portal(engine)
    app.state.upload_dir = folder / "uploads"
    with serving(app) as base:
        yield base, engine, folder
    engine.dispose()


def assert_accessible(page: Any, what: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{what}:\n{describe(violations)}"


def sign_in(page: Any, base: str, engine: Any, offset: int = 0) -> None:
    """Both steps; ``offset``: the next step's code, for a second sign-in within the
    same 30 seconds (a code is taken once)."""
    page.goto(f"{base}/verwaltung")
    page.get_by_label("Benutzername").fill("erika")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    code = page.locator("#sign-in-code")
    code.wait_for()
    code.fill(code_for(engine, "erika", time.time(), offset))
    code.press("Enter")
    page.wait_for_url(f"{base}/verwaltung")


def upload(page: Any, path: Path) -> None:
    page.get_by_label("Werte (Beobachtungen)").check()
    page.get_by_label("Oder ein neuer Entwurf mit diesem Namen").fill("r-browser")
    page.locator("#upload-file").set_input_files(str(path))
    page.get_by_role("button", name="Datei hochladen und prüfen").click()
    page.wait_for_url("**/verwaltung/importe/*")


def test_an_editor_uploads_reads_the_report_corrects_and_imports(
    browser: Any, upload_server: tuple[str, Any, Path]
) -> None:
    base, engine, folder = upload_server
    wrong, right = folder / "werte.csv", folder / "werte-korrigiert.csv"
    wrong.write_text(WRONG, encoding="utf-8")
    right.write_text(RIGHT, encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP, locale="de-DE", bypass_csp=True)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in(page, base, engine)
        page.get_by_role("link", name="Daten hochladen").click()
        page.wait_for_url(f"{base}/verwaltung/hochladen")
        assert_accessible(page, "upload page")

        upload(page, wrong)
        cells = page.locator("table.findings tbody tr").first.locator("td")
        assert cells.nth(1).inner_text() == "3"
        assert cells.nth(2).inner_text() == "area"
        assert cells.nth(3).inner_text() == "0324100X"
        assert page.locator("form.confirm").count() == 0
        assert_accessible(page, "report with an error")
        assert stored(engine, "r-browser") == {}

        page.get_by_role("link", name="Korrigierte Datei hochladen").click()
        upload(page, right)
        assert page.locator("table.findings").count() == 0
        assert_accessible(page, "clean report, waiting for confirmation")
        assert stored(engine, "r-browser") == {}

        page.get_by_role("button", name="In Entwurf übernehmen").click()
        # the page polls the job (no reload) until it is done
        page.locator("#job-label", has_text="abgeschlossen").wait_for(timeout=30_000)
        assert "210 Datensätze" in page.locator("#job-text").inner_text()
        assert_accessible(page, "finished job")
        assert len(stored(engine, "r-browser")) == 210

        page.goto(f"{base}/verwaltung/hochladen")
        listed = page.locator("table.import-jobs tbody th").all_inner_texts()
        assert listed == ["werte-korrigiert.csv", "werte.csv"]
        assert not errors
    finally:
        context.close()


def test_the_job_page_and_its_script_keep_the_content_security_policy(
    browser: Any, upload_server: tuple[str, Any, Path]
) -> None:
    base, engine, folder = upload_server
    wrong = folder / "werte-csp.csv"
    wrong.write_text(WRONG, encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    try:
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        sign_in(page, base, engine, offset=1)
        page.goto(f"{base}/verwaltung/hochladen")
        upload(page, wrong)
        page.wait_for_load_state("networkidle")
        assert page.locator("table.findings tbody tr").count() == 1
        right = folder / "werte-csp-korrigiert.csv"
        right.write_text(RIGHT, encoding="utf-8")
        page.goto(f"{base}/verwaltung/hochladen")
        upload(page, right)
        page.get_by_role("button", name="In Entwurf übernehmen").click()
        page.locator("#job-label", has_text="abgeschlossen").wait_for(timeout=30_000)
        assert page.evaluate("window.__cspViolations") == []
    finally:
        context.close()
