"""The Sozialindex page on a small index built by the tests (issue 13):
declared colours, two periods with their transition table, and an index computed
from an internal indicator, which only a signed-in reader sees.

Twelve planning areas of a "Musterstadt", two status indicators and one stored
change on 31.12.2018 and 31.12.2020, a definition of its own with three status and
three dynamics classes (``sozialindex_data``). Expected counts and transitions come from
``compute_from_database`` (the analysis the CLI runs), not from the page's code.
"""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.index_categories import categories_of
from sozialmonitor.analysis.index_inputs import compute_from_database
from sozialmonitor.domain.access import Audience
from sozialmonitor.store import queries
from tests.web.conftest import READER
from tests.web.sign_in_client import portal, sign_in
from tests.web.sozialindex_data import SMALL_AREAS, SMALL_DEFINITION, SMALL_PERIODS


def test_declared_colours_and_labels_of_the_class_indicators(
    public_index: Engine,
) -> None:
    client = TestClient(portal(public_index))
    twin = client.get("/api/v1/pages/sozialindex/muster").json()
    status = {c["label"]: c["colour"] for c in twin["status_counts"]}
    assert status["Status niedrig"] == "#800026"  # declared
    cells = {c["symbol"]: c["colour"] for r in twin["matrix"] for c in r["cells"]}
    assert cells["3-"] == "#000000"  # declared
    assert cells["3+"] == "#800026"  # not the MSS layout: the status class's colour
    with public_index.connect() as conn:
        stored = queries.get_indicator(conn, "muster.status_class")
    assert [(c.code, c.label) for c in categories_of(stored)] == [
        (1, "Status hoch"),
        (2, "Status mittel"),
        (3, "Status niedrig"),
    ]
    legend = BeautifulSoup(
        client.get("/indikator/muster.status_class?ansicht=karte").text,
        "html.parser",
    ).select(".map-legend li")
    assert [li.get_text(" ", strip=True).split(" (")[0] for li in legend] == [
        "Status hoch",
        "Status mittel",
        "Status niedrig",
    ]
    assert legend[2].rect["fill"] == "#800026"


def test_two_periods_give_a_period_choice_and_the_transitions(
    public_index: Engine,
) -> None:
    client = TestClient(portal(public_index))
    with public_index.connect() as conn:
        before, after = (
            compute_from_database(
                conn, SMALL_DEFINITION, period=p, audience=Audience.PUBLIC
            )
            for p in SMALL_PERIODS
        )
    moved = Counter(
        (before.areas.loc[c, "status_label"], after.areas.loc[c, "status_label"])
        for c in SMALL_AREAS
    )
    assert sum(n for (a, b), n in moved.items() if a != b) > 0  # the test can fail
    page = BeautifulSoup(client.get("/sozialindex/muster").text, "html.parser")
    options = [o["value"] for o in page.select("#index-period option")]
    assert options == ["2020-12-31", "2018-12-31"]
    status_table = page.select("table.index-transition")[0]
    labels = [th.get_text(strip=True) for th in status_table.select("thead th")[1:-1]]
    assert labels == ["Status hoch", "Status mittel", "Status niedrig"]
    for row in status_table.select("tbody tr"):
        origin = row.th.get_text(strip=True).removeprefix("Status ")
        counts = [int(td.get_text()) for td in row.find_all("td")[:-1]]
        assert counts == [
            moved.get((origin, label.removeprefix("Status ")), 0) for label in labels
        ], origin
    older = client.get("/api/v1/pages/sozialindex/muster?zeitraum=2018-12-31").json()
    assert older["transitions"] == []  # nothing before the first period
    # The method names the period shown, not the definition's reference period.
    assert "zum Stichtag 31.12.2018 berechnet" in older["method"][0]
    assert {c["label"]: c["count"] for c in older["status_counts"]} == {
        f"Status {k}": v for k, v in before.counts()["status"].items()
    }


def test_an_index_of_internal_inputs_is_only_for_signed_in_readers(
    internal_index: Engine,
) -> None:
    anonymous = TestClient(portal(internal_index))
    assert anonymous.get("/sozialindex/muster").status_code == 404
    assert anonymous.get("/api/v1/pages/sozialindex/muster").status_code == 404
    assert anonymous.get("/sozialindex/muster/download.csv").status_code == 404
    start = BeautifulSoup(anonymous.get("/").text, "html.parser")
    assert start.select_one('a[href^="/sozialindex/muster"]') is None

    reader = TestClient(portal(internal_index))
    sign_in(reader, internal_index, READER)
    twin = reader.get("/api/v1/pages/sozialindex/muster")
    assert twin.status_code == 200
    data = twin.json()
    assert data["internal"] is True
    with internal_index.connect() as conn:
        expected = compute_from_database(
            conn, SMALL_DEFINITION, period=SMALL_PERIODS[1], audience=Audience.INTERNAL
        )
    assert {c["label"]: c["count"] for c in data["status_counts"]} == {
        f"Status {k}": v for k, v in expected.counts()["status"].items()
    }
    assert {f["code"] for f in data["focus"]} == {f.code for f in expected.focus}
    page = BeautifulSoup(reader.get("/sozialindex/muster").text, "html.parser")
    assert "internen Sicht" in page.main.get_text()
    assert reader.get("/sozialindex/muster/download.csv").status_code == 200
