"""axe-core finds no WCAG 2.1 A/AA violation on any page type, at desktop and phone
width, in German and in English; the German run writes the screenshots the README
shows (``docs/screenshots/<page>-<desktop|phone>.png``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import (
    PAGE_TYPES,
    VIEWPORTS,
    OpenPage,
    screenshot,
    wait_for_charts,
)

pytestmark = pytest.mark.browser
SCREENSHOT_PATHS = {
    "methods": "/methoden?thema=gesundheit",
    "gaps": "/datenluecken?gebiet=06-pilot&ebene=municipality&thema=arbeit",
    "gaps-table": "/datenluecken?ansicht=tabelle&ebene=municipality&thema=arbeit",
}
"""Views shown instead of the page type's default in the screenshots: the whole
catalogue of every indicator would be a picture some 50,000 pixels long, the map
of data gaps of every level and topic some 20,000. Each is the URL the README's
screenshot table names (checked below)."""

_SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  const clips = (el) => getComputedStyle(el).overflowX !== "visible";
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    // Text that does not wrap (a long word) sticks out of its own box.
    const right = clips(el)
      ? box.right : Math.max(box.right, box.left + el.scrollWidth);
    if (right <= width + 0.5) continue;
    // An absolutely positioned box is clipped only by a positioned scroller.
    const absolute = getComputedStyle(el).position === "absolute";
    let clipped = false;
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (clips(up) && (!absolute || getComputedStyle(up).position !== "static")) {
        clipped = true;
        break;
      }
    }
    if (clipped) continue;
    const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + [...el.classList].map((c) => "." + c).join("");
    const up = el.parentElement;
    const within = up ? up.tagName.toLowerCase()
      + [...up.classList].map((c) => "." + c).join("") : "";
    found.push([Math.round(right), `${name} in ${within}`]);
  }
  found.sort((a, b) => b[0] - a[0]);
  const seen = new Set();
  const culprits = [];
  for (const [right, text] of found) {
    if (seen.has(text)) continue;
    seen.add(text);
    culprits.push(`${text} (right edge ${right} px)`);
  }
  return {width: document.documentElement.scrollWidth, culprits: culprits.slice(0, 6)};
}"""


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_wcag_violations(
    page_type: str,
    viewport: str,
    lang: str,
    server: str,
    open_page: OpenPage,
    page_path: Callable[[str], str],
) -> None:
    path = page_path(page_type)
    if lang == "en":
        path += ("&" if "?" in path else "?") + "lang=en"
    # bypass_csp: axe is injected as an inline script.
    visit = open_page(viewport, bypass_csp=True)
    page = visit.page
    response = page.goto(server + path)
    assert response is not None and response.status == 200, (
        f"{path}: HTTP {response.status if response else None}"
    )
    assert page.get_attribute("html", "lang") == lang
    wait_for_charts(page)
    if page_type == "indicator-chart":
        assert page.locator(".chart svg").count() >= 1, "the chart tab drew no chart"
    if lang == "de":
        if page_type in SCREENSHOT_PATHS:
            page.goto(server + SCREENSHOT_PATHS[page_type])
            screenshot(page, f"{page_type}-{viewport}")
            page.goto(server + path)
        else:
            screenshot(page, f"{page_type}-{viewport}")
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} WCAG 2.1 A/AA rule(s) violated on {path} "
        f"({viewport}, {lang}):\n{describe(violations)}"
    )
    # Reflow (WCAG 1.4.10, which axe does not test): wide tables scroll in their
    # own box, the page itself never sideways.
    sideways = page.evaluate(_SIDEWAYS)
    assert sideways["width"] <= VIEWPORTS[viewport]["width"], (
        f"{path} ({viewport}, {lang}) scrolls sideways: the page is "
        f"{sideways['width']} px wide at a {VIEWPORTS[viewport]['width']} px "
        f"viewport; sticking out: {sideways['culprits']}"
    )
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()
