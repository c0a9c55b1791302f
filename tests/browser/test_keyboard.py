"""The whole walk with the keyboard alone: Tab, Shift+Tab, Enter, Space and typing
into selects. An area is chosen without the map. Every focused link shows a
visible focus outline."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from sozialmonitor.web.snapshot import Snapshot
from tests.browser.conftest import (
    SEARCH_WORD,
    WALK_AREA,
    WALK_INDICATOR,
    WALK_OTHER_AREA,
    OpenPage,
    area_named,
)

pytestmark = pytest.mark.browser
MAX_TABS = 400
"""More Tab presses than any page needs to reach what the walk uses."""


def focused(page: Any) -> dict[str, Any] | None:
    info: dict[str, Any] | None = page.evaluate(
        """() => {
          const el = document.activeElement;
          if (!el || el === document.body) return null;
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(),
            text: (el.innerText || el.value || el.getAttribute("aria-label") || "")
              .trim(),
            href: el.getAttribute("href"),
            id: el.id,
            name: el.getAttribute("name"),
            type: el.getAttribute("type"),
            outline: style.outlineStyle,
            outlineWidth: style.outlineWidth,
          };
        }"""
    )
    return info


def assert_focus_visible(info: dict[str, Any]) -> None:
    assert info["outline"] != "none" and info["outlineWidth"] != "0px", (
        f"no visible focus on {info}"
    )


def tab_to(page: Any, selector: str, *, backwards: bool = False) -> dict[str, Any]:
    """Press Tab (or Shift+Tab) until the element matching ``selector`` has the
    focus; every link passed on the way must show its focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        info = focused(page)
        if info is None:
            continue
        if info["tag"] == "a":
            assert_focus_visible(info)
        if page.evaluate(
            "(selector) => document.activeElement.matches(selector)", selector
        ):
            assert_focus_visible(info)
            return info
    raise AssertionError(f"{selector} not reached with {MAX_TABS} × {key}")


def press_and_wait(page: Any, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


def params_of(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def activate(page: Any, key: str = "Enter") -> None:
    """Press Enter (links, buttons) or Space (buttons) and wait for the next page."""
    press_and_wait(page, key)
    page.wait_for_load_state("load")


def choose(page: Any, select: str, name: str, code: str) -> None:
    """Tab to a select and choose an option by typing its name (no mouse, no
    opened list)."""
    tab_to(page, select)
    page.keyboard.type(name, delay=20)
    assert page.input_value(select) == code, f"typing {name!r} into {select}"


def test_the_walk_with_the_keyboard_alone(
    server: str, open_page: OpenPage, snap: Snapshot
) -> None:
    indicator = snap.indicator(WALK_INDICATOR)
    topic = next(t for t in snap.topics if indicator in t.indicators)
    area = area_named(snap, WALK_AREA)
    other = area_named(snap, WALK_OTHER_AREA)
    visit = open_page()
    page = visit.page
    page.goto(server + "/")

    # The skip link comes first and moves the focus to the content.
    info = tab_to(page, "a.skip")
    assert info["href"] == "#main"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # The search: type a word, submit with Enter.
    tab_to(page, "main input[type=search]")
    page.keyboard.type(SEARCH_WORD)
    activate(page)
    assert path_of(page) == "/suche"
    assert params_of(page)["q"] == [SEARCH_WORD]
    assert page.locator(f'main a[href="/indikator/{indicator.id}"]').count() == 1

    # A topic, from the search results.
    tab_to(page, f'main a[href="/thema/{topic.slug}"]')
    activate(page)
    assert path_of(page) == f"/thema/{topic.slug}"

    # An indicator, from the topic's table: the row of Region Hannover (the
    # Hessen pilot has a row of its own, each opens its top area).
    tab_to(page, f'main a[href="/indikator/{indicator.id}?raum=03241"]')
    activate(page)
    assert path_of(page) == f"/indikator/{indicator.id}"
    assert params_of(page)["raum"] == ["03241"]

    # The tabs: forward to the last one, back with Shift+Tab to the chart.
    tab_to(page, "ul.tabs li:last-child a")
    info = tab_to(page, "ul.tabs li:nth-child(2) a", backwards=True)
    assert info["text"] == "Zeitreihe"
    activate(page)
    assert params_of(page)["ansicht"] == ["diagramm"]
    tab_to(page, "ul.tabs li:nth-child(3) a")
    activate(page)
    assert params_of(page)["ansicht"] == ["tabelle"]
    assert page.locator("table.ranking tbody tr").count() > 0
    tab_to(page, "ul.tabs li:first-child a")
    activate(page)
    assert params_of(page)["ansicht"] == ["karte"]

    # Choose an area without the map: skip it, pick from the list, Space on the
    # button.
    tab_to(page, "a.skip-map")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "after-map"
    choose(page, "#pick-area", WALK_AREA, area)
    tab_to(page, "form.area-pick button")
    activate(page, "Space")
    assert path_of(page) == f"/gebiet/{area}"
    assert WALK_AREA in page.locator("h1").inner_text()

    # Compare it with another area, chosen in the compare form.
    tab_to(page, f'a[href="/vergleich?gebiete={area}"]')
    activate(page)
    assert path_of(page) == "/vergleich"
    choose(page, "#gebiet-B", WALK_OTHER_AREA, other)
    tab_to(page, "form.compare-form button")
    activate(page)
    assert params_of(page)["gebiete"] == [area, other]
    headers = page.locator("table.compare-table").first.locator("thead th")
    assert headers.nth(1).inner_text() == WALK_AREA
    assert headers.nth(2).inner_text() == WALK_OTHER_AREA
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()


def test_any_area_from_the_area_index_with_the_keyboard(
    server: str, open_page: OpenPage, snap: Snapshot
) -> None:
    other = area_named(snap, WALK_OTHER_AREA)
    visit = open_page(viewport="phone")
    page = visit.page
    page.goto(server + "/")
    tab_to(page, 'nav a[href="/gebiet"]')
    activate(page)
    assert path_of(page) == "/gebiet"
    tab_to(page, "#area-q")
    page.keyboard.type(WALK_OTHER_AREA)
    activate(page)
    tab_to(page, f'table.area-results a[href="/gebiet/{other}"]')
    activate(page)
    assert path_of(page) == f"/gebiet/{other}"
    assert WALK_OTHER_AREA in page.locator("h1").inner_text()
    visit.log.assert_only_app()
