"""The Sozialindex page (issue 13): ``/sozialindex/<id>``, its JSON twin and
downloads, its links from the start page, the topic and the area profile.

The demo's MSS counts and focus areas are compared with ``sozialmonitor index show
mss --json`` on the same database (computed afresh by the CLI, not hand-copied),
so the page, which reads the stored results back through the read gate, must agree
with the computation.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pandas as pd
import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from sozialmonitor.cli import app as cli
from sozialmonitor.web import formatting
from sozialmonitor.web.app import create_app

RTOL = 1e-9
"""The page's numbers are the stored ones: equal up to float formatting."""


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


@pytest.fixture(scope="module")
def computed(demo_sqlite: Engine) -> dict[str, Any]:
    """What ``sozialmonitor index show mss --json`` computes on the demo."""
    result = CliRunner().invoke(
        cli,
        ["index", "show", "mss", "--json", "--db", str(demo_sqlite.url)],
    )
    assert result.exit_code == 0, result.output
    found: dict[str, Any] = json.loads(result.output)
    return found


def soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def table(page: BeautifulSoup, css: str) -> Tag:
    found = page.select_one(f"table.{css}")
    assert found is not None, css
    return found


def test_matrix_counts_per_cell_and_class_are_the_computed_ones(
    demo: TestClient, computed: dict[str, Any]
) -> None:
    page = soup(demo.get("/sozialindex/mss"))
    matrix = table(page, "index-matrix")
    cells: dict[str, int] = {}
    status: dict[str, int] = {}
    for row in matrix.select("tbody tr"):
        label = row.th.get_text(" ", strip=True)
        counts = row.find_all("td")
        for td in counts[:-1]:
            symbol = td.select_one(".symbol").get_text(strip=True)
            cells[symbol] = int(td.get_text(" ", strip=True).split()[-1])
        status[label] = int(counts[-1].get_text(strip=True))
    assert cells == computed["counts"]["cells"]
    assert {
        label.removeprefix("Status ").rsplit(" (", 1)[0]: n
        for label, n in status.items()
    } == computed["counts"]["status"]
    footer = [td.get_text(strip=True) for td in matrix.select("tfoot td")]
    assert [int(n) for n in footer[:-1]] == list(
        computed["counts"]["dynamics"].values()
    )
    indexed = sum(1 for a in computed["areas"] if a["included"])
    assert int(footer[-1]) == indexed
    headers = [th.get_text(" ", strip=True) for th in matrix.select("thead th")]
    assert headers[:3] == [
        "Dynamik positiv (+)",
        "Dynamik stabil (+/-)",
        "Dynamik negativ (-)",
    ]
    note = page.select_one("#index-matrix ~ p.note").get_text(" ", strip=True)
    for reason, n in computed["counts"]["excluded"].items():
        assert f"{reason}: {n}" in note


def test_the_map_colours_each_area_by_its_cell(
    demo: TestClient, computed: dict[str, Any]
) -> None:
    page = soup(demo.get("/sozialindex/mss"))
    svg = page.select_one("figure.map svg.sm-map")
    assert svg is not None
    fills = {
        a["data-code"]: a.path["fill"] for a in svg.select("a.map-area[data-code]")
    }
    twin = demo.get("/api/v1/pages/sozialindex/mss").json()
    colour_of = {
        c["symbol"]: c["colour"] for row in twin["matrix"] for c in row["cells"]
    }
    for area in computed["areas"]:
        if area["included"]:
            assert fills[area["code"]] == colour_of[area["cell"]], area["code"]
        else:
            assert fills[area["code"]].startswith("url(#"), area["code"]  # hatch
    assert colour_of["4-"] == "#99000d" and colour_of["1+"] == "#c6dbef"


