"""The walk a citizen takes, in Debian's Chromium: start → topic → indicator (map,
chart, table, change) → an area picked on the map → its profile → compared with
another area → the CSV and the PNG downloaded. What each page shows is checked
against the database, read through the same gate the portal uses; every request
of the whole walk is recorded and must go to the app."""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web import formatting
from sozialmonitor.web.snapshot import Snapshot
from tests.browser.conftest import (
    WALK_AREA,
    WALK_INDICATOR,
    WALK_OTHER_AREA,
    OpenPage,
    area_named,
    wait_for_charts,
)

pytestmark = pytest.mark.browser
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
RTOL = 1e-6


def norm(text: str) -> str:
    """Whitespace (also no-break and narrow no-break spaces) as single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " ")).strip()


def read(
    engine: Engine,
    indicator: str,
    areas: list[str] | None = None,
    *,
    level: str | None = None,
    periods: list[str] | None = None,
) -> list[Observation]:
    """Values through the portal's one read gate, as the public may see them."""
    with engine.connect() as conn:
        return read_observations(
            conn,
            ObservationQuery(
                indicators=[indicator], areas=areas, level=level, periods=periods
            ),
            audience=Audience.PUBLIC,
        )


def series(engine: Engine, indicator: str, area: str) -> dict[str, Observation]:
    """Period → value of one area, oldest first."""
    return {o.period: o for o in read(engine, indicator, [area])}


def shown(obs: Observation | None, indicator: Indicator) -> str:
    """The value as the page must write it (with unit, German)."""
    if obs is not None and obs.flags & Flag.SUPPRESSED:
        return formatting.SUPPRESSED_SIGN
    return formatting.with_unit(obs.value if obs else None, indicator, "de")


def plain(obs: Observation | None, indicator: Indicator) -> str:
    """The value without unit, as a table cell may write it."""
    if obs is not None and obs.flags & Flag.SUPPRESSED:
        return formatting.SUPPRESSED_SIGN
    return formatting.number(obs.value if obs else None, indicator.decimals, "de")


FLAG_SIGNS = (
    (Flag.PROVISIONAL, "p"),
    (Flag.REVISED, "r"),
    (Flag.ESTIMATED, "s"),
    (Flag.BREAK, "|"),
)
"""The signs of the legend (Zeichenerklärung), in its order."""


def written(obs: Observation | None, indicator: Indicator) -> set[str]:
    """The ways a page may write the value: with or without its unit, with or
    without the signs of its flags (p, r, s, |)."""
    texts = {norm(shown(obs, indicator)), norm(plain(obs, indicator))}
    signs = "".join(s for flag, s in FLAG_SIGNS if obs is not None and obs.flags & flag)
    if signs:
        texts |= {f"{text} {signs}" for text in texts} | {
            f"{text}{signs}" for text in texts
        }
    return texts


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def view_state(page: Any) -> dict[str, str]:
    """What the indicator page shows, read from its controls (the URL may leave
    the defaults out)."""
    state = {}
    for name in ("raum", "ebene", "zeitraum", "von", "bis"):
        control = page.locator(f"#ctl-{name}")
        if control.count():
            state[name] = control.input_value()
    return state


def cell_texts(row: Any) -> list[str]:
    return [norm(t) for t in row.locator("th, td").all_inner_texts()]


# -- the steps -----------------------------------------------------------------


def check_topic(page: Any, engine: Engine, snap: Snapshot) -> None:
    """Each indicator's newest value of the top area and its change against the
    period the page names, as the database has them."""
    rows = page.locator("table.topic-table tbody tr")
    assert rows.count() > 0
    checked = 0
    for index in range(rows.count()):
        row = rows.nth(index)
        link = row.locator("th a")
        indicator = snap.indicator(
            urlsplit(link.get_attribute("href")).path.rsplit("/", 1)[-1]
        )
        cells = row.locator("td")
        if cells.count() < 6:  # a note instead of values ("Werte ab Ebene …")
            continue
        area = area_named(snap, norm(cells.nth(0).inner_text()))
        values = series(engine, indicator.id, area)
        by_label = {formatting.period_label(p, "de"): o for p, o in values.items()}
        period_text = norm(cells.nth(1).inner_text())
        assert period_text == formatting.period_label(list(values)[-1], "de")
        latest = by_label[period_text]
        assert norm(cells.nth(2).inner_text()) == norm(shown(latest, indicator))
        change_cell = norm(cells.nth(3).inner_text())
        if change_cell != formatting.NO_VALUE_SIGN:
            since = re.search(r"seit (.+)$", change_cell)
            assert since, change_cell
            earlier = by_label[since.group(1)]
            expected = formatting.change(latest.value - earlier.value, indicator, "de")
            assert change_cell.startswith(norm(expected)), (change_cell, expected)
        checked += 1
    assert checked > 0


