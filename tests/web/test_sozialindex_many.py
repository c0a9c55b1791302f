"""The Sozialindex page with many areas (issue 13, Germany size).

More focus areas than it lists: the table shows the first ``FOCUS_SHOWN`` by name and
says how many there are; the JSON twin counts them all and the downloads mark them
all (130 planning areas of a made-up city, named out of code order, one status
indicator, every status class a focus class). More areas than a map links
(``svgmap.INTERACTIVE_LIMIT``): the map is one image, a path per class in the
class's colour (3,010 square areas). Expected focus areas and classes come from
``compute_from_database`` (the analysis the CLI runs), not from the page's code.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.index_definition import parse_definition
from sozialmonitor.analysis.index_derived import compute_and_store
from sozialmonitor.analysis.index_inputs import compute_from_database
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)
from sozialmonitor.web import svgmap
from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages.sozialindex import FOCUS_SHOWN

# Areas without a value are left out on purpose (the map hatches them): the
# computation says so with a warning.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Index 'viele'.*left out for missing values:UserWarning"
)
AREAS = 130
PERIOD = "2020-12-31"
DEFINITION = parse_definition(
    """
id: viele
name: Index mit vielen Fokusgebieten
level: planning_area
period: 2020-12-31
population: null
status:
  name: Status-Index
  indicators:
    - {key: a, label: A Arbeitslosigkeit, indicator: share_a}
  classes:
    - {code: 1, label: hoch, below: -0.5}
    - {code: 2, label: mittel, up_to: 0.5}
    - {code: 3, label: niedrig}
focus:
  status_classes: [1, 2, 3]
  drivers: 1
colours:
  status: {1: "#123456", 2: "#abcdef", 3: "#654321"}
""",
    origin="test",
)


def _name(n: int) -> str:
    """Names out of code order (and with an umlaut), so the order is the names'."""
    initial = "ÄZB"[n % 3]
    return f"{initial}-Viertel {(n * 37) % 10007:05d}"


def _square(n: int) -> str:
    """A square of 0.01° on a grid of 70 columns, near Hanover."""
    x, y = 9.0 + (n % 70) * 0.01, 52.0 + (n // 70) * 0.01
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _build(
    engine: Engine, count: int, values: dict[int, float], *, geometry: bool
) -> None:
    """``count`` planning areas under "V", the values of ``share_a`` (by area
    number) published, then the index computed and published."""
    codes = [f"V{n:04d}" for n in range(count)]
    with engine.begin() as conn:
        save_indicators(conn, [Indicator(id="share_a", name="Anteil A", unit="%")])
        save_areas(
            conn,
            [Area(code="V", name="Vielstadt", level="region")]
            + [
                Area(
                    code=c,
                    name=_name(n),
                    level="planning_area",
                    parent="V",
                    geometry=_square(n) if geometry else None,
                )
                for n, c in enumerate(codes)
            ],
        )
        release = draft_release(conn, "Daten")
        rows = [
            {
                "indicator_id": queries.indicator_id(conn, "share_a"),
                "area_id": queries.area_id(conn, codes[n]),
                "period": PERIOD,
                "value": value,
                "numerator": None,
                "denominator": None,
                "flags": 0,
                "note": None,
            }
            for n, value in values.items()
        ]
        store_observations(conn, release, pd.DataFrame(rows))
        publish_release(conn, "Daten")
    compute_and_store(engine, DEFINITION, release="Index")
    with engine.begin() as conn:
        publish_release(conn, "Index")


@pytest.fixture
def many(engine: Engine) -> Engine:
    values = {n: 2.0 + (n * 7 % AREAS) * 0.1 for n in range(AREAS)}
    _build(engine, AREAS, values, geometry=False)
    return engine


@pytest.fixture
def mapped(engine: Engine) -> Engine:
    count = svgmap.INTERACTIVE_LIMIT + 10
    # Every 50th area without a value: left out, hatched.
    values = {n: (n * 7919 % 1000) / 10 for n in range(count) if n % 50}
    _build(engine, count, values, geometry=True)
    return engine


def test_the_page_lists_the_first_focus_areas_by_name_and_counts_all(
    many: Engine,
) -> None:
    with many.connect() as conn:
        expected = compute_from_database(conn, DEFINITION, audience=Audience.PUBLIC)
    assert len(expected.focus) == AREAS > FOCUS_SHOWN  # the test can fail
    first = sorted((f.name for f in expected.focus), key=german_key)[:FOCUS_SHOWN]
    client = TestClient(create_app(many))

    page = BeautifulSoup(client.get("/sozialindex/viele").text, "html.parser")
    rows = page.select("table.index-focus tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == first
    intro = page.select_one("#index-focus ~ p")
    assert intro is not None
    assert intro.get_text(" ", strip=True).startswith(f"{AREAS} Gebiete mit Status")
    assert f"die ersten {FOCUS_SHOWN} nach dem Namen" in intro.get_text()
    assert intro.select_one('a[href="#index-downloads"]') is not None

    twin = client.get("/api/v1/pages/sozialindex/viele").json()
    assert twin["focus_count"] == AREAS
    assert [f["name"] for f in twin["focus"]] == first

    response = client.get("/sozialindex/viele/download.csv")
    assert response.status_code == 200
    found = list(
        csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert {r["area"] for r in found if r["focus"] == "ja"} == {
        f.code for f in expected.focus
    }


def test_a_map_of_more_areas_than_it_links_is_one_image_by_class(
    mapped: Engine,
) -> None:
    with mapped.connect() as conn:
        expected = compute_from_database(conn, DEFINITION, audience=Audience.PUBLIC)
    counts = expected.areas["status_class"].value_counts().to_dict()
    assert len(counts) == 3 and (~expected.areas["included"]).sum() > 0
    colour = DEFINITION.class_colours("status")
    page = BeautifulSoup(
        TestClient(create_app(mapped)).get("/sozialindex/viele").text, "html.parser"
    )
    svg = page.select_one("figure.map svg.sm-map")
    assert svg is not None and svg["role"] == "img"
    assert not svg.select("a")  # no link per area
    paths = {p["fill"]: p["d"] for p in svg.select("g path")}
    for code, n in counts.items():
        # One path per class, an absolute start ("M") per area of it.
        assert paths[colour[int(code)]].count("M") == n, code
    hatched = next(d for fill, d in paths.items() if fill.startswith("url(#"))
    assert hatched.count("M") == (~expected.areas["included"]).sum()
    caption = page.select_one("figure.map figcaption").get_text()
    assert "ein Bild ohne Verweise" in caption
    # Counts in the German way: "3.005 Gebiete indexiert", not "3005".
    indexed = int(expected.areas["included"].sum())
    assert indexed >= 1000
    german = f"{indexed:,}".replace(",", ".")
    assert f"{german} Gebiete indexiert" in page.select_one("p.meta").get_text()
    largest = max(counts.values())
    assert largest >= 1000
    assert f"({largest:,} Gebiete)".replace(",", ".") in page.get_text()


def test_an_indicator_map_drawn_as_one_image_says_it_has_no_links(
    mapped: Engine,
) -> None:
    client = TestClient(create_app(mapped))
    for view in ("karte", "hotspots"):
        page = BeautifulSoup(
            client.get(f"/indikator/share_a?ansicht={view}&ebene=planning_area").text,
            "html.parser",
        )
        svg = page.select_one("figure.map svg")
        assert svg is not None and not svg.select("a"), view
        caption = page.select_one("figure.map figcaption").get_text()
        assert "ein Bild ohne Verweise" in caption, view
        assert "führt zu seinem Profil" not in caption, view
