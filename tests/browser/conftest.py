"""The browser harness: the real app on a free port, Debian's Chromium driven by
Playwright, and a record of every request the pages make.

One server and one browser serve the whole session; each test opens its own
context (viewport, language) so that nothing leaks between tests.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from sozialmonitor.web.snapshot import Snapshot, snapshot
from tests.live_server import serving

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
README_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SCREENSHOTS = Path(tempfile.gettempdir()) / "sozialmonitor-screenshots"
"""Where screenshots go; the README's folder only with ``--update-screenshots``, so
that a normal run never rewrites a tracked file."""
SCREENSHOT_MAX_HEIGHT = 5_000
"""A longer page is shown down to here (the Sozialindex page with its 91 focus areas
is some 16,000 pixels long)."""


def pytest_configure(config: pytest.Config) -> None:
    global SCREENSHOTS
    if config.getoption("--update-screenshots", default=False):
        SCREENSHOTS = README_SCREENSHOTS


LOCAL_SCHEMES = {"data", "blob", "about"}
"""Schemes that never leave the browser."""
CHART_TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def server(demo_sqlite: Engine) -> Iterator[str]:
    """The real portal on the real demo data, served by uvicorn in a thread."""
    from sozialmonitor.web.app import create_app

    with serving(create_app(demo_sqlite)) as base:
        yield base


@pytest.fixture(scope="session")
def snap(demo_sqlite: Engine) -> Snapshot:
    """The catalogue as the portal sees it (indicators, topics, areas, scopes)."""
    return snapshot(demo_sqlite)


@dataclass
class RequestLog:
    """Every request a page made, and every script error it raised."""

    app: str
    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """The requests that went to any host other than the app."""
        own = urlsplit(self.app)
        found = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
                found.append(url)
        return found

    def console(self, message: Any) -> None:
        # Failed loads are reported with their URL by ``response``.
        if message.type == "error" and not message.text.startswith(
            "Failed to load resource"
        ):
            self.errors.append(f"console: {message.text}")

    def response(self, response: Any) -> None:
        # The browser asks for /favicon.ico on its own; the page does not.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def assert_only_app(self) -> None:
        foreign = self.foreign()
        assert not foreign, (
            f"{len(foreign)} request(s) went to a host other than the app "
            f"{self.app}: {foreign}\nall {len(self.urls)} requests: {self.urls}"
        )

    def assert_no_script_errors(self) -> None:
        assert not self.errors, f"script errors on the page: {self.errors}"


@dataclass
class Visit:
    page: Any
    log: RequestLog


OpenPage = Callable[..., Visit]


@pytest.fixture
def open_page(browser: Any, server: str) -> Iterator[OpenPage]:
    """``open_page(viewport="desktop"|"phone", **context_options)`` → a fresh page in
    its own context with a request log; closed after the test, which also checks
    that no request went elsewhere (the tests assert it themselves too)."""
    contexts: list[Any] = []
    logs: list[RequestLog] = []

    def opener(viewport: str = "desktop", **options: Any) -> Visit:
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="de-DE", **options
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        log = RequestLog(app=server)
        # On the context: also what a popup asks for.
        context.on("request", lambda request: log.urls.append(request.url))
        page = context.new_page()
        # Downloads bypass the request events; their URLs are recorded too.
        page.on("download", lambda download: log.urls.append(download.url))
        page.on("pageerror", lambda error: log.errors.append(str(error)))
        page.on("console", log.console)
        page.on("response", log.response)
        logs.append(log)
        return Visit(page=page, log=log)

    yield opener
    for context in contexts:
        context.close()
    for log in logs:
        log.assert_only_app()


_CHARTS_DRAWN = """() => [...document.querySelectorAll(
  'script[type="application/json"].vega-spec[data-target]')].every((s) => {
    const box = document.getElementById(s.dataset.target);
    return !box || box.querySelector("svg") !== null;
  })"""


def wait_for_charts(page: Any) -> int:
    """Wait until vega has drawn its SVG into every chart container of the page;
    returns the number of charts."""
    page.wait_for_load_state("load")
    page.wait_for_function(_CHARTS_DRAWN, timeout=CHART_TIMEOUT_MS)
    count: int = page.locator("script.vega-spec[data-target]").count()
    return count


def screenshot(page: Any, name: str) -> Path:
    """Write ``<name>.png`` (the full page, at most ``SCREENSHOT_MAX_HEIGHT``
    pixels of it) to ``SCREENSHOTS``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    width, height = page.evaluate(
        "() => [document.documentElement.scrollWidth,"
        " document.documentElement.scrollHeight]"
    )
    shown = min(height, SCREENSHOT_MAX_HEIGHT)
    clip = {"x": 0, "y": 0, "width": width, "height": shown}
    page.screenshot(path=str(path), full_page=True, clip=clip, animations="disabled")
    return path


