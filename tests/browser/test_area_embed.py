"""The embeddable chart of the area profile (issue 13) in Debian's Chromium: axe-core
finds no WCAG 2.1 A/AA violation at desktop and phone width in German and English,
nothing scrolls sideways, no other server is asked, the Content-Security-Policy is
kept and no cookie is set; the profile's embed code under a chart passes axe opened."""

from __future__ import annotations

import pytest

from tests.browser.conftest import VIEWPORTS, OpenPage, screenshot
from tests.browser.test_csp import RECORD_VIOLATIONS
from tests.browser.test_embed import check_page, with_lang

pytestmark = pytest.mark.browser
EMBED = "/einbetten/gebiet/03241009?indikator=unemployment_share"
PROFILE = "/gebiet/03241009"


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_area_embed_is_accessible_and_alone(
    viewport: str, lang: str, server: str, open_page: OpenPage
) -> None:
    path = with_lang(EMBED, lang)
    visit = open_page(viewport, bypass_csp=True)  # axe is an inline script
    page = visit.page
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == lang
    assert page.locator("header, footer.site, form, nav").count() == 0
    assert page.locator("figure.embed-series svg.sparkline").is_visible()
    assert page.locator("footer.embed-source a").count() == 1
    check_page(page, f"{path} ({viewport})", viewport)
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()
    screenshot(page, f"embed-area-{viewport}-{lang}")


def test_the_area_embed_keeps_the_content_security_policy(
    server: str, open_page: OpenPage
) -> None:
    visit = open_page("desktop")
    page = visit.page
    page.context.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(server + EMBED)
    assert response is not None and response.status == 200
    page.wait_for_timeout(200)
    assert page.evaluate("window.__cspViolations") == []
    assert page.context.cookies() == []


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_profile_with_an_embed_code_opened_is_accessible(
    viewport: str, lang: str, server: str, open_page: OpenPage
) -> None:
    path = with_lang(PROFILE, lang)
    visit = open_page(viewport, bypass_csp=True)
    page = visit.page
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    summary = page.locator("details.row-embed summary").first
    summary.click()
    field = page.locator("details.row-embed textarea").first
    assert field.is_visible()
    assert "/einbetten/gebiet/03241009?indikator=" in field.input_value()
    check_page(page, f"{path} ({viewport})", viewport)
    visit.log.assert_only_app()
    if lang == "de":
        screenshot(page, f"area-embed-code-{viewport}")
