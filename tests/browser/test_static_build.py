"""The static build of the demo subset served by ``python -m http.server`` under a
sub-path, opened in Debian's Chromium: the pages render with their style sheets,
every request goes to that server and none fails, the search works without one."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sozialmonitor.publish.build import BuildOutcome
from tests.browser.conftest import DESKTOP, RequestLog
from tests.live_server import free_port
from tests.publish.demo_subset import DEMO_SUB

pytestmark = pytest.mark.browser
PAGES = (
    "",
    "thema/",
    "gebiet/",
    "gebiet/03241001/",
    "indikator/unemployment_share/",
    "methoden/",
)


@pytest.fixture(scope="module")
def static_server(hannover_build: tuple[Path, BuildOutcome]) -> Iterator[str]:
    """The build served by Python's own file server on a free port of 127.0.0.1."""
    root, _ = hannover_build
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                httpx.get(f"{base}{DEMO_SUB}", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _open(browser: Any, server: str, path: str) -> tuple[Any, Any, RequestLog]:
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    context.set_default_timeout(10_000)
    log = RequestLog(app=server)
    context.on("request", lambda request: log.urls.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    page.on("console", log.console)
    page.on("response", log.response)
    page.goto(f"{server}{DEMO_SUB}{path}")
    page.wait_for_load_state("load")
    return context, page, log


_STYLED = """() => [...document.styleSheets].some((s) =>
  s.href && s.href.endsWith('/static/css/portal.css') && s.cssRules.length > 0)"""


@pytest.mark.parametrize("path", PAGES)
def test_a_page_of_the_build_renders_with_its_styles(
    browser: Any, static_server: str, path: str
) -> None:
    context, page, log = _open(browser, static_server, path)
    try:
        assert page.locator("h1").first.inner_text().strip()
        assert page.evaluate(_STYLED), "portal.css did not load"
        # The style sheet applies: the header is not the browser's default block.
        assert page.evaluate(
            "() => getComputedStyle(document.querySelector('header.site'))"
            ".backgroundColor !== 'rgba(0, 0, 0, 0)'"
        )
        log.assert_only_app()
        log.assert_no_script_errors()
        assert log.urls, "the page made no request"
    finally:
        context.close()


def test_the_search_of_the_build_finds_without_a_server(
    browser: Any, static_server: str
) -> None:
    context, page, log = _open(browser, static_server, "")
    try:
        page.fill("#site-search", "Arbeitslose")
        page.locator("form.search button").click()
        page.wait_for_url(f"**{DEMO_SUB}suche/?q=Arbeitslose")
        items = page.locator("#static-search-list li")
        page.wait_for_function(
            "() => document.querySelectorAll('#static-search-list li').length < 50"
        )
        texts = items.all_inner_texts()
        assert texts, "the search found nothing"
        assert all("arbeitslose" in t.lower() for t in texts), texts
        assert "passen zu" in page.locator(".search-status").inner_text() or (
            "passt zu" in page.locator(".search-status").inner_text()
        )
        first = items.first.locator("a")
        first.click()
        page.wait_for_load_state("load")
        assert page.url.startswith(f"{static_server}{DEMO_SUB}")
        log.assert_only_app()
        log.assert_no_script_errors()
    finally:
        context.close()