def check_profile(page: Any, engine: Engine, snap: Snapshot, area: str) -> None:
    """Every row of the profile: the area's value of the period the row names and
    the region's value of the same period, as the database has them."""
    name = snap.area(area).name
    assert name in page.locator("h1").inner_text()
    region = snap.top_area(area)
    tables = page.locator("table.profile-table")
    assert tables.count() > 0, "the profile shows no indicator"
    checked = 0
    for t in range(tables.count()):
        table = tables.nth(t)
        headers = [norm(h) for h in table.locator("thead th").all_inner_texts()]
        # The row header is column 0; the data cells (td) start at column 1.
        own_column = headers.index(name) - 1
        region_column = headers.index(region.name) - 1
        rows = table.locator("tbody.indicator tr:not(.reading)")
        for index in range(rows.count()):
            row = rows.nth(index)
            href = row.locator("th a").get_attribute("href")
            indicator = snap.indicator(urlsplit(href).path.rsplit("/", 1)[-1])
            period_text = norm(row.locator("th .period").inner_text())
            own = {
                formatting.period_label(p, "de"): o
                for p, o in series(engine, indicator.id, area).items()
            }
            assert period_text in own, (indicator.id, period_text, list(own))
            obs = own[period_text]
            cells = row.locator("td")
            assert norm(cells.nth(own_column).inner_text()) == norm(
                shown(obs, indicator)
            ), indicator.id
            region_obs = read(engine, indicator.id, [region.code], periods=[obs.period])
            assert norm(cells.nth(region_column).inner_text()) == norm(
                shown(region_obs[0] if region_obs else None, indicator)
            ), (indicator.id, region.name)
            checked += 1
    assert checked > 0


def check_map(page: Any, engine: Engine, snap: Snapshot, indicator: Indicator) -> str:
    """Every area of the map is a link named with its value of the shown period;
    returns that period."""
    state = view_state(page)
    root, level, period = state["raum"], state["ebene"], state["zeitraum"]
    expected_areas = {a.code: a.name for a in snap.areas_in(root, level)}
    links = page.locator("svg a.map-area")
    assert links.count() == len(expected_areas)
    values = {
        o.area: o for o in read(engine, indicator.id, level=level, periods=[period])
    }
    for index in range(links.count()):
        link = links.nth(index)
        code = link.get_attribute("data-code")
        assert code in expected_areas
        assert link.get_attribute("href").startswith(f"/gebiet/{code}")
        label = norm(link.get_attribute("aria-label"))
        assert label == norm(
            f"{expected_areas[code]}: {shown(values.get(code), indicator)}"
        ), label
    legend_counts = [
        int(re.search(r"\((\d+) Gebiet", t).group(1))  # type: ignore[union-attr]
        for t in page.locator("ul.map-legend li").all_inner_texts()
    ]
    assert sum(legend_counts) == len(expected_areas)
    return period


def check_chart(
    page: Any, engine: Engine, snap: Snapshot, indicator: Indicator
) -> None:
    """The chart was drawn by vega as SVG into its container; the table under it
    holds the top area's series as the database has it."""
    assert wait_for_charts(page) >= 1
    target = page.locator("script.vega-spec").first.get_attribute("data-target")
    container = page.locator(f"#{target}")
    assert container.is_visible()
    assert container.locator("svg").count() == 1
    assert container.locator("svg path, svg line").count() > 0, "an empty chart"
    root = view_state(page)["raum"]
    expected = series(engine, indicator.id, root)
    headers = [
        norm(h) for h in page.locator("table.series-table thead th").all_inner_texts()
    ]
    # Column 0 is the period; the top area's column is named after it.
    column = headers.index(snap.area(root).name)
    rows = page.locator("table.series-table tbody tr")
    assert rows.count() == len(expected)
    for index, (period, obs) in enumerate(expected.items()):
        cells = cell_texts(rows.nth(index))
        assert cells[0] == formatting.period_label(period, "de")
        assert cells[column] in written(obs, indicator), (period, cells)


