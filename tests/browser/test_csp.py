"""Every page type works under the portal's Content-Security-Policy in Chromium: no
violation (no inline style or script, no eval), no script error, charts drawn by vega
and maps shown; and a visit leaves no cookie."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.browser.conftest import PAGE_TYPES, OpenPage, wait_for_charts

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile}:${event.lineNumber} (${event.sample})`);
});
"""
CHARTED = {"indicator-chart", "indicator-change", "compare"}
"""Page types whose default view has at least one vega chart."""
MAPPED = {"indicator-map": "svg.sm-map", "area": "svg.sm-map"}
"""Page types with a server-drawn map, and its selector."""


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_works_under_the_content_security_policy(
    page_type: str,
    server: str,
    open_page: OpenPage,
    page_path: Callable[[str], str],
) -> None:
    visit = open_page("desktop")
    page = visit.page
    page.context.add_init_script(RECORD_VIOLATIONS)
    response = page.goto(server + page_path(page_type))
    assert response is not None and response.status == 200
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy and "unsafe" not in policy
    charts = wait_for_charts(page)
    if page_type in CHARTED:
        assert charts >= 1
        drawn = page.locator(".chart svg .mark-group, .chart svg [class^='mark-']")
        assert drawn.count() >= 1, "vega drew no marks"
    if page_type in MAPPED:
        shown = page.locator(MAPPED[page_type]).first
        assert shown.is_visible()
        assert page.locator(f"{MAPPED[page_type]} path").count() >= 2
    # Let late work (hover handlers, deferred scripts) report too.
    page.wait_for_timeout(200)
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"CSP violations on {page_type}: {violations}"
    visit.log.assert_no_script_errors()
    assert page.context.cookies() == []