def test_focus_areas_with_their_drivers_in_words(
    demo: TestClient, computed: dict[str, Any]
) -> None:
    page = soup(demo.get("/sozialindex/mss"))
    rows = table(page, "index-focus").select("tbody tr")
    shown = {
        row.th.get_text(strip=True): [
            li.get_text(strip=True) for li in row.select("ul.drivers li")
        ]
        for row in rows
    }
    expected = {f["name"]: f for f in computed["focus"]}
    assert set(shown) == set(expected)
    assert len(rows) == 91  # status sehr niedrig (49) or dynamics negativ (52), 10 both
    for name, texts in shown.items():
        drivers = expected[name]["drivers"]
        assert len(texts) == len(drivers)
        for text, driver in zip(texts, drivers, strict=True):
            z = formatting.number(driver["zscore"], 1, "de")
            assert text.startswith(driver["label"] + " "), text
            assert text.endswith(f"über dem Durchschnitt (z = {z})"), text
            rounded = formatting.rounded_as_shown(driver["zscore"], 1)
            word = "weit" if rounded >= 2 else "deutlich" if rounded >= 1 else ""
            assert text.split(driver["label"] + " ")[1].startswith(
                f"{word} über" if word else "über"
            ), text
    museum = next(r for r in rows if r.th.get_text(strip=True) == "Am Berlin Museum")
    assert "Status sehr niedrig, Dynamik negativ (4-)" in museum.get_text(" ")
    assert museum.th.a["href"] == "/gebiet/" + expected["Am Berlin Museum"]["code"]


def test_method_is_written_from_the_definition(demo: TestClient) -> None:
    method = soup(demo.get("/sozialindex/mss")).select_one("#index-method").parent
    text = method.get_text(" ", strip=True)
    for part in (
        "S1 Arbeitslosigkeit (Kennzahl mss_s1_unemployment, Gewicht 1)",
        "hoch: unter −1,0; mittel: −1,0 bis 1,0; niedrig: über 1,0 bis 1,5; "
        "sehr niedrig: über 1,5",
        "positiv: unter −1,0; stabil: −1,0 bis 1,0; negativ: über 1,0",
        "weniger als 300 Einwohnerinnen und Einwohnern",
        "Gewerbegebiet Bitterfelder Straße (10100205) ist ausgenommen: Ausreißer",
        "Status sehr niedrig oder Dynamik negativ",
        "noch einmal standardisiert",
        "12 Felder",
    ):
        assert part in text, part


def test_json_twin_has_the_page_numbers(
    demo: TestClient, computed: dict[str, Any]
) -> None:
    twin = demo.get("/api/v1/pages/sozialindex/mss")
    assert twin.status_code == 200
    data = twin.json()
    assert "map" not in data
    assert data["internal"] is False
    assert {c["label"]: c["count"] for c in data["status_counts"]} == {
        f"Status {k}": v for k, v in computed["counts"]["status"].items()
    }
    assert {
        c["symbol"]: c["count"] for row in data["matrix"] for c in row["cells"]
    } == computed["counts"]["cells"]
    assert {f["code"] for f in data["focus"]} == {f["code"] for f in computed["focus"]}
    assert data["periods"] == [
        {"value": "2020-12-31", "label": "31.12.2020", "selected": True}
    ]
    assert data["transitions"] == []  # one period only


def test_unknown_index_is_a_german_404_and_a_problem(demo: TestClient) -> None:
    page = demo.get("/sozialindex/gibtsnicht")
    assert page.status_code == 404
    assert "gibtsnicht" in BeautifulSoup(page.text, "html.parser").main.get_text()
    assert demo.get("/sozialindex/mss?zeitraum=1999-12-31").status_code == 404
    twin = demo.get("/api/v1/pages/sozialindex/gibtsnicht")
    assert twin.status_code == 404
    assert twin.headers["content-type"].startswith("application/problem+json")
    assert demo.get("/sozialindex/mss/download.exe").status_code == 404


def _german_number(text: str) -> float | None:
    return float(text.replace(".", "").replace(",", ".")) if text else None