def check_ranking(page: Any, engine: Engine, indicator: Indicator) -> None:
    """The ranking: every area's value of the period, highest first, rank by rank."""
    state = view_state(page)
    level, period = state["ebene"], state["zeitraum"]
    values = {
        o.area: o for o in read(engine, indicator.id, level=level, periods=[period])
    }
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() > 0
    previous = None
    for index in range(rows.count()):
        row = rows.nth(index)
        code = row.get_attribute("data-code")
        obs = values.get(code)
        value_cell = norm(row.locator("td.value").inner_text())
        assert value_cell in written(obs, indicator), (code, value_cell)
        if obs is not None and previous is not None:
            assert obs.value <= previous, "the ranking is not sorted, highest first"
        previous = obs.value if obs is not None else previous


def check_change(page: Any, engine: Engine, indicator: Indicator) -> None:
    """The change view: each area's values of the two periods and their difference."""
    state = view_state(page)
    level, von, bis = state["ebene"], state["von"], state["bis"]
    assert von != bis
    before = {o.area: o for o in read(engine, indicator.id, level=level, periods=[von])}
    after = {o.area: o for o in read(engine, indicator.id, level=level, periods=[bis])}
    rows = page.locator("table.changes tbody tr:not(.total)")
    assert rows.count() > 0
    for index in range(rows.count()):
        row = rows.nth(index)
        code = row.get_attribute("data-code")
        cells = [norm(t) for t in row.locator("td").all_inner_texts()]
        b, a = before.get(code), after.get(code)
        assert cells[0] in written(b, indicator), (code, cells)
        assert cells[1] in written(a, indicator), (code, cells)
        if a is not None and b is not None:
            expected = formatting.change(a.value - b.value, indicator, "de")
            assert cells[2] == norm(expected), (code, cells, expected)


def check_compare(
    page: Any, engine: Engine, snap: Snapshot, first: str, second: str
) -> None:
    """Both areas' values of the period each row names, and their difference."""
    names = [snap.area(first).name, snap.area(second).name]
    assert all(name in page.locator("h1, main").first.inner_text() for name in names)
    tables = page.locator("table.compare-table")
    assert tables.count() > 0, "the comparison shows no indicator"
    checked = 0
    for t in range(tables.count()):
        rows = tables.nth(t).locator("tbody tr")
        headers = [norm(h) for h in tables.nth(t).locator("thead th").all_inner_texts()]
        assert headers[1:3] == names
        for index in range(rows.count()):
            row = rows.nth(index)
            href = row.locator("th a").get_attribute("href")
            indicator = snap.indicator(urlsplit(href).path.rsplit("/", 1)[-1])
            period_text = norm(row.locator("th .period").inner_text())
            cells = [norm(c) for c in row.locator("td").all_inner_texts()]
            found = []
            for code, cell in zip((first, second), cells[:2], strict=True):
                by_label = {
                    formatting.period_label(p, "de"): o
                    for p, o in series(engine, indicator.id, code).items()
                }
                assert period_text in by_label, (indicator.id, code, period_text)
                obs = by_label[period_text]
                assert cell == norm(shown(obs, indicator)), (indicator.id, code, cell)
                found.append(obs)
            if all(o.value is not None for o in found):
                difference = found[0].value - found[1].value
                assert cells[2] == norm(
                    formatting.change(difference, indicator, "de")
                ), (
                    indicator.id,
                    cells,
                )
            checked += 1
    assert checked > 0


def check_compare_chart(
    page: Any, engine: Engine, indicator: Indicator, codes: list[str]
) -> None:
    """The comparison's chart: drawn by vega, and its table holds both series."""
    assert wait_for_charts(page) == 1
    block = page.locator("section.chart-block")
    assert block.locator(".chart svg").count() == 1
    assert indicator.short_name in block.locator("h2").inner_text() or (
        indicator.name in block.locator("h2").inner_text()
    )
    block.locator("details summary").click()
    rows = block.locator("table tbody tr")
    values = [series(engine, indicator.id, code) for code in codes]
    periods = sorted(
        set(values[0]) | set(values[1]), key=lambda p: (parse_period(p).end, p)
    )
    assert rows.count() == len(periods)
    for index, period in enumerate(periods):
        cells = cell_texts(rows.nth(index))
        assert cells[0] == formatting.period_label(period, "de")
        for column, found in enumerate(values, start=1):
            assert cells[column] in written(found.get(period), indicator), (
                period,
                cells,
            )


