"""The indicator page /indikator/{id}: map, chart, table and change view, its JSON
twin, permalinks and what a wrong parameter gives — values checked against the
public read gate."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import mapclassify
import numpy as np
import pandas as pd
import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store import queries
from sozialmonitor.store.database import connect
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)
from sozialmonitor.web import charts, formatting, i18n, page, svgmap
from sozialmonitor.web.app import create_app, warm_up
from sozialmonitor.web.pages import area_values, indicator_context
from sozialmonitor.web.pages.indicator_classes import (
    SAMPLE_SIZE,
    fisher_jenks_bins,
    map_classes,
)
from tests.fixtures import REGION, TOWNS

MSS_2021_REFERENCE_DATE = dt.date(2020, 12, 31)
"""The planning areas valid then are the 542 of the MSS 2021 (not the 447 old)."""

RTOL = 1e-9
SHARE = "unemployment_share"
HANNOVER = "03241"
BERLIN = "11000000"


def square(x: float, y: float) -> str:
    ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


@pytest.fixture
def rich_engine(small_engine: Engine) -> Engine:
    """The small region with boundaries and a second release: town 003's 2021 value
    is secret, town 002's is provisional."""
    with small_engine.begin() as conn:
        save_areas(
            conn,
            [
                Area(
                    code=code,
                    name=f"Gemeinde {code[-3:]}",
                    level="municipality",
                    parent=REGION,
                    geometry=square(9.5 + 0.1 * i, 52.3),
                )
                for i, code in enumerate(TOWNS)
            ],
        )
        release = draft_release(conn, "2022-H1")
        share = queries.indicator_id(conn, SHARE)
        rows = [
            {
                "indicator_id": share,
                "area_id": queries.area_id(conn, "03241003"),
                "period": "2021",
                "value": None,
                "numerator": None,
                "denominator": None,
                "flags": int(Flag.SUPPRESSED),
                "note": "Fallzahl zu klein",
            },
            {
                "indicator_id": share,
                "area_id": queries.area_id(conn, "03241002"),
                "period": "2021",
                "value": 1_100 / 20_100 * 100,
                "numerator": 1_100,
                "denominator": 20_100,
                "flags": int(Flag.PROVISIONAL),
                "note": None,
            },
        ]
        store_observations(conn, release, pd.DataFrame(rows))
        publish_release(conn, "2022-H1")
    return small_engine


@pytest.fixture
def client(rich_engine: Engine) -> TestClient:
    return TestClient(create_app(rich_engine))


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def soup(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def gate(
    engine: Engine, indicator: str, *, level: str | None = None, **query: object
) -> dict[tuple[str, str], Observation]:
    with engine.connect() as conn:
        found = queries.read_observations(
            conn,
            queries.ObservationQuery(indicators=[indicator], level=level, **query),  # type: ignore[arg-type]
            audience=Audience.PUBLIC,
        )
    return {(o.area, o.period): o for o in found}


def shown_text(obs: Observation | None, unit: str = "%", decimals: int = 1) -> str:
    """How the page must write a value (independent of the page's own helper)."""
    if obs is not None and obs.flags & Flag.SUPPRESSED:
        return "."
    if obs is None or obs.value is None:
        return "–"
    text = formatting.number(obs.value, decimals, "de") + "\u202f" + unit
    signs = "".join(
        s
        for f, s in (
            (Flag.PROVISIONAL, "p"),
            (Flag.REVISED, "r"),
            (Flag.ESTIMATED, "s"),
            (Flag.BREAK, "|"),
        )
        if obs.flags & f
    )
    return f"{text} {signs}" if signs else text


def table_rows(page: BeautifulSoup, selector: str = "table.ranking") -> list[list[str]]:
    table = page.select_one(selector)
    assert isinstance(table, Tag)
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in table.select("tbody tr")
    ]


def current_tab(page: BeautifulSoup) -> str:
    found = page.select("ul.tabs a[aria-current=page]")
    assert len(found) == 1
    return found[0].get_text(strip=True)


def selected(page: BeautifulSoup, name: str) -> str:
    option = page.select_one(f"form.controls select[name={name}] option[selected]")
    assert isinstance(option, Tag)
    return str(option["value"])


