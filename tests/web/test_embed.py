"""Embedding (issue 13): the embeddable views under /einbetten/, their frame policy
and embed code, the map downloads of the map view, and the page for an unknown
address."""

from __future__ import annotations

import struct
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.web.app import create_app
from tests.web.conftest import EMBED_SITES, frame_ancestors, soup
from tests.web.test_roles_surfaces import PUB_TOWN, SEC_TOWN

INDICATOR = "unemployment_share"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
pytestmark = pytest.mark.filterwarnings("ignore::bs4.XMLParsedAsHTMLWarning")
MAX_DOWNLOAD_BYTES = 2_000_000
"""A map file of the demo's 78 municipalities stays well under this."""


@pytest.mark.parametrize("ansicht", ["karte", "diagramm", "tabelle", "veraenderung"])
def test_the_embed_shows_the_view_alone_with_source_and_full_view(
    embed_demo: TestClient, ansicht: str
) -> None:
    url = f"/einbetten/indikator/{INDICATOR}?ansicht={ansicht}&zeitraum=2019"
    response = embed_demo.get(url)
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select("header, footer.site, form, nav.crumbs, .skip") == []
    assert [n["aria-label"] for n in page.select("nav")] in ([], ["Seiten der Tabelle"])
    assert page.select_one("#site-search") is None
    views = {"karte": ".view-map", "diagramm": ".view-chart", "tabelle": ".view-table"}
    views["veraenderung"] = ".view-change"
    assert page.select_one(views[ansicht]) is not None
    source = page.select_one("footer.embed-source")
    assert source is not None and "Quelle: BBSR" in source.get_text()
    assert "Datenstand" in source.get_text()
    full = source.select_one("a")
    assert full is not None
    link = urlsplit(str(full["href"]))
    assert link.path == f"/indikator/{INDICATOR}"
    params = parse_qs(link.query)
    assert params["ansicht"] == [ansicht]
    if ansicht in ("karte", "tabelle"):
        assert params["zeitraum"] == ["2019"]
    # Links leave the frame for the portal itself.
    base = page.select_one("head base")
    assert base is not None and base["target"] == "_top"
    assert "set-cookie" not in response.headers


def test_the_embed_keeps_the_permalink_parameters(embed_demo: TestClient) -> None:
    full = soup(embed_demo.get(f"/indikator/{INDICATOR}?ansicht=karte").text)
    level = full.select_one("#ctl-ebene option:not([selected])")
    assert level is not None, "the demo indicator has a second level"
    url = (
        f"/einbetten/indikator/{INDICATOR}?ansicht=tabelle&zeitraum=2018"
        f"&ebene={level['value']}"
    )
    page = soup(embed_demo.get(url).text)
    link = page.select_one("footer.embed-source a")
    assert link is not None
    params = parse_qs(urlsplit(str(link["href"])).query)
    assert params["ebene"] == [level["value"]]
    assert params["zeitraum"] == ["2018"]
    caption = page.select_one("table.ranking caption")
    assert caption is not None and "2018" in caption.get_text()


def test_the_embed_speaks_english_and_marks_the_german_name(
    embed_demo: TestClient,
) -> None:
    page = soup(embed_demo.get(f"/einbetten/indikator/{INDICATOR}?lang=en").text)
    html = page.select_one("html")
    assert html is not None and html["lang"] == "en"
    source = page.select_one("footer.embed-source")
    assert source is not None
    assert "Source:" in source.get_text()
    assert "Full view" in source.get_text()
    link = source.select_one("a")
    assert link is not None and "lang=en" in str(link["href"])


def test_only_embeds_may_be_framed_and_only_by_the_configured_sites(
    embed_demo: TestClient, demo_sqlite: Engine
) -> None:
    embed = embed_demo.get(f"/einbetten/indikator/{INDICATOR}")
    assert frame_ancestors(embed) == EMBED_SITES
    assert "x-frame-options" not in embed.headers
    for url in ("/", f"/indikator/{INDICATOR}", "/anmelden", "/gibtsnicht"):
        response = embed_demo.get(url)
        assert frame_ancestors(response) == "'none'", url
        assert response.headers["x-frame-options"] == "DENY", url
    # Without the setting nobody may frame the embeds either.
    closed = TestClient(create_app(demo_sqlite, ancestors="'none'"))
    response = closed.get(f"/einbetten/indikator/{INDICATOR}")
    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response.headers["x-frame-options"] == "DENY"


def test_the_indicator_page_offers_the_embed_code_of_its_view(
    embed_demo: TestClient, demo_sqlite: Engine
) -> None:
    url = f"/indikator/{INDICATOR}?ansicht=tabelle&zeitraum=2019"
    page = soup(embed_demo.get(url).text)
    field = page.select_one("textarea#embed-code[readonly]")
    assert field is not None
    label = page.select_one("label[for=embed-code]")
    assert label is not None and label.get_text(strip=True)
    frame = soup(field.get_text()).select_one("iframe")
    assert frame is not None and frame["title"]
    src = urlsplit(str(frame["src"]))
    assert src.path == f"/einbetten/indikator/{INDICATOR}"
    params = parse_qs(src.query)
    assert params["ansicht"] == ["tabelle"] and params["zeitraum"] == ["2019"]
    # The embedded address works as it is given.
    assert embed_demo.get(str(frame["src"])).status_code == 200
    # With the portal's public address the code is absolute.
    public = TestClient(create_app(demo_sqlite, public_url="https://sm.example.org"))
    field = soup(public.get(url).text).select_one("textarea#embed-code")
    assert field is not None
    frame = soup(field.get_text()).select_one("iframe")
    assert frame is not None
    assert str(frame["src"]).startswith("https://sm.example.org/einbetten/indikator/")


