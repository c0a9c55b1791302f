"""The area profile says when an area was valid and links its predecessors and
successors (issue 12), in German and English, as HTML and JSON."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis
from sozialmonitor.store.lineage import save_links
from sozialmonitor.store.writes import save_areas
from sozialmonitor.web.app import create_app
from tests.fixtures import REGION, TOWNS
from tests.web.expected import html

CHANGE = dt.date(2021, 1, 1)
OLD = "03241901"
"""An old municipality of the small region, split into two of its towns."""


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    with small_engine.begin() as conn:
        save_areas(
            conn,
            [
                Area(
                    code=OLD,
                    name="Altgemeinde",
                    level="municipality",
                    parent=REGION,
                    valid_from=dt.date(1974, 3, 1),
                    valid_to=dt.date(2020, 12, 31),
                )
            ],
        )
        save_links(
            conn,
            [
                AreaLink(
                    predecessor=OLD,
                    successor=TOWNS[0],
                    kind=LineageKind.SPLIT,
                    valid_on=CHANGE,
                    share=0.625,
                    basis=ShareBasis.POPULATION,
                ),
                AreaLink(
                    predecessor=OLD,
                    successor=TOWNS[1],
                    kind=LineageKind.SPLIT,
                    valid_on=CHANGE,
                    share=0.375,
                    basis=ShareBasis.AREA,
                ),
            ],
        )
    return TestClient(create_app(small_engine))


def facts(page: object) -> dict[str, str]:
    return {
        div.dt.get_text(): div.dd.get_text()
        for div in page.select("dl.facts > div")  # type: ignore[attr-defined]
    }


def test_old_area_shows_its_validity_and_successors(client: TestClient) -> None:
    page = html(client.get(f"/gebiet/{OLD}"))
    assert facts(page)["Gültigkeit"] == "gültig von 01.03.1974 bis 31.12.2020"
    section = page.select_one("section.lineage")
    assert section.h2.get_text() == "Gebietsänderungen"
    assert [h.get_text() for h in section.select("h3")] == ["Aufgegangen in"]
    items = section.select("ul.successors li")
    assert [(li.a["href"], li.a.get_text()) for li in items] == [
        (
            f"/gebiet/{TOWNS[0]}",
            client.get(f"/api/v1/pages/gebiet/{TOWNS[0]}").json()["area"]["name"],
        ),
        (
            f"/gebiet/{TOWNS[1]}",
            client.get(f"/api/v1/pages/gebiet/{TOWNS[1]}").json()["area"]["name"],
        ),
    ]
    assert items[0].span.get_text() == (
        f"({TOWNS[0]}) – Teilung am 01.01.2021, 63\u202f% der Einwohner"
    )
    assert items[1].span.get_text().endswith("38\u202f% der Fläche")


def test_new_area_links_its_predecessor(client: TestClient) -> None:
    page = html(client.get(f"/gebiet/{TOWNS[0]}"))
    assert "Gültigkeit" not in facts(page)  # the fixture's towns have no dates
    (item,) = page.select("section.lineage ul.predecessors li")
    assert item.a["href"] == f"/gebiet/{OLD}"
    assert item.a.get_text() == "Altgemeinde"
    assert not page.select("section.lineage ul.successors")


def test_area_without_changes_has_no_section(client: TestClient) -> None:
    page = html(client.get(f"/gebiet/{TOWNS[2]}"))
    assert page.select("section.lineage") == []


def test_english_and_json(client: TestClient) -> None:
    page = html(client.get(f"/gebiet/{OLD}", params={"lang": "en"}))
    assert facts(page)["Valid"] == "from 01 Mar 1974 to 31 Dec 2020"
    item = page.select_one("section.lineage ul.successors li")
    assert item.a["href"] == f"/gebiet/{TOWNS[0]}?lang=en"
    assert item.span.get_text().endswith(
        "split on 01 Jan 2021, 63\u202f% of the inhabitants"
    )
    body = client.get(f"/api/v1/pages/gebiet/{OLD}").json()
    assert body["validity"] == "gültig von 01.03.1974 bis 31.12.2020"
    assert body["predecessors"] == []
    assert [
        (s["code"], s["kind"], s["valid_on"], s["share"], s["basis"])
        for s in body["successors"]
    ] == [
        (TOWNS[0], "split", "2021-01-01", 0.625, "population"),
        (TOWNS[1], "split", "2021-01-01", 0.375, "area"),
    ]


def test_parent_lists_only_the_sub_areas_of_today(client: TestClient) -> None:
    page = html(client.get(f"/gebiet/{REGION}"))
    listed = [a["href"] for a in page.select("section.children a")]
    assert f"/gebiet/{TOWNS[0]}" in listed
    assert f"/gebiet/{OLD}" not in listed
    assert page.select_one("#children-title").get_text().endswith(f"({len(TOWNS)})")
