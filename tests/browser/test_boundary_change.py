"""A series across a boundary change in a real browser (issue 12): the chart on
today's areas is drawn with its recomputed values marked ``u`` and the notes naming
the predecessors, the switch leads to the series as it was, the maps of 2020 and
2021 draw the areas of their year, the profile of a split area offers the same
switch; every page without a WCAG 2.1 A/AA violation,
without a script error and without a request elsewhere, in German and English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from sozialmonitor.store.database import connect, init_database
from sozialmonitor.web.app import create_app
from tests.boundary_change import CODES, NAMES, REGION, SHARE, make_boundary_change_db
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import (
    VIEWPORTS,
    RequestLog,
    serving,
    wait_for_charts,
)

pytestmark = pytest.mark.browser
SWITCH = {
    "de": ("heutige Gebiete (umgerechnet)", "wie damals"),
    "en": ("today's areas (recomputed)", "as they were"),
}


@pytest.fixture(scope="module")
def changed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("boundary") / "wandel.db"
    engine = connect(f"sqlite:///{path}")
    init_database(engine)
    make_boundary_change_db(engine)
    yield engine
    engine.dispose()


def accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def column_texts(page: Any, name: str) -> dict[str, str]:
    """Period → text of one area's column of the series table."""
    heads = page.locator("table.series-table thead th").all_inner_texts()
    at = [h.strip() for h in heads].index(name)
    found = {}
    rows = page.locator("table.series-table tbody tr")
    for i in range(rows.count()):
        cells = rows.nth(i).locator("th, td").all_inner_texts()
        found[cells[0].strip()] = cells[at].strip()
    return found


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_series_across_a_boundary_change(
    browser: Any, changed: Engine, viewport: str, lang: str
) -> None:
    with serving(create_app(changed)) as base:
        context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True)
        log = RequestLog(app=base)
        context.on("request", lambda request: log.urls.append(request.url))
        try:
            page = context.new_page()
            page.on("pageerror", lambda error: log.errors.append(str(error)))
            page.on("console", log.console)
            page.on("response", log.response)
            chart = (
                f"{base}/indikator/{SHARE.id}?raum={REGION}&ebene=municipality"
                f"&ansicht=diagramm&gebiete={CODES['S1']}&gebiete={CODES['M']}"
                f"&lang={lang}"
            )
            response = page.goto(chart)
            assert response is not None and response.status == 200
            assert wait_for_charts(page) == 1
            assert page.locator("#chart-series svg path").count() > 0
            today, as_it_was = SWITCH[lang]
            switch = page.locator("p.boundary-switch")
            assert switch.locator("a[aria-current]").inner_text() == today
            series = column_texts(page, NAMES["S1"])
            assert series["2020"].endswith(" u"), series
            assert not series["2021"].endswith(" u"), series
            assert page.locator(".recomputed-notes li").count() == 2
            accessible(page)

            switch.get_by_role("link", name=as_it_was).click()
            page.wait_for_load_state("load")
            assert "gebietsstand=damals" in page.url
            wait_for_charts(page)
            assert column_texts(page, NAMES["S1"])["2020"] == "–"
            assert page.locator(".recomputed-notes").count() == 0
            accessible(page)

            for period, shown in (("2020", "A"), ("2021", "M")):
                page.goto(
                    f"{base}/indikator/{SHARE.id}?raum={REGION}&ebene=municipality"
                    f"&zeitraum={period}&lang={lang}"
                )
                drawn = page.locator("section.view-map svg a[href*='/gebiet/']")
                hrefs = [drawn.nth(i).get_attribute("href") for i in range(3)]
                assert drawn.count() == 3
                assert any(CODES[shown] in (h or "") for h in hrefs)
                accessible(page)

            change = (
                f"{base}/indikator/{SHARE.id}?raum={REGION}&ebene=municipality"
                f"&ansicht=veraenderung&von=2020&bis=2022&lang={lang}"
            )
            page.goto(change)
            assert page.locator("p.boundary-note").count() == 1
            accessible(page)

            # the profile of a split area: its series on today's area, switchable
            page.goto(f"{base}/gebiet/{CODES['S1']}?lang={lang}")
            switch = page.locator(".boundary-state p.boundary-switch")
            assert switch.locator("a[aria-current]").inner_text() == today
            assert page.locator(".boundary-state .recomputed-notes li").count() == 1
            accessible(page)
            switch.get_by_role("link", name=as_it_was).click()
            page.wait_for_load_state("load")
            assert "gebietsstand=damals" in page.url
            assert page.locator(".boundary-state .recomputed-notes").count() == 0
            accessible(page)
        finally:
            context.close()
    log.assert_no_script_errors()
    log.assert_only_app()
