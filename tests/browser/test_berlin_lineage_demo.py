"""Berlin's planning areas before and after the 2021 reform in the demo, in a real
browser (issue 12): the profile of an old planning area says when it ended, its
successor link leads to the new area, whose profile links back; the map of the MSS
2021 reference date draws the new areas only. Every page without a WCAG 2.1 A/AA
violation, without a script error and without a request elsewhere.

No real values exist on the old planning areas (see demo/berlin-2020/ATTRIBUTION.md),
so a series across the boundary change with the Gebietsstand switch is tested on the
code-built region of ``tests/boundary_change.py`` (``test_boundary_change.py``)."""

from __future__ import annotations

import re

import pytest

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import VIEWPORTS, OpenPage, screenshot

pytestmark = pytest.mark.browser
OLD, NEW = "01011101", "01100101"
"""Stülerstraße until 2020 and since the reform (same area, new key)."""
TEXTS = {
    "de": ("gültig bis 30.12.2020", "Aufgegangen in", "Hervorgegangen aus"),
    "en": ("until 30 Dec 2020", "Became", "Came from"),
}


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_old_planning_area_leads_to_its_successor(
    open_page: OpenPage, server: str, viewport: str, lang: str
) -> None:
    visit = open_page(viewport, bypass_csp=True)
    page = visit.page
    validity, became, came_from = TEXTS[lang]
    response = page.goto(f"{server}/gebiet/{OLD}?lang={lang}")
    assert response is not None and response.status == 200
    lineage = page.locator("section.lineage")
    assert validity in page.locator("dl.facts").inner_text()
    assert became in lineage.inner_text()
    assert not axe_violations(page), describe(axe_violations(page))
    screenshot(page, f"berlin-old-area-{viewport}-{lang}")

    lineage.locator("ul.successors a", has_text="Stülerstraße").click()
    page.wait_for_url(re.compile(rf"/gebiet/{NEW}"))
    assert came_from in page.locator("section.lineage").inner_text()
    back = page.locator("section.lineage ul.predecessors a", has_text="Stülerstraße")
    assert back.get_attribute("href", timeout=5_000).startswith(f"/gebiet/{OLD}")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    visit.log.assert_no_script_errors()
    visit.log.assert_only_app()


def test_map_of_the_reference_date_draws_the_new_areas(
    open_page: OpenPage, server: str
) -> None:
    visit = open_page("desktop", bypass_csp=True)
    page = visit.page
    page.goto(
        f"{server}/indikator/mss_s1_unemployment"
        "?ebene=planning_area&zeitraum=2020-12-31"
    )
    hrefs = page.locator("svg a.map-area").evaluate_all(
        "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert len(hrefs) == 542
    assert not any(href.endswith(f"/{OLD}") for href in hrefs)
    assert page.locator("#pick-area option").count() == 542
    violations = axe_violations(page)
    assert not violations, describe(violations)
    screenshot(page, "berlin-map-2020-12-31")
    visit.log.assert_no_script_errors()