def check_csv(
    content: bytes, engine: Engine, snap: Snapshot, indicator: Indicator, url: str
) -> None:
    """The machine CSV holds every area of the view with the database's values."""
    params = query_of(url)
    root, level, period = params["raum"][0], params["ebene"][0], params["zeitraum"][0]
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    expected = {
        o.area: o for o in read(engine, indicator.id, level=level, periods=[period])
    }
    assert {r["area"] for r in rows} == {a.code for a in snap.areas_in(root, level)}
    for row in rows:
        obs = expected[row["area"]]
        assert row["indicator"] == indicator.id
        assert row["period"] == period
        assert row["area_name"] == snap.area(row["area"]).name
        assert float(row["value"]) == pytest.approx(obs.value, rel=RTOL)
        if obs.numerator is not None:
            assert float(row["numerator"]) == pytest.approx(obs.numerator, rel=RTOL)
            assert float(row["denominator"]) == pytest.approx(obs.denominator, rel=RTOL)


def check_series_csv(
    content: bytes, engine: Engine, indicator: Indicator, root: str
) -> None:
    """The chart view's CSV is the chart's series, as the database has it."""
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    expected = series(engine, indicator.id, root)
    assert [(r["area"], r["period"]) for r in rows] == [(root, p) for p in expected]
    for row in rows:
        obs = expected[row["period"]]
        assert float(row["value"]) == pytest.approx(obs.value, rel=RTOL)


def check_german_csv(content: bytes, indicator: Indicator) -> None:
    """Excel's German CSV: BOM, semicolons, German headers, figures with a decimal
    comma rounded to the indicator's decimals (or a sign), a legend at the end."""
    assert content.startswith("\ufeff".encode())
    table, _, legend = content.decode("utf-8-sig").partition("\r\n\r\n")
    rows = list(csv.DictReader(io.StringIO(table), delimiter=";"))
    assert rows and all(r["Kennzahl"] == indicator.name for r in rows)
    places = rf",\d{{{indicator.decimals}}}" if indicator.decimals else ""
    figure = re.compile(rf"-?\d+{places}|[.–]")
    assert all(figure.fullmatch(r["Wert"]) for r in rows), [r["Wert"] for r in rows]
    assert legend.startswith("Zeichen: ")


def download(page: Any, data_format: str) -> tuple[bytes, str]:
    """Click the download link of that format; the file's bytes and its URL."""
    link = page.locator(f'ul.downloads a[data-format="{data_format}"]')
    with page.expect_download() as info:
        link.click()
    item = info.value
    path = item.path()
    assert item.failure() is None, item.failure()
    with open(path, "rb") as handle:
        return handle.read(), item.url


_TEXT_SHOWN = """(label) => [...document.querySelectorAll("main *")]
  .some((el) => !el.closest("svg") && el.children.length === 0
    && el.offsetParent !== null
    && el.textContent.replace(/\\s+/g, " ").trim() === label)"""


def assert_value_shown(page: Any, link: Any, how: str) -> None:
    """The area's name and value (its link's name) are written visibly on the page
    (not only in the SVG's tooltip title)."""
    label = norm(link.get_attribute("aria-label"))
    try:
        page.wait_for_function(_TEXT_SHOWN, arg=label, timeout=3000)
    except Exception as error:
        raise AssertionError(
            f"{how} the map area shows no text {label!r} beside the map (map.js "
            "writes it into p.map-tooltip inside figure.map)"
        ) from error


def click_and_wait(page: Any, locator: Any) -> None:
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state("load")


# -- the walk ------------------------------------------------------------------


