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

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.index_inputs import compute_from_database
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.collation import german_key
from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages import indicator_hotspots
from sozialmonitor.web.pages.sozialindex import FOCUS_SHOWN
from tests.web.sozialindex_data import MANY_AREAS, MANY_DEFINITION

# Areas without a value are left out on purpose (the map hatches them): the
# computation says so with a warning.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Index 'viele'.*left out for missing values:UserWarning"
)


def test_the_page_lists_the_first_focus_areas_by_name_and_counts_all(
    many_focus_index: Engine,
) -> None:
    with many_focus_index.connect() as conn:
        expected = compute_from_database(
            conn, MANY_DEFINITION, audience=Audience.PUBLIC
        )
    assert len(expected.focus) == MANY_AREAS > FOCUS_SHOWN  # the test can fail
    first = sorted((f.name for f in expected.focus), key=german_key)[:FOCUS_SHOWN]
    client = TestClient(create_app(many_focus_index))

    page = BeautifulSoup(client.get("/sozialindex/viele").text, "html.parser")
    rows = page.select("table.index-focus tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == first
    intro = page.select_one("#index-focus ~ p")
    assert intro is not None
    assert intro.get_text(" ", strip=True).startswith(
        f"{MANY_AREAS} Gebiete mit Status"
    )
    assert f"die ersten {FOCUS_SHOWN} nach dem Namen" in intro.get_text()
    assert intro.select_one('a[href="#index-downloads"]') is not None

    twin = client.get("/api/v1/pages/sozialindex/viele").json()
    assert twin["focus_count"] == MANY_AREAS
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
    image_map_index: Engine,
) -> None:
    with image_map_index.connect() as conn:
        expected = compute_from_database(
            conn, MANY_DEFINITION, audience=Audience.PUBLIC
        )
    counts = expected.areas["status_class"].value_counts().to_dict()
    assert len(counts) == 3 and (~expected.areas["included"]).sum() > 0
    colour = MANY_DEFINITION.class_colours("status")
    page = BeautifulSoup(
        TestClient(create_app(image_map_index)).get("/sozialindex/viele").text,
        "html.parser",
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
    image_map_index: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The hot-spot analysis of these 3,000 areas runs in the background; on a
    # loaded machine it takes longer than the page's usual wait before it says
    # "being computed" instead of drawing the map this test looks at.
    monkeypatch.setattr(indicator_hotspots, "FIRST_VIEW_WAIT", 300.0)
    client = TestClient(create_app(image_map_index))
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
