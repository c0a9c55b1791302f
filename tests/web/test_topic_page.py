"""Topic pages: the topic list and one topic, values checked against the gate."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.observation import Observation
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    store_observations,
)
from sozialmonitor.web import formatting
from sozialmonitor.web.app import create_app
from sozialmonitor.web.i18n import missing_translations
from sozialmonitor.web.snapshot import snapshot
from tests.fixtures import REGION, observations_frame

WEB = Path(str(files("sozialmonitor.web")))
TEMPLATE_CALL = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def german_texts(templates: Iterable[str], modules: Iterable[str]) -> list[str]:
    """The literal texts passed to ``_()`` in templates and to ``t()`` in modules."""
    found: list[str] = []
    for name in templates:
        text = (WEB / "templates" / name).read_text(encoding="utf-8")
        found += [a if a else b for a, b in TEMPLATE_CALL.findall(text)]
    for name in modules:
        tree = ast.parse((WEB / "pages" / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append(node.args[0].value)
    return found


def soup(response: object) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")  # type: ignore[attr-defined]


def rows(page: BeautifulSoup) -> dict[tuple[str, str], list[Tag]]:
    """(indicator name, area name) → the row's cells of the topic table."""
    found = {}
    for tr in page.select("table.topic-table tbody tr"):
        cells = tr.find_all(["th", "td"])
        name = cells[0].find("a").get_text(strip=True)
        found[(name, cells[1].get_text(strip=True))] = cells
    return found


def top_series(engine: Engine, indicator: str, area: str) -> dict[str, Observation]:
    with engine.connect() as conn:
        found = read_observations(
            conn, ObservationQuery(indicators=[indicator], areas=[area])
        )
    return {o.period: o for o in found}


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


def test_topic_index_lists_public_topics(client: TestClient) -> None:
    response = client.get("/thema")
    assert response.status_code == 200
    page = soup(response)
    table = page.select_one("table.topic-list")
    assert table.caption is not None
    listed = {
        tr.th.get_text(strip=True): int(tr.select_one("td.num").get_text())
        for tr in table.select("tbody tr")
    }
    # The internal indicator (topic Allgemein) is not counted.
    assert listed == {"Allgemein": 1, "Arbeit": 1}
    assert page.select_one("a[href='/thema/arbeit']") is not None
    assert client.get("/api/v1/pages/thema").json()["topics"][1]["indicator_count"] == 1


def test_topic_values_equal_the_read_gate(
    client: TestClient, small_engine: Engine
) -> None:
    response = client.get("/thema/arbeit")
    assert response.status_code == 200
    page = soup(response)
    assert page.h1.get_text() == "Arbeit"
    table = page.select_one("table.topic-table")
    assert table.caption.get_text() == "Kennzahlen im Themenfeld Arbeit"
    assert {th.get("scope") for th in table.thead.find_all("th")} == {"col", "colgroup"}
    series = top_series(small_engine, "unemployment_share", REGION)
    assert list(series) == ["2020", "2021"]
    indicator = snapshot(small_engine).indicator("unemployment_share")
    cells = rows(page)[("Arbeitslosenanteil", "Region Hannover")]
    assert cells[0].get("scope") == "row"
    assert cells[0].a["href"] == "/indikator/unemployment_share"
    assert cells[2].get_text(strip=True) == "2021"
    latest, previous = series["2021"].value, series["2020"].value
    assert cells[3].get_text(strip=True) == formatting.with_unit(
        latest, indicator, "de"
    )
    change = formatting.change(latest - previous, indicator, "de")
    assert "Prozentpunkte" in change
    assert cells[4].get_text(" ", strip=True) == f"{change} seit 2020"
    assert cells[5].get_text(strip=True) == "–"  # no five periods yet
    label = cells[6].select_one("svg.sparkline")["aria-label"]
    assert label == (
        f"Arbeitslosenanteil, Region Hannover: von "
        f"{formatting.with_unit(previous, indicator, 'de')} (2020) auf "
        f"{formatting.with_unit(latest, indicator, 'de')} (2021)"
    )


def test_topic_json_twin_has_the_same_numbers(
    client: TestClient, small_engine: Engine
) -> None:
    body = client.get("/api/v1/pages/thema/arbeit").json()
    page = soup(client.get("/thema/arbeit"))
    (row,) = body["rows"]
    series = top_series(small_engine, "unemployment_share", REGION)
    assert row["value"] == pytest.approx(series["2021"].value)
    assert row["change"]["value"] == pytest.approx(
        series["2021"].value - series["2020"].value
    )
    assert [p["period"] for p in row["series"]] == ["2020", "2021"]
    assert "sparkline" not in row  # HTML only
    cells = rows(page)[(row["indicator"]["name"], row["area"]["name"])]
    assert cells[3].get_text(strip=True) == row["value_text"]
    assert cells[4].get_text(" ", strip=True).startswith(row["change"]["text"])


def test_unknown_topic_is_404(client: TestClient) -> None:
    response = client.get("/thema/gibt-es-nicht")
    assert response.status_code == 404
    page = soup(response)
    assert page.html["lang"] == "de"
    assert "gibt-es-nicht" in page.select_one("[role=alert]").get_text()
    assert page.select("table.topic-list tbody tr")  # all topics offered
    problem = client.get("/api/v1/pages/thema/gibt-es-nicht")
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"
    assert problem.json()["type"].endswith("/unknown-topic")


