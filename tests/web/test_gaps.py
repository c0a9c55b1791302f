"""The map of data gaps (issue 12): the matrix from the read gate's counts, the
page ``/datenluecken`` with its JSON twin, downloads and ``/api/v1/gaps``, for the
public and for the signed-in administration. The county is ``tests/web/gaps_data``."""

from __future__ import annotations

import io
import threading
from collections import Counter

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access.roles import Role
from sozialmonitor.analysis.gaps import GapMatrix, GapStatus
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web.pages.gaps_content import TABLE_PAGE_SIZE, paging_of
from sozialmonitor.web.pages.gaps_matrix import matrix_for
from tests.access.accounts_data import add_account
from tests.web.gaps_data import (
    INTERNAL_INDICATOR_NAME,
    add_second_county,
    build_county,
)
from tests.web.sign_in_client import portal, sign_in
from tests.web.test_disclosure_attack import generated


@pytest.fixture
def county(engine: Engine) -> Engine:
    with engine.begin() as conn:
        build_county(conn)
    return engine


def test_the_public_matrix_has_every_status(county: Engine) -> None:
    matrix = matrix_for(county, Audience.PUBLIC)
    assert [lvl.code for lvl in matrix.levels] == ["region", "municipality"]
    assert {i.id for i in matrix.indicators} == {"cases", "share"}
    assert matrix.periods == ("2019", "2020", "2021")

    secret = matrix.cell("cases", "municipality", "2019")
    assert (secret.status, secret.areas_with_values, secret.areas) == (
        GapStatus.SUPPRESSED,
        0,
        5,
    )
    assert secret.suppressed == 1

    revised = matrix.cell("cases", "municipality", "2020")
    assert (revised.status, revised.areas_with_values, revised.provisional) == (
        GapStatus.PRESENT,
        5,
        1,  # M2's value of r2; r2 took M1's mark away
    )
    assert revised.suppressed == 0

    small = matrix.cell("cases", "municipality", "2021")
    assert small.status is GapStatus.PARTLY
    assert small.suppressed >= 2  # M3's 1 and a sibling protecting it
    assert small.areas_with_values == 5 - small.suppressed
    assert small.confidential == 0

    missing = matrix.cell("share", "municipality", "2019")  # only in the draft
    assert (missing.status, missing.areas_with_values, missing.suppressed) == (
        GapStatus.MISSING,
        0,
        0,
    )
    present = matrix.cell("share", "municipality", "2020")
    assert (present.status, present.areas_with_values, present.areas) == (
        GapStatus.PRESENT,
        5,
        5,
    )
    removed = matrix.cell("share", "municipality", "2021")  # r2 removed M2's
    assert (removed.status, removed.areas_with_values) == (GapStatus.PARTLY, 1)

    county_total = matrix.cell("share", "region", "2020")
    assert county_total.computed
    assert (county_total.status, county_total.areas_with_values) == (
        GapStatus.PRESENT,
        1,
    )
    nothing_below = matrix.cell("share", "region", "2019")
    assert not nothing_below.computed
    assert nothing_below.status is GapStatus.MISSING


def test_the_administration_sees_internal_levels_indicators_and_values(
    county: Engine,
) -> None:
    matrix = matrix_for(county, Audience.INTERNAL)
    assert [lvl.code for lvl in matrix.levels] == ["region", "municipality", "block"]
    assert {i.id for i in matrix.indicators} == {"cases", "share", "sec"}
    small = matrix.cell("cases", "municipality", "2021")
    assert (small.status, small.areas_with_values, small.suppressed) == (
        GapStatus.PRESENT,
        5,
        0,
    )
    assert small.confidential >= 2
    blocks = matrix.cell("cases", "block", "2021")
    assert (blocks.status, blocks.areas_with_values, blocks.areas) == (
        GapStatus.PRESENT,
        2,
        2,
    )
    sec = matrix.cell("sec", "municipality", "2021")
    assert (sec.status, sec.areas_with_values, sec.areas) == (GapStatus.PARTLY, 1, 5)
    # the source's secret stays secret for everyone
    assert matrix.cell("cases", "municipality", "2019").status is GapStatus.SUPPRESSED
    # a scoped reader gets the public counts
    scoped = matrix_for(county, Audience.within("M1"))
    assert {i.id for i in scoped.indicators} == {"cases", "share"}
    assert scoped.cell("cases", "municipality", "2021").suppressed >= 2


