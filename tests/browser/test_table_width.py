"""The tables of the topic page and of the indicator's ranking fit a desktop
window: no column is cut off behind its scroll box (issue 16: the README's
screenshots showed "Verlauf" and the trend column cut in half; a long column
heading such as "Abweichung von <top area> (4,5 %)" widened the table)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

_TOO_WIDE = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(box => box.scrollWidth > box.clientWidth)
  .map(box => `${box.querySelector('table').className}: ${box.scrollWidth} px`
    + ` in ${box.clientWidth} px`)"""


@pytest.mark.parametrize(
    "path",
    [
        "/thema/arbeit",
        "/thema/mindestsicherung",
        "/indikator/unemployment_share?ansicht=tabelle",
    ],
)
def test_the_tables_fit_a_desktop(path: str, server: str, open_page: OpenPage) -> None:
    page = open_page("desktop").page
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    assert page.locator(".table-wrap").count() >= 1
    assert page.evaluate(_TOO_WIDE) == [], path
    # A value or change keeps to one line (a change's "seit …" is the next one).
    cells = page.locator("td.num").all_inner_texts()
    assert cells and all(cell.count("\n") <= 1 for cell in cells), cells
