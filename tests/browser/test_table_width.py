"""The tables of every topic page and of the indicator's ranking fit a desktop
window: no column is cut off behind its scroll box (issue 16: the README's
screenshots showed "Verlauf" and the trend column cut in half; a long column
heading such as "Abweichung von <top area> (4,5 %)" widened the table, and so did
long units such as "EUR je EW (monatlich)" in Einkommen and Bevölkerung)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from sozialmonitor.web.snapshot import Snapshot
from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser

TOPICS = (
    "arbeit",
    "bevoelkerung",
    "bildung",
    "einkommen",
    "gesundheit",
    "mindestsicherung",
    "sozialindex",
    "teilhabe",
    "wohnen",
)
"""Every topic of the demo (checked against the demo's catalogue below)."""
NUMBER = re.compile(r"[+−-]?\d[\d.,]*")
"""A number as the portal writes it (sign, digits, grouping and decimal marks)."""
_TOO_WIDE = """() => [...document.querySelectorAll('.table-wrap')]
  .filter(box => box.scrollWidth > box.clientWidth)
  .map(box => `${box.querySelector('table').className}: ${box.scrollWidth} px`
    + ` in ${box.clientWidth} px`)"""


def test_the_list_names_every_topic_of_the_demo(snap: Snapshot) -> None:
    assert sorted(t.slug for t in snap.topics) == list(TOPICS)


def assert_tables_fit(page: Any, path: str) -> list[str]:
    """The page's tables fit; the texts of its number cells."""
    assert page.locator(".table-wrap").count() >= 1
    assert page.evaluate(_TOO_WIDE) == [], path
    cells: list[str] = page.locator("td.num").all_inner_texts()
    # A number never breaks across lines: the numbers of each cell are the same
    # read line by line as read with the lines joined.
    for cell in cells:
        joined = " ".join(cell.split("\n"))
        assert NUMBER.findall(cell) == NUMBER.findall(joined), (path, cell)
    return cells


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_table_fits_a_desktop(
    topic: str, lang: str, server: str, open_page: OpenPage
) -> None:
    page = open_page("desktop").page
    path = f"/thema/{topic}" + ("?lang=en" if lang == "en" else "")
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    assert_tables_fit(page, path)
    # A change keeps its number with its unit: "−1,5 Prozentpunkte" is tied by the
    # same narrow no-break space as "+77 EUR".
    points = "Prozentpunkte" if lang == "de" else "percentage points"
    cells = page.locator(".topic-table td.num").all_inner_texts()
    for cell in cells:
        assert not re.search(rf"\d[ \n]+{points}", cell), cell
    if topic == "einkommen":  # the Schuldnerquote changes by percentage points
        assert any(f"\u202f{points}" in cell for cell in cells), cells


def test_the_ranking_table_fits_a_desktop(server: str, open_page: OpenPage) -> None:
    page = open_page("desktop").page
    path = "/indikator/unemployment_share?ansicht=tabelle"
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    cells = assert_tables_fit(page, path)
    # A value or change keeps to one line (a change's "seit …" is the next one).
    assert cells and all(cell.count("\n") <= 1 for cell in cells), cells