@pytest.fixture(params=["county", "generated"])
def any_county(request: pytest.FixtureRequest, engine: Engine) -> Engine:
    """The county of every status, or the disclosure attack's generated one: blocks
    alone stored (districts and region computed, two levels up), many small
    counts, a second release revising some."""
    with engine.begin() as conn:
        if request.param == "county":
            build_county(conn)
        else:
            generated(conn)
    return engine


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.INTERNAL])
def test_every_cell_agrees_with_the_values_the_gate_returns(
    any_county: Engine, audience: Audience
) -> None:
    """The aggregate counts against the read gate's values one by one: what it
    shows, hides, marks provisional or confidential, level by level."""
    county = any_county
    matrix: GapMatrix = matrix_for(county, audience)
    checked = 0
    with county.connect() as conn:
        for level in matrix.levels:
            query = ObservationQuery(
                indicators=[i.id for i in matrix.indicators], level=level.code
            )
            found: Counter[tuple[str, str, str]] = Counter()
            for obs in read_observations(conn, query, audience=audience):
                key = (obs.indicator, obs.period)
                hidden = bool(obs.flags & Flag.SUPPRESSED)
                if obs.value is not None and not hidden:
                    found[(*key, "shown")] += 1
                    found[(*key, "provisional")] += bool(obs.flags & Flag.PROVISIONAL)
                    # a cell the source kept secret is in the pattern too, but
                    # has no value the administration could see
                    found[(*key, "confidential")] += bool(obs.flags & Flag.CONFIDENTIAL)
                found[(*key, "suppressed")] += hidden
            for indicator in matrix.indicators:
                for period in matrix.periods:
                    cell = matrix.cell(indicator.id, level.code, period)
                    key = (indicator.id, period)
                    assert (
                        cell.areas_with_values,
                        cell.suppressed,
                        cell.provisional,
                        cell.confidential,
                    ) == (
                        found[(*key, "shown")],
                        found[(*key, "suppressed")],
                        found[(*key, "provisional")],
                        found[(*key, "confidential")],
                    ), (indicator.id, level.code, period)
                    checked += 1
    assert checked == len(matrix.cells) >= 12


def _cells(soup: BeautifulSoup, level: str) -> dict[tuple[str, str], str]:
    """(indicator name, period label) → the cell's status class, from the heatmap
    of one level; every cell must carry a sign and a description besides it."""
    table = soup.select_one(f"section[aria-labelledby='ebene-{level}'] table.gaps")
    assert table is not None, level
    periods = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    found = {}
    for row in table.select("tbody tr"):
        name = row.select_one("th").get_text(strip=True)
        for period, td in zip(periods, row.select("td"), strict=True):
            shown = td.select_one("[aria-hidden=true]").get_text(" ", strip=True)
            said = td.select_one(".visually-hidden").get_text(strip=True)
            assert shown[0] in "✓◐.–" and "/" in shown, shown
            assert said.split(":")[0] in {
                "vorhanden",
                "teilweise",
                "geheim gehalten",
                "fehlt",
            }
            status = [c for c in td["class"] if c.startswith("gap-")]
            found[(name, period)] = status[0].removeprefix("gap-")
    return found