def test_topic_page_follows_a_new_release(
    client: TestClient, small_engine: Engine
) -> None:
    client.get("/thema/arbeit")  # remembered for this data version
    with small_engine.begin() as conn:
        release = draft_release(conn, "2022-H1")
        store_observations(
            conn,
            release,
            observations_frame(
                conn,
                {
                    ("03241001", "2022"): (22_000, 302_000),
                    ("03241002", "2022"): (1_000, 20_000),
                },
            ),
        )
        publish_release(conn, "2022-H1")
    cells = rows(soup(client.get("/thema/arbeit")))[
        ("Arbeitslosenanteil", "Region Hannover")
    ]
    series = top_series(small_engine, "unemployment_share", REGION)
    indicator = snapshot(small_engine).indicator("unemployment_share")
    assert cells[2].get_text(strip=True) == "2022"
    assert cells[3].get_text(strip=True) == formatting.with_unit(
        series["2022"].value, indicator, "de"
    )


def test_topic_page_in_english(client: TestClient) -> None:
    page = soup(client.get("/thema/arbeit", params={"lang": "en"}))
    assert page.html["lang"] == "en"
    assert page.select_one("table.topic-table caption").get_text() == (
        "Indicators of the topic Arbeit"
    )
    cells = rows(page)[("Arbeitslosenanteil", "Region Hannover")]
    assert "percentage points" in cells[4].get_text()
    assert cells[0].a["href"] == "/indikator/unemployment_share?lang=en"
    assert soup(client.get("/thema", params={"lang": "en"})).h1.get_text() == "Topics"


def test_every_topic_text_has_an_english_translation() -> None:
    texts = german_texts(
        ["topic.html", "topic_index.html", "_topic_list.html", "_topic_table.html"],
        ["topic.py"],
    )
    assert len(texts) > 20
    assert missing_translations(texts) == []


# --- the real demo ------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def test_demo_topic_rows_equal_the_gate(demo: TestClient, demo_sqlite: Engine) -> None:
    snap = snapshot(demo_sqlite)
    page = soup(demo.get("/thema/arbeit"))
    found = rows(page)
    checked = 0
    for indicator in snap.topic("arbeit").indicators:  # type: ignore[union-attr]
        for scope in snap.scopes_for(indicator):
            cells = found[(indicator.name, scope.root.name)]
            if scope.root.level not in scope.periods_by_level:
                level = snap.level_by_code[scope.levels[0]].label
                assert cells[3].get_text(strip=True) == f"Werte ab Ebene {level}"
                continue
            series = top_series(demo_sqlite, indicator.id, scope.root.code)
            periods = sorted(series, key=scope.periods_by_level[scope.root.level].index)
            latest = series[periods[-1]]
            assert cells[2].get_text(strip=True) == formatting.period_label(
                latest.period, "de"
            )
            assert cells[3].get_text(strip=True) == formatting.with_unit(
                latest.value, indicator, "de"
            )
            change = latest.value - series[periods[-2]].value  # type: ignore[operator]
            assert (
                cells[4]
                .get_text(" ", strip=True)
                .startswith(formatting.change(change, indicator, "de"))
            )
            long_change = latest.value - series[periods[-6]].value  # type: ignore[operator]
            assert cells[5].get_text(" ", strip=True) == (
                f"{formatting.change(long_change, indicator, 'de')} seit "
                f"{formatting.period_label(periods[-6], 'de')}"
            )
            label = cells[6].select_one("svg.sparkline")["aria-label"]
            first = series[periods[0]]
            assert label.endswith(
                f"von {formatting.with_unit(first.value, indicator, 'de')} "
                f"({periods[0]}) auf "
                f"{formatting.with_unit(latest.value, indicator, 'de')} ({periods[-1]})"
            )
            checked += 1
    assert checked >= 3


def test_demo_berlin_indicators_say_where_values_are(demo: TestClient) -> None:
    body = demo.get("/api/v1/pages/thema/arbeit").json()
    berlin = [r for r in body["rows"] if r["area"]["name"] == "Berlin"]
    assert berlin
    assert {r["note"] for r in berlin} == {"Werte ab Ebene Planungsraum"}
    assert {r["period"] for r in berlin} == {"2020-12-31"}
    assert all(r["value"] is None for r in berlin)


def test_demo_population_has_a_row_per_top_area(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    name = snapshot(demo_sqlite).indicator("population").name
    found = rows(soup(demo.get("/thema/bevoelkerung")))
    assert (name, "Berlin") in found
    assert (name, "Region Hannover") in found
    assert (name, "Hessen: Pilotkreise Regionales Sozialmonitoring") in found


def test_a_row_opens_the_indicator_at_its_own_top_area_issue_12(
    demo: TestClient,
) -> None:
    found = rows(soup(demo.get("/thema/arbeit")))
    name = "Arbeitslose an der erwerbsfähigen Bevölkerung"
    hannover = found[(name, "Region Hannover")][0].find("a")["href"]
    hessen = found[(name, "Hessen: Pilotkreise Regionales Sozialmonitoring")]
    assert hannover == "/indikator/unemployment_share?raum=03241"
    assert hessen[0].find("a")["href"] == "/indikator/unemployment_share?raum=06-pilot"
    opened = soup(demo.get(hannover))
    chosen = opened.select_one("select[name=raum] option[selected]")
    assert chosen is not None and chosen.get_text(strip=True) == "Region Hannover"
    # an indicator with values under one top area only keeps its plain link
    berlin = found[("Arbeitslosigkeit", "Berlin")][0].find("a")["href"]
    assert berlin == "/indikator/mss_s1_unemployment"
