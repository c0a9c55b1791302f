"""Downloads of the indicator page: exactly the rows shown, in every format, with
source, licence and release."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import queries
from sozialmonitor.web.app import create_app
from tests.fixtures import FIRST_RELEASE, REGION, TOWNS

RTOL = 1e-9
SHARE = "unemployment_share"
HANNOVER = "03241"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def client(small_engine: Engine) -> TestClient:
    return TestClient(create_app(small_engine))


@pytest.fixture(scope="module")
def demo(demo_sqlite: Engine) -> TestClient:
    return TestClient(create_app(demo_sqlite))


def download(client: TestClient, url: str) -> tuple[bytes, dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.text[:500]
    return response.content, dict(response.headers)


def page_links(client: TestClient, url: str) -> dict[str, str]:
    """The download links under a view, by format."""
    page = BeautifulSoup(client.get(url).text, "html.parser")
    return {a["data-format"]: a["href"] for a in page.select("ul.downloads a")}


def shown_codes(client: TestClient, url: str) -> list[str]:
    page = BeautifulSoup(client.get(url).text, "html.parser")
    return [tr["data-code"] for tr in page.select("table tbody tr[data-code]")]


def read_csv(content: bytes, *, german: bool = False) -> list[dict[str, str]]:
    text = content.decode("utf-8-sig" if german else "utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter=";" if german else ","))


def test_every_view_links_every_format_with_its_parameters(client: TestClient) -> None:
    url = f"/indikator/{SHARE}?ansicht=tabelle&zeitraum=2020&sortierung=name"
    links = page_links(client, url)
    assert set(links) == {"csv", "csv-de", "xlsx", "json", "geojson", "png", "svg"}
    for fmt, href in links.items():
        ext = "csv" if fmt == "csv-de" else fmt
        assert href.startswith(f"/indikator/{SHARE}/download.{ext}?")
        assert "zeitraum=2020" in href and "sortierung=name" in href
    assert "format=csv-de" in links["csv-de"]


def test_csv_of_the_table_has_exactly_its_rows(
    client: TestClient, small_engine: Engine
) -> None:
    url = f"/indikator/{SHARE}?ansicht=tabelle&zeitraum=2020"
    content, headers = download(client, page_links(client, url)["csv"])
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert headers["content-disposition"] == f'attachment; filename="{SHARE}_2020.csv"'
    rows = read_csv(content)
    assert [r["area"] for r in rows] == shown_codes(client, url)
    with small_engine.connect() as conn:
        values = {
            o.area: o
            for o in queries.read_observations(
                conn,
                queries.ObservationQuery(
                    indicators=[SHARE], level="municipality", periods=["2020"]
                ),
                audience=Audience.PUBLIC,
            )
        }
        indicator = queries.get_indicator(conn, SHARE)
    for row in rows:
        obs = values[row["area"]]
        assert float(row["value"]) == pytest.approx(obs.value, rel=RTOL)
        assert int(row["numerator"]) == obs.numerator
        assert int(row["denominator"]) == obs.denominator
        assert row["period"] == "2020"
        assert row["source"] == indicator.source
        assert row["licence"] == indicator.licence
        assert row["release"] == FIRST_RELEASE
    assert {r["area"] for r in rows} == set(TOWNS)


def test_german_csv_uses_semicolon_decimal_comma_and_bom(client: TestClient) -> None:
    url = f"/indikator/{SHARE}?ansicht=tabelle&zeitraum=2020"
    content, headers = download(client, page_links(client, url)["csv-de"])
    assert content.startswith(b"\xef\xbb\xbf")
    assert headers["content-disposition"].endswith(f'{SHARE}_2020.csv"')
    german = read_csv(content.partition(b"\r\n\r\n")[0], german=True)
    plain = read_csv(download(client, page_links(client, url)["csv"])[0])
    assert [r["Gebietsschlüssel"] for r in german] == [r["area"] for r in plain]
    for de, en in zip(german, plain, strict=True):
        # rounded as the page shows it (issue 16); the machine CSV keeps it all
        assert "," in de["Wert"] and "." not in de["Wert"]
        assert de["Wert"] == f"{float(en['value']):.1f}".replace(".", ",")


def test_xlsx_has_the_rows_and_a_source_sheet(client: TestClient) -> None:
    url = f"/indikator/{SHARE}?ansicht=tabelle"
    content, headers = download(client, page_links(client, url)["xlsx"])
    assert headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Werte", "Quelle"]
    values = list(book["Werte"].iter_rows(values_only=True))
    header = list(values[0])
    assert header[:3] == ["indicator", "area", "area_name"]
    assert {"source", "licence", "release"} <= set(header)
    assert [r[1] for r in values[1:]] == shown_codes(client, url)
    source = {r[0]: r[1] for r in book["Quelle"].iter_rows(values_only=True)}
    assert source["Datenstand"] == FIRST_RELEASE
    assert source["Kennzahl"] == "Arbeitslosenanteil"


def test_json_of_the_chart_is_the_series_table(client: TestClient) -> None:
    url = f"/indikator/{SHARE}?ansicht=diagramm&gebiete=03241002"
    content, headers = download(client, page_links(client, url)["json"])
    assert headers["content-type"] == "application/json"
    assert headers["content-disposition"].endswith(f'{SHARE}_2020-2021.json"')
    document = json.loads(content)
    assert document["kind"] == "series"
    assert document["release"]["name"] == FIRST_RELEASE
    assert document["licence"] == document["indicator"]["licence"]
    page = BeautifulSoup(client.get(url).text, "html.parser")
    periods = [
        th.get_text(strip=True) for th in page.select("table.series-table tbody th")
    ]
    pairs = [(r["area"], r["period"]) for r in document["rows"]]
    assert pairs == [(a, p) for a in (REGION, "03241002") for p in periods]
    page_json = client.get("/api/v1/pages" + url).json()
    for index, area in enumerate((REGION, "03241002")):
        assert [r["value"] for r in document["rows"] if r["area"] == area] == [
            row["values"][index] for row in page_json["chart"]["rows"]
        ]


def test_change_json_has_the_top_area_and_every_area(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    url = f"/indikator/{SHARE}?raum={HANNOVER}&ansicht=veraenderung&von=2015&bis=2021"
    document = json.loads(download(demo, page_links(demo, url)["json"])[0])
    assert document["kind"] == "change"
    assert [r["area"] for r in document["rows"]] == shown_codes(demo, url)
    with demo_sqlite.connect() as conn:
        values = {
            (o.area, o.period): o.value
            for o in queries.read_observations(
                conn,
                queries.ObservationQuery(
                    indicators=[SHARE], areas=[HANNOVER, "03241001"]
                ),
                audience=Audience.PUBLIC,
            )
        }
    for row in document["rows"]:
        if row["area"] in (HANNOVER, "03241001"):
            before = values[(row["area"], "2015")]
            after = values[(row["area"], "2021")]
            assert before is not None and after is not None
            assert row["change"] == pytest.approx(after - before, rel=RTOL)
            assert row["change_unit"] == "percentage points"


def test_geojson_of_the_map_has_boundaries(
    demo: TestClient, demo_sqlite: Engine
) -> None:
    url = "/indikator/mss_s1_unemployment"
    content, headers = download(demo, page_links(demo, url)["geojson"])
    assert headers["content-type"] == "application/geo+json"
    document = json.loads(content)
    assert document["type"] == "FeatureCollection"
    assert document["source"] and document["licence"] and document["release"]
    with demo_sqlite.connect() as conn:
        # the map's areas: those valid on 31.12.2020, not the planning areas that
        # ended the day before
        areas = queries.list_areas(
            conn, level="planning_area", valid_on=dt.date(2020, 12, 31)
        )
        secret = [
            o
            for o in queries.read_observations(
                conn,
                queries.ObservationQuery(
                    indicators=["mss_s1_unemployment"], level="planning_area"
                ),
                audience=Audience.PUBLIC,
            )
            if o.flags & Flag.SUPPRESSED
        ]
    assert len(document["features"]) == len(areas) == 542
    assert {f["id"] for f in document["features"]} == {a.code for a in areas}
    kinds = {f["geometry"]["type"] for f in document["features"] if f["geometry"]}
    assert kinds <= {"Polygon", "MultiPolygon"} and kinds
    for obs in secret:  # a secret value is not in the file
        feature = next(f for f in document["features"] if f["id"] == obs.area)
        assert feature["properties"]["value"] is None


def test_png_and_svg_of_the_chart(client: TestClient) -> None:
    url = f"/indikator/{SHARE}?ansicht=diagramm"
    links = page_links(client, url)
    png, headers = download(client, links["png"])
    assert png.startswith(PNG_SIGNATURE)
    assert headers["content-type"] == "image/png"
    assert headers["content-disposition"] == (
        f'attachment; filename="{SHARE}_2020-2021.png"'
    )
    svg, headers = download(client, links["svg"])
    assert headers["content-type"] == "image/svg+xml"
    text = svg.decode("utf-8")
    assert text.lstrip().startswith("<svg")
    assert "Arbeitslosenanteil" in text and "Quelle" in text
    assert FIRST_RELEASE in text


def test_png_of_the_change_view(demo: TestClient) -> None:
    url = f"/indikator/{SHARE}?raum={HANNOVER}&ansicht=veraenderung"
    svg = download(demo, page_links(demo, url)["svg"])[0].decode("utf-8")
    assert "Veränderung" in svg and "Quelle" in svg
    png, headers = download(demo, page_links(demo, url)["png"])
    assert png.startswith(PNG_SIGNATURE)
    assert headers["content-disposition"].endswith(f'{SHARE}_2016-2021.png"')


def test_wrong_download_requests_are_problems(client: TestClient) -> None:
    response = client.get(f"/indikator/{SHARE}/download.pdf")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    response = client.get(f"/indikator/{SHARE}/download.xlsx?format=csv-de")
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/indikator/nope/download.csv").status_code == 404