# The demo's walk: a Region Hannover figure with values for the region and its
# 21 municipalities over two decades.
WALK_INDICATOR = "unemployment_share"
WALK_AREA = "Laatzen"
WALK_OTHER_AREA = "Garbsen"
SEARCH_WORD = "Arbeitslose"
INDICATOR_TABS = ("map", "chart", "table", "change", "hotspots")
PAGE_TYPES = (
    "start",
    "topics",
    "topic",
    *(f"indicator-{tab}" for tab in INDICATOR_TABS),
    "areas",
    "area",
    "compare",
    "methods",
    "gaps",
    "gaps-table",
    "search",
    "sozialindex",
    "embed",
    "recommendations",
    "recommendation",
    "reports",
    "report",
    "digest",
)


def area_named(snap: Snapshot, name: str) -> str:
    """The code of the one area with this name."""
    codes = [code for code, area in snap.areas.items() if area.name == name]
    assert len(codes) == 1, f"{len(codes)} areas named {name!r}"
    return codes[0]


def tab_paths(server: str, indicator: str) -> dict[str, str]:
    """The indicator page's views, read from its tab links (in their order: map,
    chart, table, change, hot spots)."""
    import httpx
    from bs4 import BeautifulSoup

    response = httpx.get(f"{server}/indikator/{indicator}", timeout=30)
    assert response.status_code == 200, (
        f"/indikator/{indicator}: HTTP {response.status_code}"
    )
    soup = BeautifulSoup(response.text, "html.parser")
    links = [a["href"] for a in soup.select(".tabs a[href]")]
    assert len(links) == len(INDICATOR_TABS), (
        f"the indicator page should have {len(INDICATOR_TABS)} tab links "
        f"(map, chart, table, change, hot spots), found {links}"
    )
    return dict(zip(INDICATOR_TABS, links, strict=True))


@pytest.fixture(scope="session")
def page_path(server: str, snap: Snapshot) -> Callable[[str], str]:
    """``page_path(page_type)`` → the URL path of that page type on the demo data."""
    indicator = snap.indicator(WALK_INDICATOR)
    topic = next(t for t in snap.topics if indicator in t.indicators)
    area = area_named(snap, WALK_AREA)
    other = area_named(snap, WALK_OTHER_AREA)
    paths = {
        "start": "/",
        "topics": "/thema",
        "topic": f"/thema/{topic.slug}",
        "areas": "/gebiet",
        "area": f"/gebiet/{area}",
        "compare": f"/vergleich?gebiete={area}&gebiete={other}"
        f"&kennzahl={WALK_INDICATOR}",
        "methods": "/methoden",
        "gaps": "/datenluecken",
        "gaps-table": "/datenluecken?ansicht=tabelle",
        "search": f"/suche?q={SEARCH_WORD}",
        "sozialindex": "/sozialindex/mss",
        "embed": f"/einbetten/indikator/{WALK_INDICATOR}",
        "recommendations": "/empfehlungen",
        "recommendation": "/empfehlungen/B-H-01",
        "reports": "/berichte",
        "report": f"/berichte/gebietsprofil?gebiet={area}"
        "&kapitel=kennzahlen-nach-themenfeld",
        "digest": "/veraenderungen",
    }
    tabs: dict[str, str] = {}

    def lookup(page_type: str) -> str:
        if page_type.startswith("indicator-"):
            if not tabs:
                tabs.update(tab_paths(server, WALK_INDICATOR))
            return tabs[page_type.removeprefix("indicator-")]
        return paths[page_type]

    return lookup
