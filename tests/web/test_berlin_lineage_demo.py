"""Berlin's planning areas before and after the 2021 reform in the demo (issue 12):
an old area's profile says when it ended and links its successors, a new one links
its predecessors, and the map of the MSS 2021 reference date draws the new areas
only — with the area picker beside it offering the same areas."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.store import queries
from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages.area_locator import locator_siblings
from sozialmonitor.web.snapshot import snapshot
from tests.web.expected import html
from tests.web.test_area_lineage_page import facts

OLD_STUELERSTRASSE = "01011101"
NEW_STUELERSTRASSE = "01100101"
OLD_ALLENDE_II = "09041402"
KAEMMEREIHEIDE_KM2, ALLENDE_II_KM2 = 0.94, 1.99
"""The two parts of the old Allende II as its source's SOURCE.md gives them."""
SHARE_TOLERANCE = 0.01


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def test_old_planning_area_ended_and_links_its_successor(demo: TestClient) -> None:
    page = html(demo.get(f"/gebiet/{OLD_STUELERSTRASSE}"))
    assert facts(page)["Gültigkeit"] == "gültig bis 30.12.2020"
    (item,) = page.select("section.lineage ul.successors li")
    assert item.a["href"] == f"/gebiet/{NEW_STUELERSTRASSE}"
    assert item.a.get_text() == "Stülerstraße"
    assert item.span.get_text().endswith("100\u202f% der Fläche")
    assert not page.select("section.lineage ul.predecessors")


def test_new_planning_area_links_its_predecessors(demo: TestClient) -> None:
    page = html(demo.get(f"/gebiet/{NEW_STUELERSTRASSE}"))
    assert facts(page)["Gültigkeit"] == "gültig seit 31.12.2020"
    links = [li.a["href"] for li in page.select("section.lineage ul.predecessors li")]
    assert f"/gebiet/{OLD_STUELERSTRASSE}" in links


def test_a_split_area_shares_its_surface_issue_12(demo: TestClient) -> None:
    body = demo.get(f"/api/v1/pages/gebiet/{OLD_ALLENDE_II}").json()
    shares = {s["name"]: s["share"] for s in body["successors"]}
    assert {s["kind"] for s in body["successors"]} == {"split"}
    assert {s["basis"] for s in body["successors"]} == {"area"}
    whole = KAEMMEREIHEIDE_KM2 + ALLENDE_II_KM2
    assert shares["Siedlung Kämmereiheide"] == pytest.approx(
        KAEMMEREIHEIDE_KM2 / whole, abs=SHARE_TOLERANCE
    )
    assert shares["Allende II"] == pytest.approx(
        ALLENDE_II_KM2 / whole, abs=SHARE_TOLERANCE
    )