def test_the_public_page_shows_the_heatmap_and_nothing_internal(
    county: Engine,
) -> None:
    client = TestClient(portal(county))
    response = client.get("/datenluecken")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert INTERNAL_INDICATOR_NAME not in response.text
    assert "Baublock" not in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    cells = _cells(soup, "municipality")
    assert cells[("Hilfefälle", "2019")] == "suppressed"
    assert cells[("Hilfefälle", "2020")] == "present"
    assert cells[("Hilfefälle", "2021")] == "partly"
    assert cells[("Anteil Hilfebeziehende", "2019")] == "missing"
    assert soup.select_one("section[aria-labelledby='ebene-block']") is None
    legend = {dt.get_text(" ", strip=True) for dt in soup.select("dl.gaps-legend dt")}
    assert {"✓ vorhanden", "◐ teilweise", ". geheim gehalten", "– fehlt"} <= legend
    assert "p vorläufig" in legend

    twin = client.get("/api/v1/pages/datenluecken").json()
    by_level = {m["level"]: m for m in twin["heatmaps"]}
    assert set(by_level) == {"region", "municipality"}
    first = by_level["municipality"]["rows"][0]["cells"][1]["cell"]
    assert set(first) >= {"status", "areas_with_values", "areas", "provisional"}
    assert INTERNAL_INDICATOR_NAME not in str(twin)

    methods = BeautifulSoup(client.get("/methoden").text, "html.parser")
    assert methods.select_one("a[href='/datenluecken']") is not None


def test_the_filter_and_the_table_view(county: Engine) -> None:
    client = TestClient(portal(county))
    soup = BeautifulSoup(
        client.get("/datenluecken?ebene=municipality&thema=arbeit").text,
        "html.parser",
    )
    assert [
        s["aria-labelledby"] for s in soup.select("section[aria-labelledby^='ebene-']")
    ] == ["ebene-municipality"]
    names = [th.get_text(strip=True) for th in soup.select("table.gaps tbody th")]
    assert names == ["Anteil Hilfebeziehende"]

    table = BeautifulSoup(
        client.get("/datenluecken?ansicht=tabelle&ebene=municipality").text,
        "html.parser",
    )
    rows = [
        [c.get_text(" ", strip=True) for c in tr.select("th, td")]
        for tr in table.select("table.gaps-table tbody tr")
    ]
    assert [
        "Hilfefälle",
        "Gemeinde / Kommune",
        "2019",
        ". geheim gehalten",
        "0",
        "5",
        "1",
        "0",
    ] in rows
    assert len(rows) == 6  # 2 indicators × 3 periods

    unknown = client.get("/datenluecken?ebene=block&thema=nix")
    assert unknown.status_code == 200
    notes = BeautifulSoup(unknown.text, "html.parser").select("p[role=status]")
    assert len(notes) == 2  # the internal level is as unknown as a made-up one


def test_downloads_and_the_api(county: Engine) -> None:
    client = TestClient(portal(county))
    csv = client.get("/datenluecken/download.csv?ebene=municipality")
    assert csv.status_code == 200
    assert "set-cookie" not in csv.headers
    frame = pd.read_csv(io.StringIO(csv.text), dtype={"period": str})
    assert len(frame) == 6
    row = frame[(frame.indicator == "cases") & (frame.period == "2020")].iloc[0]
    assert (row.status, row.areas_with_values, row.areas, row.provisional) == (
        "present",
        5,
        5,
        1,
    )
    assert set(frame.release) == {"r2"}
    german = client.get("/datenluecken/download.csv?format=csv-de")
    assert german.content.startswith(b"\xef\xbb\xbf") and b";" in german.content
    # German headers and words (issue 16); the machine CSV keeps its names
    rows = pd.read_csv(
        io.StringIO(german.content.decode("utf-8-sig")), sep=";", dtype=str
    ).to_dict("records")
    cell = next(
        r
        for r in rows
        if (r["Kennung"], r["Raumebene (Kennung)"], r["Zeitraum"])
        == ("cases", "municipality", "2020")
    )
    assert (cell["Status"], cell["Gebiete mit Wert"], cell["vorläufig"]) == (
        "vorhanden",
        "5",
        "1",
    )
    assert {r["berechnet"] for r in rows} <= {"ja", "nein"}
    xlsx = client.get("/datenluecken/download.xlsx")
    sheet = pd.read_excel(io.BytesIO(xlsx.content), dtype={"period": str})
    assert len(sheet) == 2 * 2 * 3  # 2 indicators × 2 levels × 3 periods
    assert "sec" not in set(sheet.indicator)
    assert client.get("/datenluecken/download.pdf").status_code == 404

    api = client.get("/api/v1/gaps?level=municipality&topic=hilfe").json()
    assert [lvl["code"] for lvl in api["levels"]] == ["municipality"]
    assert {c["indicator"] for c in api["cells"]} == {"cases"}
    cell = next(c for c in api["cells"] if c["period"] == "2019")
    assert (cell["status"], cell["suppressed"]) == ("suppressed", 1)
    refused = client.get("/api/v1/gaps?level=block")
    assert refused.status_code == 404
    assert refused.headers["content-type"] == "application/problem+json"
    assert "block" not in refused.json()["detail"].split("Known levels:")[1]


