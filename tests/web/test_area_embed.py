"""Embeds of the area profile's charts (issue 13): ``/einbetten/gebiet/<code>?
indikator=<id>`` shows one indicator's series of one area as the profile draws it,
with its values, source and a link to the profile; the profile offers its code under
each chart. Public read only, no cookie, framable only by the configured sites —
real demo database and a county built by the test, real HTTP requests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web import formatting
from sozialmonitor.web.app import create_app
from tests.web.conftest import EMBED_SITES, frame_ancestors, soup
from tests.web.test_roles_surfaces import PUB_TOWN, SEC_TOWN

AREA = "03241009"
"""Laatzen."""
INDICATOR = "unemployment_share"
URL = f"/einbetten/gebiet/{AREA}?indikator={INDICATOR}"


def test_the_embed_shows_the_series_of_the_area_alone(
    embed_demo: TestClient, demo_sqlite: Engine
) -> None:
    response = embed_demo.get(URL)
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    assert frame_ancestors(response) == EMBED_SITES
    page = soup(response.text)
    assert page.select("header, footer.site, form, nav, .skip") == []
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Arbeitslosenanteil: Laatzen"
    # The values are those of the public read gate, every period of the series.
    with demo_sqlite.connect() as conn:
        stored = read_observations(
            conn,
            ObservationQuery(indicators=[INDICATOR], areas=[AREA]),
            audience=Audience.PUBLIC,
        )
    expected = {o.period: o.value for o in stored}
    rows = page.select("table.embed-values tbody tr")
    shown = {r.th.get_text(): r.td.get_text() for r in rows}  # type: ignore[union-attr]
    assert list(shown) == sorted(expected)
    for period, value in expected.items():
        assert shown[period] == formatting.number(value, 1, "de") + "\u202f%"
    # The profile's trend line, named by indicator and period range.
    line = page.select_one("figure.embed-series svg.sparkline[role=img]")
    first, last = min(expected), max(expected)
    assert line is not None and line["aria-label"] == (
        f"Arbeitslosenanteil, {first}–{last}"
    )
    source = page.select_one("footer.embed-source")
    assert source is not None and "Quelle: BBSR" in source.get_text()
    assert "Datenstand" in source.get_text()
    link = source.select_one("a")
    assert link is not None and urlsplit(str(link["href"])).path == f"/gebiet/{AREA}"
    base = page.select_one("head base")
    assert base is not None and base["target"] == "_top"
    # Nothing but the embeds may be framed.
    assert frame_ancestors(embed_demo.get(f"/gebiet/{AREA}")) == "'none'"


def test_the_embed_speaks_english(embed_demo: TestClient) -> None:
    page = soup(embed_demo.get(URL + "&lang=en").text)
    assert page.html is not None and page.html["lang"] == "en"
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Unemployment share: Laatzen"
    caption = page.select_one("figure.embed-series figcaption")
    assert caption is not None and caption.get_text().startswith("Time series")
    link = page.select_one("footer.embed-source a")
    assert link is not None and "lang=en" in str(link["href"])


@pytest.mark.parametrize(
    "url",
    [
        f"/einbetten/gebiet/99999999?indikator={INDICATOR}",
        f"/einbetten/gebiet/{AREA}?indikator=gibtsnicht",
        f"/einbetten/gebiet/{AREA}",
        # A Berlin indicator has no value for Laatzen.
        f"/einbetten/gebiet/{AREA}?indikator=mss_s1_unemployment",
    ],
)
def test_unknown_area_or_indicator_is_a_404_page(
    embed_demo: TestClient, url: str
) -> None:
    response = embed_demo.get(url)
    assert response.status_code == 404
    assert "set-cookie" not in response.headers
    assert "Traceback" not in response.text
    assert soup(response.text).select_one("h1") is not None


def test_the_profile_offers_the_code_under_each_chart(
    embed_demo: TestClient, demo_sqlite: Engine
) -> None:
    page = soup(embed_demo.get(f"/gebiet/{AREA}").text)
    rows = page.select("tbody.indicator")
    charts = [r for r in rows if r.select_one("svg.sparkline")]
    assert charts and len(charts) == len(page.select("details.row-embed"))
    for row in charts:
        field = row.select_one("details.row-embed textarea[readonly]")
        assert field is not None
        label = row.select_one(f"label[for='{field['id']}']")
        assert label is not None and label.get_text(strip=True)
        frame = soup(field.get_text()).select_one("iframe")
        assert frame is not None and frame["title"]
        src = urlsplit(str(frame["src"]))
        assert src.path == f"/einbetten/gebiet/{AREA}"
        indicator = parse_qs(src.query)["indikator"][0]
        assert field["id"] == f"embed-{indicator}"
        assert embed_demo.get(str(frame["src"])).status_code == 200
    # With the portal's public address the code is absolute.
    public = TestClient(create_app(demo_sqlite, public_url="https://sm.example.org"))
    field = soup(public.get(f"/gebiet/{AREA}").text).select_one(
        "details.row-embed textarea"
    )
    assert field is not None
    frame = soup(field.get_text()).select_one("iframe")
    assert frame is not None
    assert str(frame["src"]).startswith("https://sm.example.org/einbetten/gebiet/")


def test_an_embed_is_public_even_in_a_signed_in_browser(
    county_reader: TestClient,
) -> None:
    client = county_reader
    profile = client.get("/api/v1/pages/gebiet/M1").json()
    embeds = {r["indicator"]: r["embed"] for t in profile["topics"] for r in t["rows"]}
    # The reader sees the internal indicator, but no embed is offered for it.
    assert embeds["sec"] is None and embeds["pub"] is not None
    assert client.get("/einbetten/gebiet/M1?indikator=sec").status_code == 404
    response = client.get("/einbetten/gebiet/M1?indikator=pub")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    text = soup(response.text).get_text()
    assert f"{PUB_TOWN['M1']:,}".replace(",", ".") in text
    assert f"{SEC_TOWN['M1']:,}".replace(",", ".") not in text
    # The block level is internal: no embed of a block.
    assert client.get("/einbetten/gebiet/M1a?indikator=pub").status_code == 404
