"""The start page in Debian's real Chromium, served by the real app on a free port."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web import formatting
from sozialmonitor.web.snapshot import Snapshot
from tests.browser.conftest import OpenPage

pytestmark = pytest.mark.browser


def expected_figure(
    engine: Engine, snap: Snapshot, indicator_id: str, area_name: str, period_text: str
) -> str:
    """The value the database holds for the figure, written the German way."""
    indicator = snap.indicator(indicator_id)
    tops = [a for a in snap.areas.values() if a.name == area_name]
    assert len(tops) >= 1, f"no area named {area_name!r}"
    with engine.connect() as conn:
        found = read_observations(
            conn,
            ObservationQuery(indicators=[indicator_id], areas=[tops[0].code]),
            audience=Audience.PUBLIC,
        )
    by_label = {formatting.period_label(o.period, "de"): o for o in found}
    assert period_text in by_label, (indicator_id, area_name, sorted(by_label))
    obs = by_label[period_text]
    return formatting.with_unit(obs.value, indicator, "de")


def test_start_page_shows_the_demo_and_requests_nothing_outside(
    server: str, open_page: OpenPage, demo_sqlite: Engine, snap: Snapshot
) -> None:
    visit = open_page()
    page = visit.page
    page.goto(server + "/")
    assert "Sozialmonitor" in page.title()
    release = snap.release
    assert release is not None and release.published_at is not None
    footer = page.inner_text("footer")
    assert f"Datenstand: {release.name}" in footer
    assert formatting.date(release.published_at, "de") in footer

    # Every topic has its card, linking to its page.
    cards = page.locator(".topics .card")
    assert cards.count() == len(snap.topics)
    for topic in snap.topics:
        link = page.locator(f'.topics a[href="/thema/{topic.slug}"]')
        assert link.inner_text().strip() == topic.name

    # Every key figure is the database's value, German-formatted.
    figures = page.locator(".topics ul.figures li")
    assert figures.count() >= len(snap.topics)
    for index in range(figures.count()):
        item = figures.nth(index)
        indicator_id = urlsplit(item.locator("a").get_attribute("href")).path.split(
            "/"
        )[-1]
        shown = item.locator("strong").inner_text().strip()
        where = item.locator("span.meta").inner_text().strip().strip("()")
        area_name, period_text = where.rsplit(", ", 1)
        assert shown == expected_figure(
            demo_sqlite, snap, indicator_id, area_name, period_text
        ), item.inner_text()

    # The first Tab reaches the skip link, and it is visibly focused.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()


def test_start_page_in_english(server: str, open_page: OpenPage) -> None:
    visit = open_page()
    page = visit.page
    page.goto(server + "/?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    page.locator("a.language").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "de"
    assert urlsplit(page.url).query == ""
    visit.log.assert_only_app()