def test_a_signed_in_reader_sees_the_internal_map(county: Engine) -> None:
    add_account(county, "leser", Role.READER)
    client = TestClient(portal(county))
    sign_in(client, county, "leser")
    response = client.get("/datenluecken")
    assert response.headers["cache-control"] == "private, no-store"
    soup = BeautifulSoup(response.text, "html.parser")
    assert INTERNAL_INDICATOR_NAME in response.text
    assert _cells(soup, "block")[("Hilfefälle", "2021")] == "present"
    assert _cells(soup, "municipality")[("Hilfefälle", "2021")] == "present"
    api = client.get("/api/v1/gaps?level=block").json()
    assert {c["indicator"] for c in api["cells"]} == {"cases", "share", "sec"}
    download = client.get("/datenluecken/download.csv")
    assert download.headers["cache-control"] == "private, no-store"
    assert INTERNAL_INDICATOR_NAME in download.text


def test_the_table_is_paged() -> None:
    total = 2 * TABLE_PAGE_SIZE + 50
    paging = paging_of(total, 3, lambda n: f"/datenluecken?seite={n}")
    assert (paging.page, paging.pages, paging.first, paging.last) == (
        3,
        3,
        2 * TABLE_PAGE_SIZE + 1,
        total,
    )
    assert paging.previous_url == "/datenluecken?seite=2" and paging.next_url is None
    too_far = paging_of(total, 99, str)
    assert too_far.page == 3
    assert paging_of(0, 1, str).first == 0


def test_a_page_too_far_shows_the_last(county: Engine) -> None:
    client = TestClient(portal(county))
    response = client.get("/datenluecken?ansicht=tabelle&seite=99")
    assert response.status_code == 200
    assert (
        len(
            BeautifulSoup(response.text, "html.parser").select(
                "table.gaps-table tbody tr"
            )
        )
        == 12
    )
    assert client.get("/datenluecken?ansicht=tabelle&seite=0").status_code == 400


def test_a_page_asked_while_the_matrix_is_computed_says_so(pg_engine: Engine) -> None:
    """The gap matrix is computed in the background (half a minute at Germany
    size): a reader asking meanwhile gets a page saying so (503, Retry-After), and
    the map once it is there. The count is held up by a real lock on the values."""
    with pg_engine.begin() as conn:
        build_county(conn)
    client = TestClient(portal(pg_engine))
    assert client.get("/").status_code == 200  # the catalogue is read
    locker = pg_engine.connect()
    transaction = locker.begin()
    locker.exec_driver_sql("LOCK TABLE observation IN ACCESS EXCLUSIVE MODE")
    # However the test goes, the lock goes after 20 s (no test hangs on it).
    release = threading.Timer(20, transaction.rollback)
    release.start()
    try:
        waiting = client.get("/datenluecken")
        assert waiting.status_code == 503
        assert waiting.headers["Retry-After"] == "30"
        assert "wird gerade berechnet" in waiting.text
        assert waiting.headers.get("set-cookie") is None
        api = client.get("/api/v1/gaps")
        assert api.status_code == 503
        assert api.json()["type"].endswith("still-computing")
        english = client.get("/datenluecken?lang=en")
        assert "is being computed" in english.text
        assert 'href="/datenluecken?lang=en"' in english.text
    finally:
        release.cancel()
        transaction.rollback()
        locker.close()
    ready = client.get("/datenluecken")
    assert ready.status_code == 200
    assert "wird gerade berechnet" not in ready.text


