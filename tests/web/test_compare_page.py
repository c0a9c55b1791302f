"""Compare (/vergleich): two areas side by side, checked against the read gate."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages import compare as compare_module
from sozialmonitor.web.snapshot import snapshot
from tests.fixtures import COUNTS, REGION, TOWNS
from tests.web.expected import gate, html, rows, shown

RTOL = 1e-9
HANNOVER = "03241"
LAATZEN = "03241009"
GARBSEN = "03241005"


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def test_town_against_its_region(client: TestClient) -> None:
    params = [("gebiete", TOWNS[0]), ("gebiete", REGION)]
    body = client.get("/api/v1/pages/vergleich", params=params).json()
    assert body["ready"] is True
    assert [a["code"] for a in body["areas"]] == [TOWNS[0], REGION]
    share = rows(body)["unemployment_share"]
    assert share["period"] == "2021"
    n, d = COUNTS[(TOWNS[0], "2021")]
    num = sum(n for (_, p), (n, _) in COUNTS.items() if p == "2021")
    den = sum(d for (_, p), (_, d) in COUNTS.items() if p == "2021")
    assert share["a"]["value"] == pytest.approx(n / d * 100, rel=RTOL)
    assert share["b"]["value"] == pytest.approx(num / den * 100, rel=RTOL)
    assert share["difference"] == pytest.approx(n / d * 100 - num / den * 100)
    assert share["higher"] == "a" and share["higher_text"] == "Gemeinde 001 höher"
    assert share["difference_text"].endswith("Prozentpunkte")
    population = rows(body)["population"]
    assert population["higher"] == "b"
    assert population["difference"] == pytest.approx(d - den)


def test_latest_common_period_and_html(client: TestClient) -> None:
    # town 003 only has 2020: both are compared in 2020
    params = [("gebiete", TOWNS[2]), ("gebiete", TOWNS[0])]
    body = client.get("/api/v1/pages/vergleich", params=params).json()
    share = rows(body)["unemployment_share"]
    assert share["period"] == "2020"
    (n3, d3), (n1, d1) = COUNTS[(TOWNS[2], "2020")], COUNTS[(TOWNS[0], "2020")]
    assert share["difference"] == pytest.approx(n3 / d3 * 100 - n1 / d1 * 100)
    page = html(client.get("/vergleich", params=params))
    assert (
        page.select_one("h1").get_text() == "Vergleich: Gemeinde 003 und Gemeinde 001"
    )
    cells = {
        tr.select_one("th a").get_text(): [td.get_text() for td in tr.select("td")]
        for tr in page.select("table.compare-table tbody tr")
    }
    row = cells["Arbeitslosenanteil"]
    assert row[:4] == [
        share["a"]["text"],
        share["b"]["text"],
        share["difference_text"],
        share["higher_text"],
    ]
    # the permalink restores the choice
    selected = [
        s.select_one("option[selected]")["value"] for s in page.select("select")
    ]
    assert selected == [TOWNS[2], TOWNS[0]]
    assert not page.select("script[src]")  # no chart, no script


def test_unknown_area_is_not_found(client: TestClient) -> None:
    params = [("gebiete", "99999999"), ("gebiete", REGION)]
    response = client.get("/vergleich", params=params)
    assert response.status_code == 404
    page = html(response)
    assert (
        "Kein Gebiet gefunden für „99999999“." in page.select_one(".problem").get_text()
    )
    assert page.select_one("form select") is not None  # the form stays usable
    problem = client.get("/api/v1/pages/vergleich", params=params)
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["type"].endswith("/unknown-area-code")


def test_form_without_areas_and_with_one(client: TestClient) -> None:
    empty = html(client.get("/vergleich"))
    assert empty.select_one("h1").get_text() == "Gebiete vergleichen"
    selects = empty.select("form select[name=gebiete]")
    assert len(selects) == 2
    for select in selects:
        assert empty.select_one(f"label[for={select['id']}]") is not None
        assert {o["value"] for o in select.select("optgroup option")} == {
            REGION,
            *TOWNS,
        }
    one = client.get("/api/v1/pages/vergleich", params={"gebiete": TOWNS[1]}).json()
    assert one["ready"] is False
    assert one["quick_links"][0]["url"] == (
        f"/vergleich?gebiete={TOWNS[1]}&gebiete={REGION}"
    )


# --- the real demo ----------------------------------------------------------------


def test_laatzen_and_the_region_against_the_gate(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    params = [("gebiete", LAATZEN), ("gebiete", HANNOVER)]
    body = demo.get("/api/v1/pages/vergleich", params=params).json()
    a, b = gate(demo_sqlite, LAATZEN), gate(demo_sqlite, HANNOVER)
    has_a, has_b = {i for i, _ in a}, {i for i, _ in b}
    found = rows(body)
    assert set(found) <= has_a & has_b
    assert {i["indicator"] for i in body["only_a"]} == has_a - has_b
    assert {i["indicator"] for i in body["only_b"]} == has_b - has_a
    for indicator, row in found.items():
        common = {p for i, p in a if i == indicator} & {
            p for i, p in b if i == indicator
        }
        assert row["period"] in common
        value_a = shown(a[(indicator, row["period"])])
        value_b = shown(b[(indicator, row["period"])])
        assert row["a"]["value"] == pytest.approx(value_a)
        assert row["b"]["value"] == pytest.approx(value_b)
        if value_a is not None and value_b is not None:
            assert row["difference"] == pytest.approx(value_a - value_b)
    page = html(demo.get("/vergleich", params=params))
    only = page.select_one("#others-title").find_parent("section").get_text()
    assert "Nur für Region Hannover vorhanden" in only


def test_chart_permalink_and_table_alternative(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    params = [
        ("gebiete", LAATZEN),
        ("gebiete", GARBSEN),
        ("kennzahl", "unemployment_share"),
    ]
    response = demo.get("/vergleich", params=params)
    page = html(response)
    scripts = [s["src"] for s in page.select("script[src]")]
    assert scripts == [
        "/static/vendor/vega-6.4.0.min.js",
        "/static/vendor/vega-interpreter-2.3.2.js",
        "/static/js/chart.js",
    ]
    spec = page.select_one('script[type="application/json"].vega-spec')
    target = page.select_one(f"#{spec['data-target']}")
    assert target["role"] == "img" and target["aria-label"]
    compiled = json.loads(spec.get_text())
    assert compiled["$schema"].startswith("https://vega.github.io/schema/vega/")
    a = gate(demo_sqlite, LAATZEN)
    body = demo.get("/api/v1/pages/vergleich", params=params).json()
    chart = body["chart"]
    assert chart["indicator"] == "unemployment_share" and "spec" not in chart
    periods = sorted({p for i, p in a if i == "unemployment_share"})
    assert [r["period"] for r in chart["rows"]] == periods
    table = page.select_one("#diagramm table")
    first = table.select("tbody tr")[0]
    assert first.select_one("th").get_text() == periods[0]
    value = a[("unemployment_share", periods[0])].value
    assert (
        first.select("td")[0].get_text() == f"{value:.1f}".replace(".", ",") + "\u202f%"
    )
    assert first.select("td")[1].get_text() == chart["rows"][0]["b"]
    # the form keeps the chosen chart; the swap link too
    assert page.select_one("input[name=kennzahl]")["value"] == "unemployment_share"
    swap = next(
        a for a in page.select(".actions a") if a.get_text() == "Gebiete tauschen"
    )
    assert swap["href"] == (
        f"/vergleich?gebiete={GARBSEN}&gebiete={LAATZEN}&kennzahl=unemployment_share"
    )


def test_names_are_understood_and_ambiguous_ones_offered(demo: TestClient) -> None:
    body = demo.get(
        "/api/v1/pages/vergleich",
        params=[("gebiete", "laatzen"), ("gebiete", "Region Hannover")],
    ).json()
    assert [a["code"] for a in body["areas"]] == [LAATZEN, HANNOVER]
    # one area is called exactly "Mitte" (the district), two contain "Marzahner"
    mitte = demo.get(
        "/api/v1/pages/vergleich", params=[("gebiete", "Mitte"), ("gebiete", LAATZEN)]
    ).json()
    assert [a["name"] for a in mitte["areas"]] == ["Mitte", "Laatzen"]
    vague = demo.get(
        "/api/v1/pages/vergleich",
        params=[("gebiete", "Marzahner"), ("gebiete", LAATZEN)],
    ).json()
    assert vague["ready"] is False
    candidates = vague["choices"][0]["candidates"]
    # each name twice: the planning area until 2020 and the one since (issue 12)
    assert sorted(c["name"] for c in candidates) == [
        "Marzahner Chaussee",
        "Marzahner Chaussee",
        "Marzahner Promenade",
        "Marzahner Promenade",
    ]
    assert len({c["code"] for c in candidates}) == 4
    for candidate in candidates:
        assert candidate["url"] == (
            f"/vergleich?gebiete={candidate['code']}&gebiete={LAATZEN}"
        )


def test_text_fields_instead_of_selects_at_germany_size(
    demo: TestClient, demo_sqlite: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compare_module, "SELECT_LIMIT", 100)
    # Comparisons are kept per data version: drop those built with the real limit.
    snapshot(demo_sqlite).lru("compare-pages", compare_module.PAGE_CACHE).clear()
    response = demo.get("/vergleich", params=[("gebiete", LAATZEN)])
    page = html(response)
    assert not page.select("select")
    fields = page.select("form input[type=text][name=gebiete]")
    assert [f["value"] for f in fields] == [LAATZEN, ""]
    assert len(response.content) < 30_000


def test_english_compare(demo: TestClient) -> None:
    params = [("gebiete", LAATZEN), ("gebiete", HANNOVER), ("lang", "en")]
    page = html(demo.get("/vergleich", params=params))
    assert page.html["lang"] == "en"
    assert page.select_one("h1").get_text() == "Comparison: Laatzen and Region Hannover"
    heads = [th.get_text() for th in page.select("table.compare-table thead th")]
    assert "Difference" in heads
    assert "Region Hannover higher" in page.get_text()


def test_compare_page_size(demo: TestClient) -> None:
    response = demo.get(
        "/vergleich",
        params=[("gebiete", LAATZEN), ("gebiete", HANNOVER)],
        headers={"Accept-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert int(response.headers.get("content-length", len(response.content))) < 300_000