def test_an_embed_is_public_even_in_a_signed_in_browser(
    county_reader: TestClient,
) -> None:
    client = county_reader
    # The reader's own page shows the internal indicator ...
    assert client.get("/indikator/sec?ebene=municipality").status_code == 200
    # ... its embed does not exist, and the public one shows public values only.
    hidden = client.get("/einbetten/indikator/sec?ebene=municipality")
    assert hidden.status_code == 404
    response = client.get("/einbetten/indikator/pub?ebene=municipality&ansicht=tabelle")
    assert response.status_code == 200
    assert "set-cookie" not in response.headers
    page = soup(response.text)
    assert page.select_one(".internal-view") is None
    text = page.get_text()
    for value in PUB_TOWN.values():
        assert f"{value:,}".replace(",", ".") in text
    for value in SEC_TOWN.values():
        assert f"{value:,}".replace(",", ".") not in text
    # The block level is internal: the embed falls back to a public level.
    blocks = client.get("/einbetten/indikator/pub?ebene=block&ansicht=tabelle")
    assert "Block M1a" not in blocks.text


def png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def test_the_map_view_downloads_the_map_as_svg(embed_demo: TestClient) -> None:
    view = "ansicht=karte&zeitraum=2019"
    page = soup(embed_demo.get(f"/indikator/{INDICATOR}?{view}").text)
    links = {a.get_text(strip=True): str(a["href"]) for a in page.select("a[href]")}
    assert "Karte als Vektorgrafik (SVG)" in links
    assert "Karte als Bild (PNG)" in links
    assert "Diagramm als Bild (PNG)" not in links
    response = embed_demo.get(links["Karte als Vektorgrafik (SVG)"])
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert len(response.content) < MAX_DOWNLOAD_BYTES
    svg = BeautifulSoup(response.content, "html.parser")
    root = svg.find("svg")
    assert root is not None
    legend = page.select("ul.map-legend li")
    texts = " ".join(t.get_text() for t in svg.find_all("text"))
    # The page's legend, the title, the source and the date are in the file.
    for item in legend:
        label = item.get_text(" ", strip=True).rsplit("(", 1)[0].strip()
        assert label in texts
    assert "2019" in texts and "Quelle: BBSR" in texts and "Datenstand" in texts
    # The map: one filled path per area of the page's map, no time-series chart.
    areas = page.select("svg.sm-map a.map-area")
    assert len(areas) > 20
    drawn = svg.select("svg.sm-map > g path")
    assert len(drawn) == len(areas)
    assert not svg.select("a"), "no links to the portal in a file"


def test_the_map_view_downloads_the_map_as_png(embed_demo: TestClient) -> None:
    svg = embed_demo.get(f"/indikator/{INDICATOR}/download.svg?ansicht=karte").content
    png = embed_demo.get(f"/indikator/{INDICATOR}/download.png?ansicht=karte")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert "karte" in png.headers["content-disposition"]
    width, height = png_size(png.content)
    root = BeautifulSoup(svg, "html.parser").find("svg")
    assert root is not None
    # The PNG is the SVG file rendered (1.5 pixels per unit), not the chart.
    assert width == round(float(root["width"]) * 1.5)
    assert height == round(float(root["height"]) * 1.5)
    assert len(png.content) < MAX_DOWNLOAD_BYTES
    # The other views keep the chart.
    chart = embed_demo.get(f"/indikator/{INDICATOR}/download.png?ansicht=diagramm")
    assert png_size(chart.content) != (width, height)


@pytest.mark.parametrize(
    "path",
    [
        "/gibtsnicht",
        "/indikator/unemployment_share/nichts",
        "/themen%C3%BCbersicht/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/%E2%80%AE%F0%9F%98%80/..%2F..%2Fetc%2Fpasswd",
        "/%ff%fe",
        "/" + "x" * 5000,
    ],
)
def test_an_unknown_address_gets_the_german_page_with_the_search(
    embed_demo: TestClient, path: str
) -> None:
    response = embed_demo.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "set-cookie" not in response.headers
    page = soup(response.text)
    html = page.select_one("html")
    assert html is not None and html["lang"] == "de"
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Seite nicht gefunden"
    assert page.select_one("main form[role=search][action='/suche'] input[name=q]")
    assert not page.select("script:not([src])")
    assert len(response.content) < 50_000


def test_an_unknown_address_in_english(embed_demo: TestClient) -> None:
    response = embed_demo.get("/gibtsnicht?lang=en")
    assert response.status_code == 404
    page = soup(response.text)
    h1 = page.select_one("h1")
    assert h1 is not None and h1.get_text() == "Page not found"
    assert page.select_one("main form input[name=lang][value=en]") is not None


@pytest.mark.parametrize("path", ["/api/v1/gibtsnicht", "/api/v1/pages/x/y/z"])
def test_an_unknown_api_address_gets_a_problem_document(
    embed_demo: TestClient, path: str
) -> None:
    response = embed_demo.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
