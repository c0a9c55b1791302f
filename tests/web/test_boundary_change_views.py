"""The indicator page across a boundary change (issue 12): map, table and change view
list the areas valid in their periods; the chart shows a series on today's areas
(recomputed through the lineage, flagged) or as it was, as a permalink; the public
does not see a recomputed value whose predecessor is hidden, the administration
does."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.access.accounts_data import add_account
from tests.boundary_change import (
    CODES,
    COUNT,
    NAMES,
    NEW,
    OLD,
    REGION,
    SHARE,
    make_boundary_change_db,
    recomputed,
)
from tests.web.expected import html
from tests.web.sign_in_client import portal, sign_in

RTOL = 1e-9
PAGE = f"/indikator/{SHARE.id}"
JSON = f"/api/v1/pages/indikator/{SHARE.id}"


@pytest.fixture
def changed(engine: Engine) -> Engine:
    make_boundary_change_db(engine)
    return engine


@pytest.fixture
def client(changed: Engine) -> TestClient:
    return TestClient(portal(changed))


def drawn_codes(page: BeautifulSoup) -> set[str]:
    """The areas the map draws (each one a link to its profile)."""
    svg = page.select_one("section.view-map svg")
    assert svg is not None
    return {
        a["href"].split("/gebiet/")[1].split("?")[0]
        for a in svg.select("a[href]")
        if "/gebiet/" in a["href"]
    }


def codes(*keys: str) -> set[str]:
    return {CODES[k] for k in keys}


def params(**extra: str) -> dict[str, str]:
    return {"raum": REGION, "ebene": "municipality", **extra}


def test_the_map_of_2020_draws_the_old_areas_and_of_2021_the_new(
    client: TestClient,
) -> None:
    old = html(client.get(PAGE, params=params(zeitraum="2020")))
    new = html(client.get(PAGE, params=params(zeitraum="2021")))
    assert drawn_codes(old) == codes(*OLD)
    assert drawn_codes(new) == codes(*NEW)
    # every area drawn has a value: none of the other vintage without one
    assert "keine Angabe" not in new.select_one("section.view-map").get_text()


def test_the_table_lists_the_areas_of_its_period(client: TestClient) -> None:
    for period, keys in (("2019", OLD), ("2022", NEW)):
        body = client.get(JSON, params=params(zeitraum=period, ansicht="tabelle"))
        rows = body.json()["table"]["rows"]
        assert {r["code"] for r in rows} == codes(*keys), period
        if period == "2022":
            assert all(r["value"] is not None for r in rows)


def test_the_change_view_lists_the_later_areas_and_says_why_values_are_missing(
    client: TestClient,
) -> None:
    query = params(ansicht="veraenderung", von="2020", bis="2022")
    page = html(client.get(PAGE, params=query))
    listed = {
        tr["data-code"] for tr in page.select("table.changes tbody tr[data-code]")
    } - {REGION}
    assert listed == codes(*NEW)
    note = page.select_one("p.boundary-note").get_text()
    assert note == (
        "Die Tabelle zeigt die Gebiete mit dem Stand 2022. 3 von ihnen gab es 2020 "
        "noch nicht (Gebietsänderung); für sie fehlt der Wert von 2020 und damit "
        "die Veränderung."
    )
    english = html(client.get(PAGE, params={**query, "lang": "en"}))
    assert (
        english.select_one("p.boundary-note")
        .get_text()
        .startswith(
            "The table lists the areas as of 2022. 3 of them did not exist yet in 2020"
        )
    )
    # within one vintage there is nothing to explain
    same = html(client.get(PAGE, params={**query, "von": "2021"}))
    assert same.select("p.boundary-note") == []


def chart(client: TestClient, *keys: str, **extra: str) -> dict[str, object]:
    query = params(ansicht="diagramm", **extra)
    response = client.get(
        JSON, params=[*query.items(), *(("gebiete", CODES[k]) for k in keys)]
    )
    assert response.status_code == 200, response.text
    return response.json()["chart"]  # type: ignore[no-any-return]


def column(view: dict[str, object], key: str) -> dict[str, tuple[object, ...]]:
    """Period → (value, text, flags) of one area's column."""
    at = [c["code"] for c in view["columns"]].index(CODES[key])  # type: ignore[attr-defined]
    return {
        row["period"]: (row["values"][at], row["texts"][at], tuple(row["flags"][at]))
        for row in view["rows"]  # type: ignore[attr-defined]
    }


