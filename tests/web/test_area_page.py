"""The area index (/gebiet) and the area profile (/gebiet/{code}), checked against
the read gate and the comparison statistics."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.service.compare import compare_areas
from sozialmonitor.domain.period import step_back
from sozialmonitor.store import queries
from sozialmonitor.web import formatting
from sozialmonitor.web.app import create_app
from sozialmonitor.web.i18n import catalogue
from sozialmonitor.web.pages import area as area_page
from tests.fixtures import COUNTS, REGION, TOWNS
from tests.web.expected import gate, html, rows, shown

MSS_2021_REFERENCE_DATE = dt.date(2020, 12, 31)
"""The planning areas valid then are the 542 of the MSS 2021 (not the 447 old)."""

RTOL = 1e-9
WEB = Path(area_page.__file__).parents[1]
HANNOVER = "03241"
LAATZEN = "03241009"
BERLIN = "11000000"


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


# --- small database, SQLite and PostgreSQL --------------------------------------


def test_profile_values_equal_the_read_gate(
    client: TestClient, small_engine: Engine
) -> None:
    for town in TOWNS:
        body = client.get(f"/api/v1/pages/gebiet/{town}").json()
        found = rows(body)
        assert set(found) == {"unemployment_share", "population"}
        values = gate(small_engine, town)
        region = gate(small_engine, REGION)
        for indicator, row in found.items():
            periods = [p for (i, p) in values if i == indicator]
            latest = max(periods, key=area_page.period_order)
            assert row["period"] == latest
            assert row["figure"]["value"] == pytest.approx(
                values[(indicator, latest)].value, rel=RTOL
            )
            # the parent is the region here: one benchmark column, computed
            assert row["region"]["value"] == pytest.approx(
                region[(indicator, latest)].value, rel=RTOL
            )
            assert row["region"]["computed"] is True
            assert [p["value"] for p in row["series"]] == pytest.approx(
                [values[(indicator, p["period"])].value for p in row["series"]]
            )
        assert body["show_parent_column"] is False


def test_change_against_the_previous_period(client: TestClient) -> None:
    row = rows(client.get(f"/api/v1/pages/gebiet/{TOWNS[0]}").json())[
        "unemployment_share"
    ]
    (n21, d21), (n20, d20) = COUNTS[(TOWNS[0], "2021")], COUNTS[(TOWNS[0], "2020")]
    previous = next(c for c in row["changes"] if c["span"] == "previous")
    assert previous["base_period"] == "2020"
    assert previous["absolute"] == pytest.approx(n21 / d21 * 100 - n20 / d20 * 100)
    assert previous["text"].endswith("Prozentpunkte")
    five = next(c for c in row["changes"] if c["span"] == "5y")
    assert (five["base_period"], five["absolute"], five["text"]) == ("2016", None, "–")


def test_profile_page_shows_the_json_numbers(client: TestClient) -> None:
    town = TOWNS[0]
    body = client.get(f"/api/v1/pages/gebiet/{town}").json()
    page = html(client.get(f"/gebiet/{town}"))
    assert page.select_one("h1").get_text() == "Gebietsprofil Gemeinde 001"
    shown_rows = {}
    for group in page.select("tbody.indicator"):
        name = group.select_one("th[scope=row] a").get_text()
        cells = [td.get_text(strip=True) for td in group.select("tr")[0].select("td")]
        shown_rows[name] = cells
    for row in rows(body).values():
        cells = shown_rows[row["name"]]
        assert cells[0] == row["figure"]["text"].replace(" ", "")
        assert cells[1] == row["region"]["text"].replace(" ", "")
    assert "Fallzahl (intern)" not in page.get_text()
    for table in page.select("table.profile-table"):
        assert table.select_one("caption").get_text(strip=True)
        assert all(th.get("scope") == "col" for th in table.select("thead th"))


def test_parent_profile_is_computed_and_lists_its_towns(client: TestClient) -> None:
    body = client.get(f"/api/v1/pages/gebiet/{REGION}").json()
    assert body["region"] is None and body["parent"] is None
    assert body["profile_kind"] == "Gebietsprofil"
    assert [c["code"] for c in body["children"]] == list(TOWNS)
    share = rows(body)["unemployment_share"]
    num = sum(n for (a, p), (n, _) in COUNTS.items() if p == "2021")
    den = sum(d for (a, p), (_, d) in COUNTS.items() if p == "2021")
    assert share["figure"]["value"] == pytest.approx(num / den * 100)
    assert share["figure"]["computed"] is True
    assert share["result"] == "no_benchmark"


def test_unknown_area_is_a_german_page_and_a_problem(client: TestClient) -> None:
    response = client.get("/gebiet/99999999")
    assert response.status_code == 404
    page = html(response)
    assert page.html["lang"] == "de"
    assert page.select_one("h1").get_text() == "Nicht gefunden"
    assert "99999999" in page.select_one("main .lead").get_text()
    problem = client.get("/api/v1/pages/gebiet/99999999")
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["type"].endswith("/unknown-area-code")


def test_index_lists_every_area(client: TestClient) -> None:
    page = html(client.get("/gebiet"))
    links = {a["href"] for a in page.select("main .area-list a")}
    assert links >= {f"/gebiet/{code}" for code in (REGION, *TOWNS)}
    body = client.get("/api/v1/pages/gebiet", params={"q": "gemeinde 00"}).json()
    assert [a["code"] for a in body["results"]] == list(TOWNS)


# --- the real demo ----------------------------------------------------------------


def test_reading_follows_the_significance_test(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    """Every Hannover municipality's unemployment share against the region: the
    profile's reading says what compare_areas finds."""
    with demo_sqlite.connect() as conn:
        report = compare_areas(
            conn, indicator="unemployment_share", parent=HANNOVER, benchmark=HANNOVER
        )
    results = {c.area.code: c.comparison.result.value for c in report.comparisons}
    assert "worse" in results.values() and "better" in results.values()
    words = {
        "worse": "signifikant schlechter als in der Region Hannover",
        "better": "signifikant besser als in der Region Hannover",
        "similar": "ähnlich wie in der Region Hannover",
    }
    for code, result in results.items():
        row = rows(demo.get(f"/api/v1/pages/gebiet/{code}").json())[
            "unemployment_share"
        ]
        assert row["period"] == report.period
        assert (row["result"], row["tested"]) == (result, True)
        assert words[result] in row["reading"]
    worst = next(code for code, result in results.items() if result == "worse")
    page = html(demo.get(f"/gebiet/{worst}"))
    sentence = next(
        span
        for span in page.select("tr.reading span")
        if "Arbeitslosenanteil" in span.get_text()
    )
    assert "signifikant schlechter als in der Region Hannover" in sentence.get_text()
    assert "worse" in sentence["class"]


