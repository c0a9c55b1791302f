"""The Berlin demo site's start page with the medians of the planning areas where
Berlin has no value (issue 13), in Debian's Chromium: axe-core at both widths in
both languages, no sideways scrolling, nothing loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from sozialmonitor.ingest.demo import demo_site
from tests.browser.conftest import VIEWPORTS, screenshot, serving
from tests.browser.test_site_pages import _check

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def berlin_server(demo_sqlite: Engine) -> Iterator[str]:
    from sozialmonitor.web.app import create_app

    with serving(create_app(demo_sqlite, site=demo_site("berlin"))) as base:
        yield base


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_berlin_start_page_with_medians_passes_axe(
    browser: Any, berlin_server: str, viewport: str, lang: str
) -> None:
    page, context = _check(browser, berlin_server, "/", viewport, lang)
    try:
        medians = page.locator("ul.figures li.median")
        assert medians.count() >= 5
        first = medians.first.inner_text()
        word = "Median in den 536 Planungsräumen" if lang == "de" else "Median of the"
        assert word in first
        screenshot(page, f"site-berlin-start-{viewport}-{lang}")
    finally:
        context.close()