def test_walk_from_start_to_downloads(
    server: str, open_page: OpenPage, demo_sqlite: Engine, snap: Snapshot
) -> None:
    engine = demo_sqlite
    indicator = snap.indicator(WALK_INDICATOR)
    topic = next(t for t in snap.topics if indicator in t.indicators)
    area = area_named(snap, WALK_AREA)
    other = area_named(snap, WALK_OTHER_AREA)
    visit = open_page(accept_downloads=True)
    page = visit.page

    # Start → topic: click the topic's card.
    page.goto(server + "/")
    click_and_wait(page, page.locator(f'.topics a[href="/thema/{topic.slug}"]'))
    assert urlsplit(page.url).path == f"/thema/{topic.slug}"
    assert norm(page.locator("h1").inner_text()) == topic.name
    check_topic(page, engine, snap)

    # Topic → indicator: click its row.
    # The row of Region Hannover (the Hessen pilot has a row of its own).
    row = page.locator("table.topic-table tbody tr").filter(has_text="Region Hannover")
    click_and_wait(page, row.locator(f'a[href^="/indikator/{indicator.id}?"]'))
    assert urlsplit(page.url).path == f"/indikator/{indicator.id}"
    assert norm(page.locator("h1").inner_text()) == indicator.name
    tabs = page.locator("ul.tabs a")
    assert tabs.all_inner_texts() == [
        "Karte",
        "Zeitreihe",
        "Tabelle",
        "Veränderung",
        "Hot Spots",
    ]
    assert tabs.nth(0).get_attribute("aria-current") == "page"
    check_map(page, engine, snap, indicator)

    # Hovering or focusing an area shows its value beside the map.
    target = page.locator(f'svg a.map-area[data-code="{area}"]')
    target.hover()
    assert_value_shown(page, target, "hovering")
    neighbour = page.locator(f'svg a.map-area[data-code="{other}"]')
    neighbour.focus()
    assert_value_shown(page, neighbour, "focusing")

    # Another period and another classification, chosen in the form above the map.
    first_period = page.locator("#ctl-zeitraum option").first.get_attribute("value")
    page.locator("#ctl-zeitraum").select_option(first_period)
    page.locator("#ctl-klassen").select_option("natuerliche-brueche")
    click_and_wait(page, page.locator("form.controls button[type=submit]").first)
    assert query_of(page.url)["zeitraum"] == [first_period]
    assert query_of(page.url)["klassen"] == ["natuerliche-brueche"]
    assert check_map(page, engine, snap, indicator) == first_period
    tabs = page.locator("ul.tabs a")

    # The chart tab: vega draws the series; the table holds its values.
    click_and_wait(page, tabs.nth(1))
    assert query_of(page.url)["ansicht"] == ["diagramm"]
    check_chart(page, engine, snap, indicator)
    content, _ = download(page, "csv")
    check_series_csv(content, engine, indicator, view_state(page)["raum"])

    # The table tab: the ranking.
    click_and_wait(page, page.locator("ul.tabs a").nth(2))
    assert query_of(page.url)["ansicht"] == ["tabelle"]
    check_ranking(page, engine, indicator)
    # Sorted by name instead, by clicking the column's header.
    click_and_wait(page, page.locator("table.ranking thead th a").first)
    assert page.locator("table.ranking thead th[aria-sort]").count() == 1
    names = page.locator("table.ranking tbody th a").all_inner_texts()
    assert names == sorted(names, key=german_key)

    # The change view between two periods.
    click_and_wait(page, page.locator("ul.tabs a").nth(3))
    assert query_of(page.url)["ansicht"] == ["veraenderung"]
    check_change(page, engine, indicator)

    # Back to the map, and pick an area on it → its profile.
    click_and_wait(page, page.locator("ul.tabs a").nth(0))
    click_and_wait(page, page.locator(f'svg a.map-area[data-code="{area}"]'))
    assert urlsplit(page.url).path == f"/gebiet/{area}"
    check_profile(page, engine, snap, area)

    # Compare with another area, chosen in the compare form.
    click_and_wait(page, page.locator(f'a[href="/vergleich?gebiete={area}"]'))
    page.locator("select#gebiet-B").select_option(other)
    click_and_wait(page, page.locator("form.compare-form button[type=submit]"))
    assert query_of(page.url)["gebiete"] == [area, other]
    check_compare(page, engine, snap, area, other)

    # Both time series of one indicator in the comparison's chart.
    click_and_wait(
        page,
        page.locator(f'table.compare-table a[href*="kennzahl={indicator.id}#"]'),
    )
    assert query_of(page.url)["kennzahl"] == [indicator.id]
    check_compare_chart(page, engine, indicator, [area, other])

    # From the comparison back to the indicator, and download what it shows.
    click_and_wait(
        page,
        page.locator(f'table.compare-table th a[href^="/indikator/{indicator.id}"]'),
    )
    assert urlsplit(page.url).path == f"/indikator/{indicator.id}"
    content, url = download(page, "csv")
    check_csv(content, engine, snap, indicator, url)
    german, _ = download(page, "csv-de")
    check_german_csv(german, indicator)
    png, _ = download(page, "png")
    assert png.startswith(PNG_SIGNATURE)
    assert len(png) > 5_000, "a suspiciously small chart image"

    # The record holds the whole walk: pages, styles, scripts, downloads …
    urls = visit.log.urls
    assert any("/static/vendor/vega-" in u for u in urls)
    assert any("/static/js/map.js" in u for u in urls)
    assert any("/download.png" in u for u in urls)
    # … and all of it went to the app.
    visit.log.assert_only_app()
    visit.log.assert_no_script_errors()
