"""A topic's table fits a desktop window: no column is cut off behind its
scroll box (issue 16: the README's screenshot showed "Verlauf" cut in half)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

_FIT = """() => [...document.querySelectorAll('.topic-table')].map(t => {
  const box = t.closest('.table-wrap');
  return [box.clientWidth, box.scrollWidth];
})"""


@pytest.mark.parametrize("topic", ["arbeit", "mindestsicherung"])
def test_the_topic_table_fits_a_desktop(
    topic: str, server: str, open_page: OpenPage
) -> None:
    visit = open_page("desktop")
    page = visit.page
    response = page.goto(f"{server}/thema/{topic}")
    assert response is not None and response.status == 200
    ((shown, needed),) = page.evaluate(_FIT)
    assert needed <= shown, f"/thema/{topic}: the table needs {needed} px of {shown}"
    # The values and changes keep to one line each (a change's "seit" is the next).
    cells = page.locator(".topic-table td.num").all_inner_texts()
    assert cells and all(cell.count("\n") <= 1 for cell in cells), cells