# --- the four views ---------------------------------------------------------------


def test_map_tab_shows_classes_legend_and_profile_links(
    client: TestClient, rich_engine: Engine
) -> None:
    page = soup(client, f"/indikator/{SHARE}")
    assert page.h1 and page.h1.get_text(strip=True) == "Arbeitslosenanteil"
    assert current_tab(page) == "Karte"
    assert selected(page, "ebene") == "municipality"
    assert selected(page, "zeitraum") == "2021"
    assert selected(page, "klassen") == "quantile"
    # Every form control has a label.
    for control in page.select("form select, form input:not([type=hidden])"):
        assert page.select_one(f"label[for={control['id']}]") is not None
    # Map: one link per town with a boundary, to its profile; the skip link first.
    links = page.select("svg a.map-area")
    assert sorted(a["href"] for a in links) == [f"/gebiet/{c}" for c in TOWNS]
    skip = page.select_one("a.skip-map")
    assert skip is not None and skip["href"] == "#after-map"
    assert page.select_one("#after-map") is not None
    assert page.select_one('script[src="/static/js/map.js"]') is not None
    assert page.select_one('script[src^="/static/vendor/vega"]') is None
    # Legend: the two towns with a value in classes, the secret one "keine Angabe".
    legend = [li.get_text(" ", strip=True) for li in page.select("ul.map-legend li")]
    assert legend[-1] == "keine Angabe (1 Gebiet)"
    assert sum(int(re.search(r"\((\d+) Gebiet", t)[1]) for t in legend) == 3  # type: ignore[index]
    # The summary names the range from the gate's values.
    values = gate(rich_engine, SHARE, level="municipality", periods=["2021"])
    region = gate(rich_engine, SHARE, areas=[REGION], periods=["2021"])[
        (REGION, "2021")
    ]
    low, high = sorted(
        (o for o in values.values() if not o.flags & Flag.SUPPRESSED),
        key=lambda o: o.value or 0.0,
    )
    summary = page.select_one("#summary")
    assert summary is not None
    text = summary.get_text(" ", strip=True)
    assert formatting.with_unit(low.value, _share(rich_engine), "de") in text
    assert formatting.with_unit(high.value, _share(rich_engine), "de") in text
    assert formatting.with_unit(region.value, _share(rich_engine), "de") in text
    assert "Für 1 von 3 Gebieten gibt es keinen Wert." in text
    # Any area can be chosen without the map.
    options = [o["value"] for o in page.select("#pick-area option")]
    assert options == list(TOWNS)
    response = client.get(
        f"/indikator/{SHARE}/gebiet", params={"code": TOWNS[1]}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/gebiet/{TOWNS[1]}"


def _share(engine: Engine, indicator: str = SHARE) -> Indicator:
    with engine.connect() as conn:
        return queries.get_indicator(conn, indicator)


def test_table_values_come_from_the_read_gate(
    client: TestClient, rich_engine: Engine
) -> None:
    page = soup(client, f"/indikator/{SHARE}?ansicht=tabelle")
    assert current_tab(page) == "Tabelle"
    values = gate(rich_engine, SHARE, level="municipality", periods=["2021"])
    region = gate(rich_engine, SHARE, areas=[REGION], periods=["2021"])[
        (REGION, "2021")
    ]
    assert region.flags & Flag.COMPUTED
    rows = table_rows(page)
    codes = [tr["data-code"] for tr in page.select("table.ranking tbody tr")]
    # Highest value first; the secret value last without a rank.
    shown = {
        c: o.value for (c, _), o in values.items() if not o.flags & Flag.SUPPRESSED
    }
    assert codes == [*sorted(shown, key=lambda c: -shown[c]), "03241003"]
    for code, row in zip(codes, rows, strict=True):
        obs = values.get((code, "2021"))
        rank, name, value, numerator, denominator, difference, _trend = row
        assert name == f"Gemeinde {code[-3:]}"
        assert value == shown_text(obs)
        if code == "03241003":
            assert (rank, numerator, denominator, difference) == ("–", "–", "–", "–")
            continue
        assert obs is not None and obs.value is not None
        assert numerator == formatting.number(obs.numerator, 0, "de")
        assert denominator == formatting.number(obs.denominator, 0, "de")
        assert difference == formatting.change(
            obs.value - (region.value or 0.0), _share(rich_engine), "de"
        )
    assert rows[0][0] == "1" and rows[1][0] == "2"
    assert shown_text(values[("03241002", "2021")]).endswith(" p")
    # The value column is the sorted one; the name column is a sort link.
    headers = page.select("table.ranking thead th")
    assert headers[2]["aria-sort"] == "descending"
    assert not headers[1].has_attr("aria-sort")
    # Notes of stored values are part of the metadata.
    meta = {
        dt.get_text(strip=True): dd.get_text(" ", strip=True)
        for dt, dd in zip(
            page.select("dl.meta-list dt"), page.select("dl.meta-list dd"), strict=True
        )
    }
    assert "Gemeinde 003: Fallzahl zu klein" in meta["Hinweise"]
    assert meta["Zähler"] == "Arbeitslose" and meta["Nenner (Bezugsgröße)"]
    assert meta["Bewertung"] == "Höhere Werte sind ungünstiger."
    assert meta["Datenstand"].startswith("Datenstand: 2022-H1")


def test_table_sorts_and_pages_on_the_berlin_planning_areas(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    indicator = "mss_s1_unemployment"
    base = f"/indikator/{indicator}?ansicht=tabelle"
    page = soup(demo, base + "&sortierung=name&seite=2")
    with demo_sqlite.connect() as conn:
        areas = queries.list_areas(
            conn, level="planning_area", valid_on=MSS_2021_REFERENCE_DATE
        )
    names = sorted((a.name for a in areas), key=german_key)
    rows = table_rows(page)
    assert [r[1] for r in rows] == names[50:100]
    assert page.select("table.ranking thead th")[1]["aria-sort"] == "ascending"
    current = page.select("nav.paging a[aria-current=page]")
    assert [a.get_text(strip=True) for a in current] == ["2"]
    assert "Zeilen 51–100 von 542" in page.get_text()
    # Values of the page are the gate's, the ranks count from the highest value.
    values = gate(demo_sqlite, indicator, level="planning_area")
    codes = [tr["data-code"] for tr in page.select("table.ranking tbody tr")]
    for code, (rank, _name, value, *_) in zip(codes, rows, strict=True):
        obs = values.get((code, "2020-12-31"))
        assert value == shown_text(obs, decimals=2)
        if rank != "–":
            higher = sum(
                1
                for o in values.values()
                if o.value is not None
                and obs is not None
                and obs.value is not None
                and o.value > obs.value
            )
            assert int(rank) == higher + 1
    # A page that does not exist: the last one and a message.
    last = soup(demo, base + "&seite=99")
    assert "Die Seite 99 gibt es nicht; gezeigt wird Seite 11." in last.get_text()
    assert len(table_rows(last)) == 542 - 500


def test_chart_tab_with_added_area(client: TestClient, rich_engine: Engine) -> None:
    page = soup(client, f"/indikator/{SHARE}?ansicht=diagramm&gebiete=03241001")
    assert current_tab(page) == "Zeitreihe"
    spec = page.select_one("script.vega-spec")
    assert spec is not None and spec["data-target"] == "chart-series"
    vega = json.loads(spec.string or "")
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/")
    chart = page.select_one("#chart-series")
    summary = page.select_one("#summary")
    assert chart is not None and summary is not None
    assert chart["role"] == "img"
    assert chart["aria-label"] == summary.get_text(strip=True)
    scripts = [s["src"] for s in page.select("script[src]")]
    assert "/static/vendor/vega-6.4.0.min.js" in scripts
    assert "/static/js/chart.js" in scripts
    # The table alternative: periods × (region, town 001) as the gate reads them.
    values = gate(rich_engine, SHARE, areas=[REGION, "03241001"])
    header = [
        th.get_text(strip=True)
        for th in page.select("table.series-table th[scope=col]")
    ]
    assert header == ["Zeitraum", "Region Hannover", "Gemeinde 001"]
    rows = table_rows(page, "table.series-table")
    assert [r[0] for r in rows] == ["2020", "2021"]
    for period, region_text, town_text in rows:
        assert region_text == shown_text(values[(REGION, period)])
        assert town_text == shown_text(values[("03241001", period)])
    # The area can be removed again, and the others added.
    remove = page.select_one("ul.chosen-areas a")
    assert remove is not None and "gebiete" not in parse_qs(
        urlsplit(remove["href"]).query
    )
    options = [o["value"] for o in page.select("#add-area option")]
    assert options == ["03241002", "03241003"]
    hidden = {
        (i["name"], i["value"]) for i in page.select("form.add-area input[type=hidden]")
    }
    assert ("gebiete", "03241001") in hidden and ("ansicht", "diagramm") in hidden


def test_change_tab_against_the_gate_and_series_break(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    url = f"/indikator/{SHARE}?raum={HANNOVER}&ansicht=veraenderung&von=2010&bis=2021"
    page = soup(demo, url)
    assert current_tab(page) == "Veränderung"
    assert selected(page, "von") == "2010" and selected(page, "bis") == "2021"
    values = gate(demo_sqlite, SHARE, level="municipality", periods=["2010", "2021"])
    rows = {tr["data-code"]: tr for tr in page.select("table.changes tbody tr")}
    assert len(rows) == 22  # the region and its 21 municipalities
    for code, tr in rows.items():
        if code == HANNOVER:
            continue
        before, after = values[(code, "2010")], values[(code, "2021")]
        cells = [td.get_text(strip=True) for td in tr.find_all("td")]
        assert cells[0] == shown_text(before) and cells[1] == shown_text(after)
        assert cells[2] == formatting.change(
            (after.value or 0.0) - (before.value or 0.0), _share(demo_sqlite), "de"
        )
        assert cells[2].endswith("Prozentpunkte")
    note = page.select_one("p.break-note")
    assert note is not None and "2011" in note.get_text()
    assert page.select_one("script.vega-spec[data-target=chart-change]") is not None
    without_break = soup(demo, url.replace("von=2010", "von=2012"))
    assert without_break.select_one("p.break-note") is None


def test_change_of_a_count_is_relative(demo: TestClient, demo_sqlite: Engine) -> None:
    page = soup(demo, "/indikator/population?raum=03241&ansicht=veraenderung")
    bis = selected(page, "bis")
    von = selected(page, "von")
    values = gate(demo_sqlite, "population", level="municipality", periods=[von, bis])
    tr = page.select_one('table.changes tr[data-code="03241001"]')
    assert tr is not None
    cells = [td.get_text(strip=True) for td in tr.find_all("td")]
    before, after = values[("03241001", von)].value, values[("03241001", bis)].value
    assert before and after
    assert cells[3] == formatting.change(
        (after - before) / before * 100,
        _share(demo_sqlite, "population"),
        "de",
        relative=True,
    )


# --- permalinks and wrong parameters ----------------------------------------------


def test_permalink_restores_the_view(demo: TestClient, demo_sqlite: Engine) -> None:
    url = (
        f"/indikator/{SHARE}?raum={HANNOVER}&ebene=municipality&zeitraum=2015"
        "&klassen=gleiche-intervalle&ansicht=karte&gebiete=03241011"
    )
    page = soup(demo, url)
    assert selected(page, "raum") == HANNOVER
    assert selected(page, "zeitraum") == "2015"
    assert selected(page, "klassen") == "gleiche-intervalle"
    assert current_tab(page) == "Karte"
    assert "Im Jahr 2015" in page.select_one("#summary").get_text()  # type: ignore[union-attr]
    # Each tab link keeps the whole view.
    for link in page.select("ul.tabs a"):
        params = parse_qs(urlsplit(link["href"]).query)
        assert params["zeitraum"] == ["2015"]
        assert params["klassen"] == ["gleiche-intervalle"]
        assert params["gebiete"] == ["03241011"]
    chart_link = page.select("ul.tabs a")[1]["href"]
    chart = soup(demo, chart_link)
    assert current_tab(chart) == "Zeitreihe"
    with demo_sqlite.connect() as conn:
        added = queries.get_area(conn, "03241011").name
    columns = chart.select("table.series-table th[scope=col]")
    assert [th.get_text(strip=True) for th in columns][1:] == ["Region Hannover", added]
    # The JSON twin reports the same view.
    view = demo.get("/api/v1/pages" + url).json()["view"]
    assert view["zeitraum"] == "2015" and view["klassen"] == "gleiche-intervalle"
    assert view["gebiete"] == ["03241011"] and view["ebene"] == "municipality"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ebene": "nirgends"}, "Die Raumebene „nirgends“ gibt es"),
        ({"zeitraum": "1800"}, "Für „1800“ gibt es auf der Ebene"),
        ({"zeitraum": "kaputt"}, "Für „kaputt“ gibt es auf der Ebene"),
        ({"klassen": "jenks"}, "Die Klasseneinteilung „jenks“ gibt es nicht"),
        ({"ansicht": "torte"}, "Die Ansicht „torte“ gibt es nicht"),
        ({"sortierung": "zufall"}, "Die Sortierung „zufall“ gibt es nicht"),
        ({"seite": "-3"}, "Die Seite „-3“ gibt es nicht"),
        ({"raum": "99"}, "Für das Gebiet „99“ gibt es bei dieser Kennzahl keine"),
        ({"gebiete": "11000000", "ansicht": "diagramm"}, "liegt nicht in Region"),
        ({"von": "2021", "bis": "2020", "ansicht": "veraenderung"}, "getauscht"),
    ],
)
def test_wrong_parameters_give_a_german_message(
    client: TestClient, params: dict[str, str], message: str
) -> None:
    page = soup(
        client, f"/indikator/{SHARE}?" + "&".join(f"{k}={v}" for k, v in params.items())
    )
    notice = page.select_one("div.notice[role=status]")
    assert notice is not None and message in notice.get_text()
    assert "Traceback" not in page.get_text()
    data = client.get(f"/api/v1/pages/indikator/{SHARE}", params=params).json()
    assert any(message in m for m in data["messages"])


def test_unknown_and_internal_indicators_are_not_found(client: TestClient) -> None:
    for code in ("nope", "internal_case_load"):
        twin = client.get(f"/api/v1/pages/indikator/{code}")
        assert twin.status_code == 404
        assert twin.headers["content-type"] == "application/problem+json"
        assert twin.json()["type"].endswith("unknown-indicator")
        page = client.get(f"/indikator/{code}")
        assert page.status_code == 404
        assert f"„{code}“" in page.text


def test_too_many_chart_areas_are_cut(demo: TestClient) -> None:
    extra = [f"032410{n:02d}" for n in range(1, 12)]
    page = soup(
        demo,
        f"/indikator/{SHARE}?raum={HANNOVER}&ansicht=diagramm&"
        + "&".join(f"gebiete={c}" for c in extra),
    )
    columns = page.select("table.series-table th[scope=col]")
    assert len(columns) == 1 + 8  # period + the region + 7 areas
    assert "höchstens 8 Gebiete" in page.select_one("div.notice").get_text()  # type: ignore[union-attr]
    assert page.select_one("form.add-area") is None


# --- JSON twin and English ----------------------------------------------------------


def test_json_twin_has_the_page_s_numbers(client: TestClient) -> None:
    for tab in ("karte", "tabelle", "diagramm", "veraenderung"):
        url = f"/indikator/{SHARE}?ansicht={tab}&von=2020&bis=2021"
        page = soup(client, url)
        data = client.get("/api/v1/pages" + url).json()
        assert data["summary"] == page.select_one("#summary").get_text(strip=True)  # type: ignore[union-attr]
        assert data["indicator"]["id"] == SHARE
        assert data["view"]["ansicht"] == tab
        text = json.dumps(data)
        assert "<svg" not in text and "<option" not in text and '"spec"' not in text
        if tab == "tabelle":
            assert [r["value_text"] for r in data["table"]["rows"]] == [
                r[2] for r in table_rows(page)
            ]
            assert [r["code"] for r in data["table"]["rows"]] == [
                tr["data-code"] for tr in page.select("table.ranking tbody tr")
            ]
        if tab == "karte":
            assert [e["count"] for e in data["map"]["legend"]] == [
                int(re.search(r"\((\d+) Gebiet", li.get_text())[1])  # type: ignore[index]
                for li in page.select("ul.map-legend li")
            ]
        if tab == "diagramm":
            assert [r["texts"] for r in data["chart"]["rows"]] == [
                r[1:] for r in table_rows(page, "table.series-table")
            ]
        if tab == "veraenderung":
            assert [r["change_text"] for r in data["change"]["rows"]] == [
                [td.get_text(strip=True) for td in tr.find_all("td")][2]
                for tr in page.select("table.changes tbody tr:not(.total)")
            ]


def test_english_page(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    missing: set[str] = set()
    original = i18n.Translator.__call__

    def recording(self: i18n.Translator, text: str, /, **values: object) -> str:
        result = original(self, text, **values)
        missing.update(self.missing)
        return result

    monkeypatch.setattr(i18n.Translator, "__call__", recording)
    for tab in ("karte", "tabelle", "diagramm", "veraenderung", "hotspots"):
        page = soup(client, f"/indikator/{SHARE}?ansicht={tab}&lang=en&klassen=x")
        html = page.find("html")
        assert isinstance(html, Tag) and html["lang"] == "en"
        assert [a.get_text(strip=True) for a in page.select("ul.tabs a")] == [
            "Map",
            "Time series",
            "Table",
            "Change",
            "Hot spots",
        ]
        assert page.select_one("form.controls button").get_text(strip=True) == "Show"  # type: ignore[union-attr]
        assert "About this indicator" in page.get_text()
        assert "There is no classification “x”" in page.get_text()
        for link in page.select("ul.tabs a, ul.downloads a"):
            assert "lang=en" in link["href"]
    assert (
        soup(client, f"/indikator/{SHARE}?lang=en")
        .select_one("#summary")
        .get_text()
        .startswith("In 2021, ")
    )  # type: ignore[union-attr]
    assert missing == set()


# --- classes and numbers ------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:Numba not installed")
def test_natural_breaks_equal_mapclassify() -> None:
    rng = np.random.default_rng(7)
    for n, k in ((30, 3), (200, 5), (542, 5)):
        values = rng.gamma(2.0, 3.0, n)
        found = fisher_jenks_bins(values, k)
        expected = mapclassify.FisherJenks(values, k=k).bins
        np.testing.assert_allclose(found, expected, rtol=RTOL)


def test_natural_breaks_of_many_values_use_a_fixed_sample() -> None:
    values = list(np.random.default_rng(3).gamma(2.0, 3.0, 3_000))
    first = map_classes(values, "natural_breaks")
    again = map_classes(values, "natural_breaks")
    assert first == again
    assert first.sample == SAMPLE_SIZE
    assert first.bins[-1] == max(values)
    assert sum(first.counts) == len(values)


def test_map_of_542_planning_areas_and_natural_breaks_note(demo: TestClient) -> None:
    page = soup(demo, "/indikator/mss_s1_unemployment?klassen=natuerliche-brueche")
    assert selected(page, "ebene") == "planning_area"
    assert len(page.select("svg a.map-area")) == 542
    legend = page.select("ul.map-legend li")
    assert len(legend) == 6 and "keine Angabe" in legend[-1].get_text()
    assert len(page.select("#pick-area option")) == 542


def test_indicator_without_values(small_engine: Engine) -> None:
    with small_engine.begin() as conn:
        save_indicators(
            conn,
            [Indicator(id="care_share", name="Pflegequote", unit="%", topic="Pflege")],
        )
    client = TestClient(create_app(small_engine))
    page = soup(client, "/indikator/care_share")
    assert "Für diese Kennzahl sind noch keine Werte veröffentlicht." in page.get_text()
    assert page.select_one("ul.tabs") is None and page.select_one("dl.meta-list")
    data = client.get("/api/v1/pages/indikator/care_share").json()
    assert data["view"]["raum"] is None and data["table"] is None
    assert client.get("/indikator/care_share/download.csv").status_code == 400


def test_large_levels_are_chosen_by_name(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above MAX_OPTIONS areas (Germany: 11,000 municipalities) the page offers a
    text field instead of a select; a typed name is found like a code."""
    monkeypatch.setattr(indicator_context, "MAX_OPTIONS", 2)
    page = soup(client, f"/indikator/{SHARE}")
    form = page.select_one("form.area-pick")
    assert form is not None and form["action"] == "/gebiet"
    assert {(i["name"], i["value"]) for i in form.select("input[type=hidden]")} == {
        ("ebene", "municipality"),
        ("unter", REGION),
    }
    assert page.select_one("label[for=pick-area] input[name=q]") is not None
    chart = soup(client, f"/indikator/{SHARE}?ansicht=diagramm")
    assert chart.select_one("#add-area") is None
    field = chart.select_one("form.add-area-by-name input#add-area-name")
    assert field is not None and field["name"] == "gebiete"
    added = soup(client, f"/indikator/{SHARE}?ansicht=diagramm&gebiete=gemeinde%20002")
    columns = added.select("table.series-table th[scope=col]")
    assert [th.get_text(strip=True) for th in columns][1:] == [
        "Region Hannover",
        "Gemeinde 002",
    ]
    assert added.select_one("div.notice") is None


def test_an_unknown_indicator_gets_a_german_page_with_the_search(
    demo_sqlite: Engine,
) -> None:
    client = TestClient(create_app(demo_sqlite))
    response = client.get("/indikator/gibt_es_nicht")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    page = BeautifulSoup(response.text, "html.parser")
    assert (
        "Es gibt keine Kennzahl „gibt_es_nicht“." in page.select_one("main").get_text()
    )
    assert page.select_one("main form[action='/suche']") is not None


def test_warm_up_prepares_the_maps(demo_sqlite: Engine) -> None:
    # A new engine on the demo database: a snapshot and map paths of its own.
    fresh = connect(demo_sqlite.url.render_as_string(hide_password=False))
    try:
        warm_up(fresh)
        sent: list[str] = []

        def record(_c: object, _cur: object, statement: str, *_rest: object) -> None:
            sent.append(statement)

        event.listen(fresh, "before_cursor_execute", record)
        response = TestClient(create_app(fresh)).get("/indikator/mss_s1_unemployment")
        assert response.status_code == 200
        assert response.text.count('class="map-area"') == 542
        assert sent and not [s for s in sent if "geometry" in s]  # no boundary read
    finally:
        fresh.dispose()


def test_warm_up_derives_the_profiles_data_and_compiles_the_templates(
    demo_sqlite: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = connect(demo_sqlite.url.render_as_string(hide_password=False))
    env = page.templates.env
    try:
        env.cache.clear()  # type: ignore[union-attr]
        warm_up(fresh)
        compiled = {name for _loader, name in env.cache}  # type: ignore[union-attr]
        assert set(env.list_templates(extensions=["html"])) <= compiled

        def again(_snap: object) -> None:
            raise AssertionError("derived again on a request")

        monkeypatch.setattr(area_values, "_derive", again)
        response = TestClient(create_app(fresh)).get("/gebiet/03241009")
        assert response.status_code == 200
    finally:
        fresh.dispose()


@pytest.mark.parametrize(
    "view", ["ansicht=karte", "ansicht=diagramm", "ansicht=veraenderung&von=2010"]
)
def test_only_the_page_draws_its_map_and_compiles_its_chart(
    demo_sqlite: Engine, monkeypatch: pytest.MonkeyPatch, view: str
) -> None:
    url = f"/indikator/population?raum=03241&ebene=municipality&{view}"
    made: list[str] = []
    compile_chart, draw_map = charts.compiled_script, svgmap.choropleth_svg

    def compiled(*args: Any, **kwargs: Any) -> Any:
        made.append("chart")
        return compile_chart(*args, **kwargs)

    def drawn(*args: Any, **kwargs: Any) -> str:
        made.append("map")
        return draw_map(*args, **kwargs)

    monkeypatch.setattr(charts, "compiled_script", compiled)
    monkeypatch.setattr(svgmap, "choropleth_svg", drawn)
    # A new engine: a snapshot of its own, no map drawn yet.
    fresh = connect(demo_sqlite.url.render_as_string(hide_password=False))
    try:
        client = TestClient(create_app(fresh))
        assert client.get("/api/v1/pages" + url).status_code == 200
        assert made == []
        assert client.get(url).status_code == 200
        assert made == ["map" if "karte" in view else "chart"]
    finally:
        fresh.dispose()