def test_laatzen_values_changes_and_region(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    body = demo.get(f"/api/v1/pages/gebiet/{LAATZEN}").json()
    values = gate(demo_sqlite, LAATZEN)
    found = rows(body)
    assert set(found) == {i for i, _ in values}
    share = found["unemployment_share"]
    latest = share["period"]
    five = next(c for c in share["changes"] if c["span"] == "5y")
    ten = next(c for c in share["changes"] if c["span"] == "10y")
    for change, years in ((five, 5), (ten, 10)):
        base = step_back(latest, years)
        assert change["base_period"] == base
        assert change["absolute"] == pytest.approx(
            values[("unemployment_share", latest)].value
            - values[("unemployment_share", base)].value,
            rel=RTOL,
        )
    region = gate(demo_sqlite, HANNOVER)
    for indicator, row in found.items():
        assert row["figure"]["value"] == pytest.approx(
            shown(values[(indicator, row["period"])])
        )
        assert row["region"]["value"] == pytest.approx(
            shown(region.get((indicator, row["period"])))
        )
        assert [p["value"] for p in row["series"] if p["value"] is not None] == (
            pytest.approx(
                [
                    shown(o)
                    for (i, p), o in sorted(
                        values.items(), key=lambda kv: area_page.period_order(kv[0][1])
                    )
                    if i == indicator and shown(o) is not None
                ]
            )
        )
    assert body["code_label"] == "AGS"
    assert body["compare_region_url"] == ""
    assert (
        body["compare_parent_url"] == f"/vergleich?gebiete={LAATZEN}&gebiete={HANNOVER}"
    )


def test_profile_page_has_map_links_and_print_setup(demo: TestClient) -> None:
    response = demo.get(f"/gebiet/{LAATZEN}")
    page = html(response)
    locator = page.select_one("figure.locator svg")
    assert locator is not None and locator["role"] == "img"
    assert "Laatzen" in locator["aria-label"]
    highlighted = locator.select("path.hl")
    assert [p.get_text() for p in highlighted] == ["Laatzen"]
    assert len(locator.select("path:not(.hl)[fill]")) >= 1  # the neighbours
    hrefs = {a["href"] for a in page.select("main a")}
    assert f"/vergleich?gebiete={LAATZEN}&gebiete={HANNOVER}" in hrefs
    assert f"/indikator/unemployment_share?gebiet={LAATZEN}" in hrefs
    assert [a.get_text() for a in page.select("nav.crumbs a")] == [
        "Gebiete",
        "Region Hannover",
    ]
    assert (
        "Drucken / als PDF speichern" in page.select_one("p.note.no-print").get_text()
    )
    assert page.select_one('link[href="/static/css/area.css"]') is not None
    css = (WEB / "static" / "css" / "area.css").read_text()
    assert re.search(r"@media print\s*{\s*@page\s*{\s*size: A4;", css)
    assert "counter(page)" in css
    assert not page.select("script[src^=http], link[href^=http], img[src^=http]")


def test_berlin_planning_area_profile(demo: TestClient, demo_sqlite: Engine) -> None:
    with demo_sqlite.connect() as conn:
        planning = queries.list_areas(
            conn, level="planning_area", valid_on=MSS_2021_REFERENCE_DATE
        )[0]
    body = demo.get(f"/api/v1/pages/gebiet/{planning.code}").json()
    assert body["code_label"] == "LOR-Schlüssel"
    assert [a["level"] for a in body["ancestors"]] == [
        "municipality",
        "district",
        "forecast_area",
        "district_region",
    ]
    assert body["region"]["code"] == BERLIN and body["show_parent_column"] is True
    values = gate(demo_sqlite, planning.code)
    assert {r["indicator"] for r in rows(body).values()} == {i for i, _ in values}
    # one period only: no change columns, no sparklines
    assert body["change_spans"] == [] and body["show_sparklines"] is False


def test_english_profile(demo: TestClient) -> None:
    page = html(demo.get(f"/gebiet/{LAATZEN}", params={"lang": "en"}))
    assert page.html["lang"] == "en"
    assert page.select_one("h1").get_text() == "Area profile Laatzen"
    readings = " ".join(s.get_text() for s in page.select("tr.reading span"))
    assert "In Laatzen, the indicator “Arbeitslosenanteil” is" in readings
    headers = [th.get_text() for th in page.select("table.profile-table thead th")]
    assert "vs. previous period" in headers and "Indicator" in headers
    assert all(a["href"].endswith("lang=en") for a in page.select("nav.crumbs a"))


def test_index_pages_and_umlaut_tolerant_filter(demo: TestClient) -> None:
    overview = html(demo.get("/gebiet"))
    more = [a["href"] for a in overview.select(".level-more a")]
    assert more == ["/gebiet?ebene=planning_area&unter=11000000"]
    first = demo.get(
        "/api/v1/pages/gebiet", params={"ebene": "planning_area", "unter": BERLIN}
    ).json()
    # the 542 planning areas since 31.12.2020 and the 447 until then
    assert (first["total"], first["pages"], len(first["results"])) == (989, 10, 100)
    last = html(
        demo.get(
            "/gebiet", params={"ebene": "planning_area", "unter": BERLIN, "seite": 10}
        )
    )
    assert len(last.select("table.area-results tbody tr")) == 89
    assert last.select_one(".pager a[rel=prev]")["href"].endswith("seite=9")
    for query in ("Neukoelln", "neukolln", "NEUKÖLLN"):
        names = [
            a["name"]
            for a in demo.get(
                "/api/v1/pages/gebiet", params={"q": query, "ebene": "district"}
            ).json()["results"]
        ]
        assert names == ["Neukölln"]
    found = demo.get("/api/v1/pages/gebiet", params={"q": "Stuelerstr"}).json()
    assert [(a["name"], a["ended"]) for a in found["results"]] == [
        ("Stülerstraße", "gültig bis 30.12.2020"),  # the planning area until 2020
        ("Stülerstraße", ""),
    ]
    codes = demo.get("/api/v1/pages/gebiet", params={"q": "0324100"}).json()
    assert {a["code"] for a in codes["results"]} == {
        f"0324100{i}" for i in range(1, 10)
    }
    form = overview.select_one("main form")
    assert form["method"] == "get"
    for control in form.select("input:not([type=hidden]), select"):
        assert form.select_one(f"label[for={control['id']}]") is not None


def test_unknown_level_is_not_found(demo: TestClient) -> None:
    assert demo.get("/gebiet", params={"ebene": "galaxy"}).status_code == 404
    assert (
        demo.get("/api/v1/pages/gebiet", params={"ebene": "galaxy"}).status_code == 404
    )


def test_every_text_has_an_english_translation() -> None:
    files = [
        *(WEB / "templates").glob("area*.html"),
        *(WEB / "templates").glob("_area_*.html"),
        *(WEB / "templates").glob("compare.html"),
        *(WEB / "templates").glob("_compare_*.html"),
    ]
    texts = set()
    for path in files:
        source = path.read_text()
        texts |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', source))
        texts |= set(re.findall(r"_\(\s*'((?:[^'\\]|\\.)*)'", source))
    modules = [
        *(WEB / "pages").glob("area*.py"),
        *(WEB / "pages").glob("compare*.py"),
        WEB / "pages" / "not_found.py",
        WEB / "figure.py",
    ]
    for module in modules:
        source = module.read_text()
        texts |= set(re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"', source))
    texts |= set(area_page.CHANGE_HEADERS.values())
    texts |= {area_page.NO_BENCHMARK_AT_ALL}
    texts |= {"Gebietsprofil", "Kreisschlüssel", "LOR-Schlüssel", "Gebietsschlüssel"}
    from sozialmonitor.domain.area import DEFAULT_LEVELS

    texts |= {label for _, label in DEFAULT_LEVELS}
    assert len(texts) > 80
    assert sorted(texts - set(catalogue("en"))) == []


def test_number_format_of_the_profile_is_german(demo: TestClient) -> None:
    body = demo.get(f"/api/v1/pages/gebiet/{LAATZEN}").json()
    population = rows(body)["population"]
    assert (
        population["figure"]["text"]
        == formatting.number(population["figure"]["value"], 0, "de") + "\u202fPersonen"
    )
    assert "." in population["figure"]["text"]  # thousands separator


def test_warmed_benchmark_values_equal_a_cold_read(demo_sqlite: Engine) -> None:
    """``warm_data`` reads the parents' latest values for every profile at once;
    a profile served from them equals one that read them itself."""
    from sozialmonitor.domain.access import Audience
    from sozialmonitor.store.database import connect
    from sozialmonitor.web.app import warm_data
    from sozialmonitor.web.snapshot import snapshot

    url = demo_sqlite.url.render_as_string(hide_password=False)
    warm, cold = connect(url), connect(url)
    try:
        warm_data(warm, gaps=False)
        warm_snap = snapshot(warm, Audience.PUBLIC)
        cold_snap = snapshot(cold, Audience.PUBLIC)
        assert len(warm_snap.lru("area-values", 1)) > 0
        assert len(cold_snap.lru("area-values", 1)) == 0
        leaves = sorted(
            code for code in warm_snap.areas if not warm_snap.children.get(code)
        )
        with warm.connect() as w, cold.connect() as c:
            for code in [*leaves[:: max(1, len(leaves) // 12)], LAATZEN]:
                # The locator map's element id is drawn at random.
                served = area_page.area_profile(w, warm_snap, "de", code)
                read = area_page.area_profile(c, cold_snap, "de", code)
                assert replace(served, locator="") == replace(read, locator="")
    finally:
        warm.dispose()
        cold.dispose()
