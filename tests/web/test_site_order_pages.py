"""The site file's order of topics and indicators on the comparison, the methods
page and the search (issue 13), as on the start page and the topics; without a
site file the catalogue's own order — real demo database, real HTTP requests."""

from __future__ import annotations

from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.collation import german_key
from sozialmonitor.web.app import create_app
from sozialmonitor.web.snapshot import Snapshot, snapshot
from tests.web.site_files import write_site

FIRST = ["mindestsicherung", "gesundheit", "arbeit"]
"""The site's first topics: against the catalogue's order (arbeit first)."""
ARBEIT_FIRST = ["employment_rate", "unemployment_share"]
"""The site's first indicators of "arbeit" (Hannover's municipalities have no
employment_rate)."""
COMPARED = "/vergleich?gebiete=03241009&gebiete=03241005"


@pytest.fixture(scope="module")
def site_client(
    demo_sqlite: Engine, tmp_path_factory: pytest.TempPathFactory
) -> TestClient:
    site = write_site(
        tmp_path_factory.mktemp("site"),
        order=f"[order]\ntopics = {FIRST!r}\n\n[order.indicators]\n".replace("'", '"')
        + f"arbeit = {ARBEIT_FIRST!r}\n".replace("'", '"'),
    )
    return TestClient(create_app(demo_sqlite, site=str(site)))


@pytest.fixture(scope="module")
def plain_client(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite, site=""))


@pytest.fixture(scope="module")
def snap(demo_sqlite: Engine) -> Snapshot:
    return snapshot(demo_sqlite)


def soup(response: Any) -> BeautifulSoup:
    assert response.status_code == 200, response.text
    return BeautifulSoup(response.text, "html.parser")


def in_site_order(slugs: list[str], catalogue: list[str]) -> list[str]:
    """``slugs`` as the site orders them: FIRST, then the catalogue's order."""
    return [s for s in FIRST if s in slugs] + [
        s for s in catalogue if s in slugs and s not in FIRST
    ]


def test_the_catalogue_order_differs_from_the_site_order(snap: Snapshot) -> None:
    slugs = [t.slug for t in snap.topics]
    assert slugs.index("arbeit") < slugs.index("gesundheit")
    assert slugs.index("gesundheit") < slugs.index("mindestsicherung")
    arbeit = snap.topic("arbeit")
    assert arbeit is not None
    ids = [i.id for i in arbeit.indicators]
    assert ids.index("unemployment_share") < ids.index("employment_rate")


def test_compare_follows_the_site_order(
    site_client: TestClient, plain_client: TestClient, snap: Snapshot
) -> None:
    catalogue = [t.slug for t in snap.topics]
    plain = plain_client.get(f"/api/v1/pages{COMPARED}").json()
    plain_slugs = [t["slug"] for t in plain["topics"]]
    # Hannover's municipalities have no Mindestsicherung values.
    assert {"gesundheit", "arbeit"} <= set(plain_slugs)
    assert plain_slugs == [s for s in catalogue if s in plain_slugs]
    twin = site_client.get(f"/api/v1/pages{COMPARED}").json()
    slugs = [t["slug"] for t in twin["topics"]]
    assert slugs == in_site_order(plain_slugs, catalogue)
    assert slugs[:2] == ["gesundheit", "arbeit"]
    # Within "arbeit": the site's indicators first, the others in catalogue order.
    arbeit = next(t for t in twin["topics"] if t["slug"] == "arbeit")
    rows = [r["indicator"] for r in arbeit["rows"]]
    plain_arbeit = next(t for t in plain["topics"] if t["slug"] == "arbeit")
    plain_rows = [r["indicator"] for r in plain_arbeit["rows"]]
    assert plain_rows.index("unemployed") < plain_rows.index("unemployment_share")
    assert rows == [i for i in ARBEIT_FIRST if i in plain_rows] + [
        i for i in plain_rows if i not in ARBEIT_FIRST
    ]
    assert rows[0] == "unemployment_share"
    # The page shows the same order as its twin.
    page = soup(site_client.get(COMPARED))
    headings = [str(h["id"]) for h in page.select("section.topic h2[id]")]
    assert headings == [f"thema-{s}" for s in slugs]


def test_methods_follow_the_site_order(
    site_client: TestClient, plain_client: TestClient, snap: Snapshot
) -> None:
    catalogue = [t.slug for t in snap.topics]
    twin = site_client.get("/api/v1/pages/methoden").json()
    slugs = [t["slug"] for t in twin["catalogue"]]
    assert slugs == in_site_order(slugs, catalogue)
    assert [o["value"] for o in twin["filter"]["topics"]] == in_site_order(
        catalogue, catalogue
    )
    # Within "arbeit": the site's indicators first, the others by German name.
    arbeit = next(t for t in twin["catalogue"] if t["slug"] == "arbeit")
    ids = [e["indicator"]["id"] for e in arbeit["entries"]]
    assert ids[:2] == ARBEIT_FIRST
    rest = [i for i in snap.topic("arbeit").indicators if i.id not in ARBEIT_FIRST]  # type: ignore[union-attr]
    assert ids[2:] == [i.id for i in sorted(rest, key=lambda i: german_key(i.name))]
    page = soup(site_client.get("/methoden"))
    shown = [h["id"].removeprefix("katalog-") for h in page.select("h3[id^=katalog-]")]
    assert shown[:3] == FIRST
    options = [o["value"] for o in page.select("select[name=thema] option[value]")]
    assert [o for o in options if o][:3] == FIRST
    # Without a site file: the catalogue's order, indicators by German name.
    plain = plain_client.get("/api/v1/pages/methoden").json()
    assert [t["slug"] for t in plain["catalogue"]] == [
        s for s in catalogue if s in slugs
    ]
    plain_arbeit = next(t for t in plain["catalogue"] if t["slug"] == "arbeit")
    names = [e["indicator"]["name"] for e in plain_arbeit["entries"]]
    assert names == sorted(names, key=german_key)


def test_search_follows_the_site_order(
    site_client: TestClient, plain_client: TestClient, snap: Snapshot
) -> None:
    catalogue = [t.slug for t in snap.topics]
    for url in ("/api/v1/pages/suche", "/api/v1/pages/suche?q=xqzv"):
        twin = site_client.get(url).json()
        assert [t["slug"] for t in twin["suggestions"]] == in_site_order(
            catalogue, catalogue
        ), url
        plain = plain_client.get(url).json()
        assert [t["slug"] for t in plain["suggestions"]] == catalogue, url
    page = soup(site_client.get("/suche"))
    links = [str(a["href"]) for a in page.select("main a[href^='/thema/']")]
    assert links[:3] == [f"/thema/{s}" for s in FIRST]
