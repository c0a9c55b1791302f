"""The embeddable views and the page for an unknown address in a real browser:
axe-core finds no WCAG 2.1 A/AA violation at desktop and phone width, in German
and in English; the embed shows its view alone, draws its chart, asks no other
server, and another site may frame it when the setting names that site."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import (
    VIEWPORTS,
    WALK_INDICATOR,
    OpenPage,
    serving,
    wait_for_charts,
)
from tests.browser.test_accessibility import _SIDEWAYS

pytestmark = pytest.mark.browser
EMBEDS = {
    "map": f"/einbetten/indikator/{WALK_INDICATOR}?ansicht=karte",
    "chart": f"/einbetten/indikator/{WALK_INDICATOR}?ansicht=diagramm",
    "table": f"/einbetten/indikator/{WALK_INDICATOR}?ansicht=tabelle",
    "change": f"/einbetten/indikator/{WALK_INDICATOR}?ansicht=veraenderung",
}
UNKNOWN = "/gibt/es/nicht%3Cb%3E"


def with_lang(path: str, lang: str) -> str:
    if lang == "de":
        return path
    return path + ("&" if "?" in path else "?") + "lang=en"


def check_page(page: Any, label: str, viewport: str) -> None:
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core: {len(violations)} WCAG 2.1 A/AA rule(s) violated on {label}:\n"
        f"{describe(violations)}"
    )
    sideways = page.evaluate(_SIDEWAYS)
    assert sideways["width"] <= VIEWPORTS[viewport]["width"], (
        f"{label} scrolls sideways: {sideways['culprits']}"
    )


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("view", list(EMBEDS))
def test_the_embed_is_accessible_and_alone(
    view: str, viewport: str, lang: str, server: str, open_page: OpenPage
) -> None:
    path = with_lang(EMBEDS[view], lang)
    visit = open_page(viewport, bypass_csp=True)  # axe is an inline script
    page = visit.page
    response = page.goto(server + path)
    assert response is not None and response.status == 200
    assert page.get_attribute("html", "lang") == lang
    charts = wait_for_charts(page)
    if view in ("chart", "change"):
        assert charts >= 1 and page.locator(".chart svg").count() >= 1
    if view == "map":
        assert page.locator("svg.sm-map a.map-area").count() > 20
    # (vega puts an empty form.vega-bindings into each chart)
    assert page.locator("header, footer.site, form:not(.vega-bindings)").count() == 0
    assert page.locator("footer.embed-source a").count() == 1
    check_page(page, f"{path} ({viewport})", viewport)
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_page_for_an_unknown_address_is_accessible(
    viewport: str, lang: str, server: str, open_page: OpenPage
) -> None:
    path = with_lang(UNKNOWN, lang)
    visit = open_page(viewport, bypass_csp=True)
    page = visit.page
    response = page.goto(server + path)
    assert response is not None and response.status == 404
    assert page.get_attribute("html", "lang") == lang
    page.fill("main input[name=q]", "Arbeitslose")
    check_page(page, f"{path} ({viewport})", viewport)
    visit.log.assert_only_app()
    with page.expect_navigation():
        page.press("main input[name=q]", "Enter")
    assert "/suche?q=Arbeitslose" in page.url


@pytest.fixture(scope="module")
def two_sites(demo_sqlite: Engine) -> Iterator[tuple[str, str]]:
    """The portal allowing a second site to frame its embeds, and that site (another
    origin: another port) with a page that frames an embed and the start page."""
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse

    from sozialmonitor.web.app import create_app
    from tests.live_server import free_port

    port = free_port()
    host = f"http://127.0.0.1:{port}"
    portal_app = create_app(demo_sqlite, ancestors=host)
    with serving(portal_app) as portal:
        site = FastAPI()

        @site.get("/", response_class=HTMLResponse)
        def framing() -> str:
            return (
                "<!doctype html><html lang='de'><title>Gemeinde</title><body>"
                f"<iframe id='embed' title='Einbettung' src='{portal}"
                f"{EMBEDS['map']}' width='800' height='600'></iframe>"
                f"<iframe id='start' title='Start' src='{portal}/' width='800' "
                "height='600'></iframe></body></html>"
            )

        import uvicorn

        config = uvicorn.Config(site, host="127.0.0.1", port=port, log_level="warning")
        server = uvicorn.Server(config)
        import threading

        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        import time

        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "the framing site did not start"
            time.sleep(0.05)
        try:
            yield portal, host
        finally:
            server.should_exit = True
            thread.join(timeout=5)


def test_another_site_may_frame_the_embed_but_no_other_page(
    browser: Any, two_sites: tuple[str, str]
) -> None:
    portal, host = two_sites
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(host + "/")
        page.wait_for_load_state("load")
        frames = {f.url.split("?")[0].removeprefix(portal): f for f in page.frames}
        embed = frames.get(EMBEDS["map"].split("?")[0])
        assert embed is not None, [f.url for f in page.frames]
        embed.wait_for_selector("svg.sm-map", timeout=10_000)
        # Skipping the map stays within the frame (the other links open the portal).
        embed.focus("a.skip-map")
        embed.press("a.skip-map", "Enter")
        assert page.url == host + "/"
        assert embed.evaluate("document.activeElement.id") == "after-map"
        # The start page refuses to be framed: the browser shows its error page.
        start = page.locator("#start").element_handle()
        assert start is not None
        frame = start.content_frame()
        assert frame is not None
        assert frame.locator("a.brand").count() == 0
        assert not frame.url.startswith(portal), frame.url
    finally:
        context.close()