@pytest.fixture
def two_counties(county: Engine) -> Engine:
    with county.begin() as conn:
        add_second_county(conn)
    return county


def test_one_top_area_offers_no_choice(county: Engine) -> None:
    soup = BeautifulSoup(
        TestClient(portal(county)).get("/datenluecken").text, "html.parser"
    )
    assert soup.select_one("select[name=gebiet]") is None
    twin = TestClient(portal(county)).get("/api/v1/pages/datenluecken").json()
    assert twin["filter"]["gebiet"] == "" and twin["filter"]["tops"] == []


def test_the_matrix_of_a_chosen_top_area_issue_12(two_counties: Engine) -> None:
    client = TestClient(portal(two_counties))
    first = BeautifulSoup(client.get("/datenluecken").text, "html.parser")
    options = [
        (o["value"], o.get_text(strip=True), o.has_attr("selected"))
        for o in first.select("select[name=gebiet] option")
    ]
    assert options == [
        ("K", "Kreis Musterland", True),  # same level: the first by name
        ("L", "Landkreis Zweiland", False),
    ]
    heading = first.select_one("h2#ebene-municipality").get_text(" ", strip=True)
    assert "5 Gebiete" in heading  # K's towns, not all seven
    periods = [th.get_text(strip=True) for th in first.select("table.gaps thead th")]
    assert "2022" not in periods

    second = BeautifulSoup(client.get("/datenluecken?gebiet=L").text, "html.parser")
    cells = _cells(second, "municipality")
    assert cells[("Hilfefälle", "2022")] == "partly"
    assert {period for _name, period in cells} == {"2022"}
    assert "2 Gebiete" in second.select_one("h2#ebene-municipality").get_text()
    links = [a["href"] for a in second.select("p.downloads a")]
    assert all("gebiet=L" in href for href in links)

    twin = client.get("/api/v1/pages/datenluecken?gebiet=L").json()
    assert twin["filter"]["gebiet"] == "L"
    town = next(h for h in twin["heatmaps"] if h["level"] == "municipality")
    (row,) = [r for r in town["rows"] if r["indicator"]["id"] == "cases"]
    (cell,) = [c["cell"] for c in row["cells"]]
    assert (cell["areas_with_values"], cell["areas"]) == (1, 2)

    csv = client.get("/datenluecken/download.csv?gebiet=L")
    assert 'filename="datenluecken-L.csv"' in csv.headers["content-disposition"]
    frame = pd.read_csv(io.StringIO(csv.text), dtype={"period": str})
    assert set(frame.period) == {"2022"}

    unknown = BeautifulSoup(client.get("/datenluecken?gebiet=M1").text, "html.parser")
    (note,) = [p.get_text() for p in unknown.select("p[role=status]")]
    assert "M1" in note and "Kreis Musterland" in note  # a town is no top area

    api = client.get("/api/v1/gaps?area=L&level=municipality").json()
    assert [lvl["areas"] for lvl in api["levels"]] == [2]
    assert client.get("/api/v1/gaps").json()["levels"][1]["areas"] == 7  # all
    refused = client.get("/api/v1/gaps?area=M1")
    assert refused.status_code == 404
    assert "K, L" in refused.json()["detail"]


def test_a_failed_count_is_tried_again_by_the_next_request(county: Engine) -> None:
    """The database briefly without its values (here: the table renamed away):
    the request that waited gets the error, the next one counts again — the
    failure is not kept for the whole data version."""
    client = TestClient(portal(county), raise_server_exceptions=False)
    assert client.get("/").status_code == 200  # the catalogue is read
    with county.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE observation RENAME TO observation_away")
    try:
        assert client.get("/datenluecken").status_code == 500
    finally:
        with county.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE observation_away RENAME TO observation")
    again = client.get("/datenluecken")
    assert again.status_code == 200
    assert "Datenlücken" in again.text
