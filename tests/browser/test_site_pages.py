"""The portal as a municipality's own site, in Debian's Chromium: the legal pages and
a start page with a site configuration (the demo's Region Hannover) pass axe-core at
both widths in both languages, show the site's logo and colours, and load nothing
from elsewhere; the legal pages of the portal without a site file too."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from sozialmonitor.ingest.demo import demo_site
from sozialmonitor.web.site import load_site
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import VIEWPORTS, RequestLog, screenshot, serving

pytestmark = pytest.mark.browser

SITE = "hannover"
SITE_PATHS = ("/", "/impressum", "/datenschutz", "/barrierefreiheit")
PLAIN_PATHS = ("/impressum", "/datenschutz", "/barrierefreiheit")


@pytest.fixture(scope="module")
def site_server(demo_sqlite: Engine) -> Iterator[str]:
    """The demo portal with the demo's Region Hannover site."""
    from sozialmonitor.web.app import create_app

    with serving(create_app(demo_sqlite, site=demo_site(SITE))) as base:
        yield base


def _check(browser: Any, base: str, path: str, viewport: str, lang: str) -> Any:
    if lang == "en":
        path += "?lang=en"
    # bypass_csp: axe is injected as an inline script.
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="de-DE", bypass_csp=True
    )
    log = RequestLog(app=base)
    context.on("request", lambda request: log.urls.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    page.on("console", log.console)
    page.on("response", log.response)
    try:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert page.get_attribute("html", "lang") == lang
        violations = axe_violations(page)
        assert not violations, (
            f"axe-core: {len(violations)} WCAG 2.1 A/AA rule(s) violated on {path} "
            f"({viewport}, {lang}):\n{describe(violations)}"
        )
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{path} scrolls sideways"
        log.assert_only_app()
        log.assert_no_script_errors()
        return page, context
    except BaseException:
        context.close()
        raise


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", SITE_PATHS)
def test_site_pages_pass_axe_and_show_the_site(
    browser: Any, site_server: str, path: str, viewport: str, lang: str
) -> None:
    site = load_site(demo_site(SITE))
    page, context = _check(browser, site_server, path, viewport, lang)
    try:
        logo = page.locator("header .brand img.logo")
        assert logo.get_attribute("alt") == site.logo.alt  # type: ignore[union-attr]
        # The logo is drawn (loaded and decoded), not a broken image.
        assert (
            page.evaluate(
                "document.querySelector('header .brand img.logo').naturalWidth"
            )
            > 0
        )
        assert site.name in page.locator("header .brand").inner_text()
        # The site's colour reached the header through /site.css.
        header = page.evaluate(
            "getComputedStyle(document.querySelector('header.site')).backgroundColor"
        )
        assert header == "rgb(0, 77, 64)", header  # #004d40, the primary colour
        links = page.locator("footer.site nav.legal a")
        assert links.count() == 3
        if lang == "de":
            name = "start" if path == "/" else path.strip("/")
            screenshot(page, f"site-{SITE}-{name}-{viewport}")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PLAIN_PATHS)
def test_legal_pages_without_a_site_pass_axe(
    browser: Any, server: str, path: str, viewport: str, lang: str
) -> None:
    page, context = _check(browser, server, path, viewport, lang)
    try:
        assert page.locator("main p.note").count() >= 1
        assert page.locator("header .brand img").count() == 0
    finally:
        context.close()