def test_downloads_csv_xlsx_json(demo: TestClient, computed: dict[str, Any]) -> None:
    by_code = {a["code"]: a for a in computed["areas"]}
    response = demo.get("/sozialindex/mss/download.csv")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert response.content.startswith(b"\xef\xbb\xbf")  # German Excel: BOM
    rows = list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert {r["area"] for r in rows} == set(by_code)
    for row in rows:
        area = by_code[row["area"]]
        if not area["included"]:
            assert row["status_class"] == "" and row["left_out"] == area["reason"]
            continue
        assert "," in row["status_index"] and "." not in row["status_index"]
        assert _german_number(row["status_index"]) == pytest.approx(
            area["status"]["index"], rel=RTOL
        )
        assert int(row["status_class"]) == area["status"]["class"]
        assert row["status_label"] == "Status " + area["status"]["label"]
        assert row["cell"] == area["cell"] and row["cell_label"] == area["cell_label"]
        assert _german_number(row["z_s4"]) == pytest.approx(
            area["zscores"]["s4"], rel=RTOL
        )
    focus = {f["code"] for f in computed["focus"]}
    assert {r["area"] for r in rows if r["focus"] == "ja"} == focus
    assert {r["focus"] for r in rows} == {"ja", "nein"}

    xlsx = demo.get("/sozialindex/mss/download.xlsx")
    assert xlsx.status_code == 200
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None)
    assert set(sheets) == {"Werte", "Quelle"}
    assert len(sheets["Werte"]) == len(by_code)

    document = demo.get("/sozialindex/mss/download.json").json()
    assert document["index"]["id"] == "mss"
    assert document["definition_sha256"] == computed["definition_sha256"]
    assert {r["area"] for r in document["rows"] if r["focus"] is True} == focus
    cells = {r["area"]: r["cell"] for r in document["rows"]}
    assert cells == {a["code"]: a["cell"] or "" for a in computed["areas"]}


def test_reachable_from_start_topic_and_profile(demo: TestClient) -> None:
    start = soup(demo.get("/"))
    assert start.select_one('a[href="/sozialindex/mss"]') is not None
    for topic in ("sozialindex", "arbeit", "mindestsicherung"):
        page = soup(demo.get(f"/thema/{topic}"))
        assert page.select_one('p.index-links a[href="/sozialindex/mss"]'), topic
    profile = soup(demo.get("/gebiet/10200524"))  # Adele-Sandrock-Straße: 2-
    position = profile.select_one(".index-position")
    assert position is not None
    assert position.dt.get_text(strip=True) == "Gesamtindex Soziale Ungleichheit"
    assert position.a.get_text(strip=True) == "Status mittel, Dynamik negativ (2-)"
    assert position.a["href"] == "/sozialindex/mss?zeitraum=2020-12-31"
    left_out = soup(demo.get("/gebiet/10100205"))  # the outlier
    assert left_out.select_one(".index-position a").get_text(strip=True) == (
        "Ausreißer"
    )


def test_english_page(demo: TestClient) -> None:
    page = soup(demo.get("/sozialindex/mss?lang=en"))
    assert page.html["lang"] == "en"
    assert page.select_one("#index-focus").get_text() == (
        "Areas needing particular attention"
    )
    drivers = page.select("ul.drivers li")
    assert drivers and "above the average (z = " in drivers[0].get_text()
    assert "areas indexed" in page.main.get_text()
    twin = demo.get("/api/v1/pages/sozialindex/mss?lang=en").json()
    assert twin["period_text"] == "31 Dec 2020"


def test_anonymous_response_sets_no_cookie(demo: TestClient) -> None:
    for url in ("/sozialindex", "/sozialindex/mss", "/api/v1/pages/sozialindex/mss"):
        response = demo.get(url)
        assert response.status_code == 200
        assert "set-cookie" not in response.headers, url
