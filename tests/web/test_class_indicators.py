"""Class indicators are categorical everywhere (issue 13): a stored class (the
demo's MSS status class, dynamics class and cell) is written with its label, mapped
with its classes and colours, and never written as a number with the unit
"Klasse" ("2 Klasse", "Klasse 2 Klasse") nor put on a quantile scale.

The crawl visits every page type that shows indicator values, with the class
indicators chosen wherever the page takes an indicator, in both languages.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.index_categories import categories_of
from sozialmonitor.web.app import create_app
from sozialmonitor.web.snapshot import snapshot

CLASS_INDICATORS = ("mss.status_class", "mss.dynamics_class", "mss.cell")
PLANNING_AREAS = ("10200524", "02100103")
"""Adele-Sandrock-Straße (2-) and Am Berlin Museum (4-)."""
NUMBER_WITH_CLASS_UNIT = re.compile(r"\d[\s\u202f\u00a0]*(?:Klasse|class)\b")
QUANTILE_WORDS = re.compile(r"^(?:bis|über|up to|over) ")


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def pages() -> list[str]:
    found = ["/", "/thema", "/thema/sozialindex", "/sozialindex", "/sozialindex/mss"]
    for indicator in CLASS_INDICATORS:
        for view in ("karte", "tabelle", "diagramm", "veraenderung"):
            found.append(f"/indikator/{indicator}?ansicht={view}")
    found += [f"/gebiet/{code}" for code in PLANNING_AREAS]
    found.append("/vergleich?gebiete=10200524&gebiete=02100103")
    found.append("/suche?q=Klasse")
    found.append("/methoden")
    return found


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("url", pages())
def test_no_page_writes_a_class_as_a_number_with_the_unit(
    demo: TestClient, url: str, lang: str
) -> None:
    joiner = "&" if "?" in url else "?"
    response = demo.get(url + (f"{joiner}lang=en" if lang == "en" else ""))
    assert response.status_code == 200, url
    text = BeautifulSoup(response.text, "html.parser").get_text(" ", strip=True)
    found = NUMBER_WITH_CLASS_UNIT.findall(text)
    assert not found, (url, found)
    assert "Klasse Klasse" not in text


@pytest.mark.parametrize("indicator", CLASS_INDICATORS)
def test_the_map_legend_is_the_classes_with_their_colours(
    demo: TestClient, demo_sqlite: Engine, indicator: str
) -> None:
    categories = categories_of(snapshot(demo_sqlite).indicator(indicator))
    assert categories, indicator
    for scheme in ("quantile", "gleich", "jenks"):
        page = BeautifulSoup(
            demo.get(f"/indikator/{indicator}?ansicht=karte&klassen={scheme}").text,
            "html.parser",
        )
        items = page.select(".map-legend li")
        labels = [li.get_text(" ", strip=True).rsplit(" (", 1)[0] for li in items]
        assert labels[: len(categories)] == [c.label for c in categories]
        assert labels[len(categories) :] in ([], ["keine Angabe"])
        assert not any(QUANTILE_WORDS.match(label) for label in labels)
        fills = [li.rect["fill"] for li in items[: len(categories)]]
        assert fills == [c.colour for c in categories]
        assert page.select_one("#ctl-klassen") is None  # no scheme to choose
        svg_fills = {p["fill"] for p in page.select("svg.sm-map a.map-area path")}
        assert svg_fills <= {c.colour for c in categories} | {
            f for f in svg_fills if f.startswith("url(#")
        }


def test_table_and_profile_write_the_labels(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    labels = {
        c.label for c in categories_of(snapshot(demo_sqlite).indicator("mss.cell"))
    }
    table = BeautifulSoup(
        demo.get("/indikator/mss.cell?ansicht=tabelle").text, "html.parser"
    )
    values = {td.get_text(strip=True) for td in table.select("main table td.value")}
    assert values and values <= labels | {"–"}
    assert "Status sehr niedrig, Dynamik negativ" in values
    profile = BeautifulSoup(demo.get("/gebiet/10200524").text, "html.parser")
    text = profile.main.get_text(" ", strip=True)
    assert "Status mittel, Dynamik negativ" in text
    assert "Dynamik negativ" in text


def test_the_download_has_the_label_beside_the_number(demo: TestClient) -> None:
    response = demo.get(
        "/indikator/mss.status_class/download.csv?ansicht=tabelle&format=csv-de"
    )
    assert response.status_code == 200
    rows = list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    # German headers (issue 16); a class's value is its official number
    labelled = {(r["Wert"], r["Klasse"]) for r in rows if r["Klasse"]}
    assert labelled == {
        ("1", "Status hoch"),
        ("2", "Status mittel"),
        ("3", "Status niedrig"),
        ("4", "Status sehr niedrig"),
    }


def test_the_chart_axis_names_the_classes(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    categories = categories_of(snapshot(demo_sqlite).indicator("mss.status_class"))
    page = BeautifulSoup(
        demo.get(
            "/indikator/mss.status_class?ansicht=diagramm&ebene=planning_area"
            "&gebiete=10200524&gebiete=02100103"
        ).text,
        "html.parser",
    )
    script = page.select_one("script.vega-spec")
    assert script is not None
    spec = script.get_text()
    for category in categories:
        assert json.dumps(category.label)[1:-1] in spec, category.label
    assert "Wert (Klasse)" not in spec