def test_map_of_the_reference_date_draws_one_vintage(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    with demo_sqlite.connect() as conn:
        every = queries.list_areas(conn, level="planning_area")
    new = {a.code for a in every if a.valid_to is None}
    old = {a.code for a in every if a.valid_to is not None}
    assert len(new) == 542 and len(old) == 447
    page = html(
        demo.get(
            "/indikator/mss_s1_unemployment",
            params={"ebene": "planning_area", "zeitraum": "2020-12-31"},
        )
    )
    drawn = {a["href"].rsplit("/", 1)[-1] for a in page.select("svg a.map-area")}
    picked = {o["value"] for o in page.select("#pick-area option")}
    assert drawn == new
    assert picked == new


def test_locator_of_an_old_area_draws_the_areas_of_its_time(
    demo_sqlite: Engine,
) -> None:
    snap = snapshot(demo_sqlite)
    old = snap.areas[OLD_STUELERSTRASSE]
    with demo_sqlite.connect() as conn:
        mitte = {
            a.code
            for a in queries.list_areas(conn, parent="01")
            if a.level == "planning_area"
        }
        drawn = locator_siblings(conn, snap, "01", old.level, old.valid_to)
        today = locator_siblings(conn, snap, "01", "forecast_area", None)
    assert len(mitte) > 1 and {a.code for a in drawn} == mitte
    assert {a.code for a in today} == {"0110", "0120", "0130", "0140"}


def test_area_index_marks_the_planning_areas_that_ended(demo: TestClient) -> None:
    page = html(demo.get("/gebiet", params={"q": "Stülerstraße"}))
    rows = {
        tr.select_one("td:nth-of-type(2)").get_text(): tr.th.get_text(" ", strip=True)
        for tr in page.select("table.area-results tbody tr")
    }
    assert rows == {
        OLD_STUELERSTRASSE: "Stülerstraße (gültig bis 30.12.2020)",
        NEW_STUELERSTRASSE: "Stülerstraße",
    }


def test_no_switch_where_predecessors_have_no_values_issue_12(
    demo: TestClient,
) -> None:
    # Berlin's old planning areas have no values: today's areas and the areas as
    # they were give the same series, so neither profile nor chart offers a choice
    profile = html(demo.get(f"/gebiet/{NEW_STUELERSTRASSE}"))
    assert profile.select("p.boundary-switch") == []
    chart = html(
        demo.get(
            "/indikator/mss_s1_unemployment",
            params={"ansicht": "diagramm", "gebiete": NEW_STUELERSTRASSE},
        )
    )
    assert chart.select("table") and chart.select("p.boundary-switch") == []
    # asked for, it is there: the way back from "wie damals"
    asked = html(demo.get(f"/gebiet/{NEW_STUELERSTRASSE}?gebietsstand=damals"))
    assert len(asked.select("p.boundary-switch a")) == 2


@pytest.mark.parametrize("statistic", ["classes", "spatial", "typology", "compare"])
def test_statistics_of_the_reference_date_use_its_areas_issue_12(
    demo: TestClient, statistic: str
) -> None:
    # Berlin's 447 old planning areas overlap the 542 new ones: a statistic of
    # 31.12.2020 that counted them would mix two vintages (spatial neighbours
    # across them, 447 areas "left out" for want of a value)
    indicators = (
        "mss_s1_unemployment,mss_s3_transfer" if statistic == "typology" else ""
    )
    response = demo.get(
        f"/api/v1/statistics/{statistic}",
        params={
            "indicator": indicators or "mss_s1_unemployment",
            "level": "planning_area",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    listed = body.get("areas") or body.get("comparisons")
    codes = {(item.get("area") or item)["code"] for item in listed}
    assert len(codes) == 542 and OLD_STUELERSTRASSE not in codes
    assert not set(body.get("left_out", ())) & {OLD_STUELERSTRASSE, OLD_ALLENDE_II}


def test_compare_form_offers_the_areas_of_today(demo: TestClient) -> None:
    # 778 areas of today and 447 that ended: the selects stay, without the old
    page = html(demo.get("/vergleich"))
    options = {o["value"] for o in page.select("select#gebiet-B option")}
    assert NEW_STUELERSTRASSE in options and OLD_STUELERSTRASSE not in options
    body = demo.get(
        "/api/v1/pages/vergleich",
        params=[("gebiete", OLD_STUELERSTRASSE), ("gebiete", NEW_STUELERSTRASSE)],
    ).json()
    assert [a["code"] for a in body["areas"]] == [
        OLD_STUELERSTRASSE,
        NEW_STUELERSTRASSE,
    ]


def test_the_gap_map_counts_the_planning_areas_valid_in_the_period(
    demo_sqlite: Engine,
) -> None:
    """The gap map's "n of m" at 31.12.2020: m is the 542 planning areas valid
    then, not the 989 of both vintages (issue 12)."""
    from sozialmonitor.domain.access import Audience
    from sozialmonitor.web.pages.gaps_matrix import matrix_for

    matrix = matrix_for(demo_sqlite, Audience.PUBLIC, "11000000")
    cell = matrix.cell("mss_s1_unemployment", "planning_area", "2020-12-31")
    assert cell.areas == 542
    assert 0 < cell.areas_with_values <= 542


def test_search_tells_an_ended_area_from_todays_of_the_same_name(
    demo: TestClient,
) -> None:
    """Two "Stülerstraße" in the results: the old one says it ended (issue 12)."""
    found = {
        a["code"]: a
        for a in demo.get("/api/v1/pages/suche?q=Stülerstraße").json()["areas"]
    }
    assert found[OLD_STUELERSTRASSE]["ended"] == "gültig bis 30.12.2020"
    assert found[NEW_STUELERSTRASSE]["ended"] == ""
    page = html(demo.get("/suche?q=Stülerstraße"))
    metas = [li.get_text(" ", strip=True) for li in page.select("li")]
    assert any("Stülerstraße" in m and "gültig bis 30.12.2020" in m for m in metas)
