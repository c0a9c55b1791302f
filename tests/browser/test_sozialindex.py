"""The Sozialindex page in the real browser (issue 13): the demo's MSS counts per
cell and class and the focus areas with their drivers as a reader sees them, and
axe-core finds no WCAG 2.1 A/AA violation at both widths in both languages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app as cli
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import VIEWPORTS, OpenPage, screenshot

pytestmark = pytest.mark.browser
PATH = "/sozialindex/mss"


@pytest.fixture(scope="module")
def computed(demo_sqlite: Engine) -> dict[str, Any]:
    """``sozialmonitor index show mss --json`` on the demo database."""
    result = CliRunner().invoke(
        cli, ["index", "show", "mss", "--json", "--db", str(demo_sqlite.url)]
    )
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.output)
    return found


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_index_page_is_accessible(
    viewport: str, lang: str, server: str, open_page: OpenPage
) -> None:
    visit = open_page(viewport, bypass_csp=True)  # axe is an inline script
    page = visit.page
    path = PATH + ("?lang=en" if lang == "en" else "")
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == lang
    screenshot(page, f"sozialindex-{viewport}-{lang}")
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} WCAG 2.1 A/AA rule(s) violated on {path} "
        f"({viewport}, {lang}):\n{describe(violations)}"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[viewport]["width"], f"{path} scrolls sideways ({width})"
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()


def test_counts_and_focus_areas_as_shown(
    server: str, open_page: OpenPage, computed: dict[str, Any]
) -> None:
    visit = open_page("desktop")
    page = visit.page
    page.goto(server + PATH)
    matrix = page.locator("table.index-matrix")
    for symbol, count in computed["counts"]["cells"].items():
        cell = matrix.locator(
            "td", has=page.locator(".symbol", has_text=symbol)
        ).filter(has_text=f"{symbol}: {count}")
        # "+/-" contains "-": match the cell whose symbol is exactly this one.
        texts = [
            t.strip()
            for t in matrix.locator("td .symbol").all_inner_texts()
            if t.strip() == symbol
        ]
        assert texts == [symbol]
        assert cell.count() >= 1, (symbol, count)
    for label, count in computed["counts"]["status"].items():
        row = matrix.locator("tbody tr", has_text=f"Status {label} (")
        assert row.locator("td").last.inner_text().strip() == str(count), label
    focus = page.locator("table.index-focus tbody tr")
    assert focus.count() == len(computed["focus"])
    first = min(computed["focus"], key=lambda f: f["name"])
    row = page.locator("table.index-focus tbody tr", has_text=first["name"]).first
    drivers = row.locator("ul.drivers li").all_inner_texts()
    assert [d.split(" ")[0] for d in drivers] == [
        d["label"].split(" ")[0] for d in first["drivers"]
    ]
    assert page.locator("figure.map svg a.map-area").count() > 500
    visit.log.assert_only_app()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_class_indicator_map_shows_the_labels(
    viewport: str, server: str, open_page: OpenPage
) -> None:
    visit = open_page(viewport, bypass_csp=True)
    page = visit.page
    page.goto(server + "/indikator/mss.status_class")
    legend = [
        " ".join(text.split()).rsplit(" (", 1)[0]
        for text in page.locator(".map-legend li").all_inner_texts()
    ]
    assert legend == [
        "Status hoch",
        "Status mittel",
        "Status niedrig",
        "Status sehr niedrig",
        "keine Angabe",
    ]
    violations = axe_violations(page)
    assert not violations, describe(violations)
    visit.log.assert_only_app()