def test_the_chart_recomputes_a_split_area_by_its_share(client: TestClient) -> None:
    view = chart(client, "S1")
    assert view["boundary"]["state"] == "heute"  # the default: S1 has a predecessor
    series = column(view, "S1")
    residents, poor = recomputed("S1", "2020")
    assert (residents, poor) == (0.6 * 2000, 0.6 * 250)
    value, text, flags = series["2020"]
    assert value == pytest.approx(poor / residents * 100, rel=RTOL)
    assert text == "12,5\u202f% u"
    assert "recomputed" in flags
    own = series["2021"]
    assert own[0] == pytest.approx(120 / 1250 * 100, rel=RTOL)
    assert "recomputed" not in own[2] and not own[1].endswith("u")
    (note,) = view["boundary"]["notes"]
    assert note == (
        "Südhausen: Werte 2019–2020 umgerechnet auf das heutige Gebiet aus "
        "Christtal (60\u202f%)."
    )


def test_the_chart_as_it_was_shows_only_own_values(client: TestClient) -> None:
    view = chart(client, "S1", gebietsstand="damals")
    assert view["boundary"]["state"] == "damals"
    series = column(view, "S1")
    assert series.get("2020", (None,))[0] is None
    assert view["boundary"]["notes"] == []
    links = {link["value"]: link for link in view["boundary"]["links"]}
    assert links["damals"]["current"] and not links["heute"]["current"]
    assert "gebietsstand=heute" in links["heute"]["url"]
    assert f"gebiete={CODES['S1']}" in links["heute"]["url"]


def test_a_merged_area_sums_its_predecessors_counts(client: TestClient) -> None:
    query = params(ansicht="diagramm")
    body = client.get(
        f"/api/v1/pages/indikator/{COUNT.id}",
        params=[*query.items(), ("gebiete", CODES["M"])],
    ).json()["chart"]
    series = column(body, "M")
    assert series["2020"][0] == pytest.approx(4000.0, rel=RTOL)
    assert "recomputed" in series["2020"][2]
    assert series["2022"][0] == 4200.0


def test_the_public_does_not_see_a_value_recomputed_from_a_hidden_one(
    client: TestClient,
) -> None:
    series = column(chart(client, "M"), "M")
    assert series["2019"][:2] == (None, ".")  # Bergheim's 2 poor of 2019 are hidden
    assert series["2020"][0] == pytest.approx(710 / 4000 * 100, rel=RTOL)
    page = html(
        client.get(
            PAGE, params=[*params(ansicht="diagramm").items(), ("gebiete", CODES["M"])]
        )
    )
    table = page.select_one("table.series-table")
    heads = [th.get_text() for th in table.select("thead th")]
    at = heads.index(NAMES["M"])
    cells = {
        tr.th.get_text(): [td.get_text() for td in tr.select("td")]
        for tr in table.select("tbody tr")
    }
    assert cells["2019"][at - 1] == "."
    assert cells["2020"][at - 1] == "17,8\u202f% u"


def test_the_administration_sees_the_recomputed_value(changed: Engine) -> None:
    add_account(changed, "leser")
    client = TestClient(portal(changed))
    sign_in(client, changed, "leser")
    series = column(chart(client, "M"), "M")
    residents, poor = recomputed("M", "2019")
    assert series["2019"][0] == pytest.approx(poor / residents * 100, rel=RTOL)
    assert "recomputed" in series["2019"][2]


