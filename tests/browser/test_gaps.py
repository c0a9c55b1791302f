"""The map of data gaps in the browser: the filter used with the keyboard alone,
every heatmap cell saying its status in a sign and words besides its colour, and
axe on the filtered map and on the table at phone width."""

from __future__ import annotations

import pytest

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import OpenPage
from tests.browser.test_keyboard import tab_to

pytestmark = pytest.mark.browser

_CELLS = """() => [...document.querySelectorAll("table.gaps td.gap")].map((td) => ({
  status: [...td.classList].find((c) => c.startsWith("gap-")),
  background: getComputedStyle(td).backgroundColor,
  shown: td.querySelector("[aria-hidden=true]").innerText.trim(),
  said: td.querySelector(".visually-hidden").textContent.trim(),
}))"""


def test_the_filter_by_keyboard_and_cells_never_colour_alone(
    server: str, open_page: OpenPage
) -> None:
    visit = open_page("desktop")
    page = visit.page
    page.goto(server + "/datenluecken")
    before = page.locator("table.gaps").count()
    assert before >= 2, "the demo has values on at least two levels"
    tab_to(page, "#gaps-level")
    page.keyboard.press("ArrowDown")  # the first level (the largest with areas)
    first_level = page.eval_on_selector("#gaps-level", "s => s.value")
    tab_to(page, "form.controls button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"ebene={first_level}" in page.url
    assert page.locator("table.gaps").count() == 1

    page.goto(server + "/datenluecken")
    cells = page.evaluate(_CELLS)
    assert cells
    colours: dict[str, set[str]] = {}
    for cell in cells:
        colours.setdefault(cell["status"], set()).add(cell["background"])
        assert cell["shown"][0] in "✓◐.–" and "/" in cell["shown"], cell
        assert ":" in cell["said"], cell
    assert all(len(found) == 1 for found in colours.values()), colours
    assert len({c for found in colours.values() for c in found}) == len(colours)
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()


@pytest.mark.parametrize(
    "path",
    [
        "/datenluecken?ebene=municipality&thema=arbeit",
        "/datenluecken?ansicht=tabelle&lang=en",
    ],
)
def test_axe_on_the_filtered_map_and_the_table_on_a_phone(
    server: str, open_page: OpenPage, path: str
) -> None:
    visit = open_page("phone", bypass_csp=True)
    page = visit.page
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_the_hessen_pilot_chosen_in_the_filter_issue_12(
    server: str, open_page: OpenPage
) -> None:
    visit = open_page("desktop", bypass_csp=True)
    page = visit.page
    page.goto(server + "/datenluecken?gebiet=11000000")
    headings = page.locator("h2[id^=ebene-]").all_inner_texts()
    assert any("542 Gebiete" in h for h in headings)  # Berlin's planning areas
    tab_to(page, "#gaps-top")
    page.select_option("#gaps-top", "06-pilot")
    tab_to(page, "form.controls button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "gebiet=06-pilot" in page.url
    headings = page.locator("h2[id^=ebene-]").all_inner_texts()
    assert [h.split(" (")[1] for h in headings] == [
        "1 Gebiet)",
        "5 Gebiete)",
        "78 Gebiete)",
    ]
    cells = page.evaluate(_CELLS)
    assert any(c["status"] == "gap-present" for c in cells)
    violations = axe_violations(page)
    assert not violations, describe(violations)
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()
