"""The hot-spot map and the trend markers in a real browser (issue 13): what the
page shows equals ``sozialmonitor stats spatial|trend`` (the service functions
they call), on the demo data; axe-core checks both views at both widths in both
languages (``test_accessibility``, page types ``indicator-hotspots`` and
``indicator-table``)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sozialmonitor.analysis.service import area_trend, spatial_level
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import VIEWPORTS, OpenPage, screenshot

pytestmark = pytest.mark.browser
SHARE = "unemployment_share"
REGION = "03241"
VIEW = f"/indikator/{SHARE}?raum={REGION}&ebene=municipality"


def test_hot_spot_map_equals_stats_spatial(
    server: str, open_page: OpenPage, demo_sqlite: Engine
) -> None:
    with demo_sqlite.connect() as conn:
        report = spatial_level(conn, indicator=SHARE, level="municipality")
    moran = report.analysis.moran
    assert moran is not None
    expected = {
        area.code: local.cluster.label
        for area, local in zip(report.areas, report.analysis.local, strict=True)
    }
    visit = open_page("desktop")
    page = visit.page
    page.goto(f"{server}{VIEW}&ansicht=hotspots")
    statement = page.locator(".moran-statement").inner_text()
    i_text = f"{moran.i:.2f}".replace(".", ",")
    p_text = f"{moran.p_value:.3f}".replace(".", ",")
    assert f"Moran's I = {i_text}, p = {p_text}" in statement
    links = page.locator(".view-hotspots svg a.map-area")
    assert links.count() == 21  # Region Hannover's municipalities
    for index in range(links.count()):
        link = links.nth(index)
        code = link.get_attribute("data-code")
        label = link.get_attribute("aria-label") or ""
        assert code is not None
        assert label.endswith(f"– {expected[code]}"), (code, label)
    legend = page.locator(".hotspot-legend li").all_inner_texts()
    assert legend and all("(" in line for line in legend)
    screenshot(page, "indicator-hotspots-region-desktop")
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_trend_markers_in_the_table(
    server: str,
    open_page: OpenPage,
    demo_sqlite: Engine,
    viewport: str,
    lang: str,
) -> None:
    visit = open_page(viewport, bypass_csp=True)
    page = visit.page
    page.goto(f"{server}{VIEW}&ansicht=tabelle&lang={lang}")
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 21
    words = {
        "de": {"increasing": "steigend, signifikant", "decreasing": "fallend"},
        "en": {"increasing": "increasing, significant", "decreasing": "decreasing"},
    }[lang]
    with demo_sqlite.connect() as conn:
        for index in range(0, 21, 5):
            row = rows.nth(index)
            code = row.get_attribute("data-code")
            assert code is not None
            marker = row.locator(".trend-marker")
            found = area_trend(conn, indicator=SHARE, area=code).trend.direction
            assert marker.get_attribute("data-trend") == found.value
            if found.value in words:
                assert words[found.value] in marker.inner_text()
    assert page.locator(".trend-note").inner_text().startswith("Trend: Mann-Kendall")
    violations = axe_violations(page)
    assert not violations, describe(violations)
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()