def test_the_switch_on_the_page_in_both_languages(client: TestClient) -> None:
    query = [*params(ansicht="diagramm").items(), ("gebiete", CODES["S2"])]
    page = html(client.get(PAGE, params=query))
    switch = page.select_one("section.view-chart p.boundary-switch")
    assert switch.get_text(" ", strip=True) == (
        "Gebietsstand: heutige Gebiete (umgerechnet) | wie damals"
    )
    assert switch.select_one("a[aria-current]").get_text() == (
        "heutige Gebiete (umgerechnet)"
    )
    legend = page.select_one("section.view-chart .recomputed-notes").get_text()
    assert "u = umgerechnet" in legend
    assert "Seefeld: Werte 2019–2020 umgerechnet" in legend
    english = html(client.get(PAGE, params=[*query, ("lang", "en")]))
    switch = english.select_one("section.view-chart p.boundary-switch")
    assert switch.get_text(" ", strip=True) == (
        "Boundaries: today's areas (recomputed) | as they were"
    )
    assert english.select_one(".recomputed-notes li").get_text() == (
        "Seefeld: values 2019–2020 recomputed on today's area from "
        "Christtal (40\u202f%)."
    )


def test_no_switch_without_predecessors_and_a_wrong_state_says_so(
    client: TestClient,
) -> None:
    view = chart(client, "A")
    assert view["boundary"] is None
    body = client.get(
        JSON, params={**params(ansicht="diagramm"), "gebietsstand": "morgen"}
    ).json()
    assert body["messages"] == [
        "Den Gebietsstand „morgen“ gibt es nicht; gezeigt wird die Voreinstellung."
    ]


def profile_series(client: TestClient, key: str, **query: str) -> dict[str, object]:
    """Period → value of the share's series on an area profile (JSON twin)."""
    body = client.get(f"/api/v1/pages/gebiet/{CODES[key]}", params=query).json()
    (row,) = [
        r
        for topic in body["topics"]
        for r in topic["rows"]
        if r["indicator"] == SHARE.id
    ]
    return {p["period"]: p["value"] for p in row["series"]}


def test_the_profile_series_on_today_s_area_and_as_it_was(client: TestClient) -> None:
    today = profile_series(client, "S2")
    residents, poor = recomputed("S2", "2020")
    assert list(today) == ["2019", "2020", "2021", "2022"]
    assert today["2020"] == pytest.approx(poor / residents * 100, rel=RTOL)
    assert today["2021"] == pytest.approx(90 / 750 * 100, rel=RTOL)
    assert list(profile_series(client, "S2", gebietsstand="damals")) == [
        "2021",
        "2022",
    ]
    page = html(client.get(f"/gebiet/{CODES['S2']}"))
    switch = page.select_one(".boundary-state p.boundary-switch")
    current = switch.select_one("a[aria-current]")
    assert current.get_text() == "heutige Gebiete (umgerechnet)"
    other = switch.select("a")[1]
    assert other["href"] == f"/gebiet/{CODES['S2']}?gebietsstand=damals"
    assert page.select_one(".boundary-state .recomputed-notes li").get_text() == (
        "Seefeld: Werte 2019–2020 umgerechnet auf das heutige Gebiet aus "
        "Christtal (40\u202f%)."
    )
    # an old area has no predecessors: its series is as it was, without a switch
    assert html(client.get(f"/gebiet/{CODES['C']}")).select(".boundary-state") == []


def test_the_profile_hides_what_the_public_may_not_see(changed: Engine) -> None:
    public = TestClient(portal(changed))
    assert profile_series(public, "M")["2019"] is None
    add_account(changed, "leser")
    internal = TestClient(portal(changed))
    sign_in(internal, changed, "leser")
    residents, poor = recomputed("M", "2019")
    assert profile_series(internal, "M")["2019"] == pytest.approx(
        poor / residents * 100, rel=RTOL
    )
