"""The web report (issue 14): the list at /berichte, a report in chapters at
/berichte/<template> with its navigation, JSON twins, the public audience by
default and the reader's when signed in."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access.roles import Role
from sozialmonitor.web.app import create_app
from tests.access.accounts_data import add_account
from tests.fixtures import REGION, TOWNS
from tests.reports.conftest import SECOND_RELEASE, build_report_db
from tests.web.sign_in_client import page, portal, sign_in

PROFILE = f"/berichte/gebietsprofil?gebiet={TOWNS[0]}"


@pytest.fixture
def report_db(engine: Engine) -> Engine:
    return build_report_db(engine)


@pytest.fixture
def public(report_db: Engine) -> TestClient:
    return TestClient(create_app(report_db))


def test_the_list_links_every_report(public: TestClient) -> None:
    html = page(public.get("/berichte"))
    links = {a.text: a["href"] for a in html.select(".report-list h2 a")}
    assert links == {
        "Fokusbericht": f"/berichte/fokusbericht?gebiet={REGION}&thema=allgemein",
        "Gebietsprofil": f"/berichte/gebietsprofil?gebiet={REGION}",
        "Sozialbericht": f"/berichte/sozialbericht?gebiet={REGION}",
    }
    assert html.select_one("nav a[aria-current=page]").text == "Berichte"
    twin = public.get("/api/v1/pages/berichte").json()
    assert [r["name"] for r in twin["reports"]] == [
        "fokusbericht",
        "gebietsprofil",
        "gebietsvergleich",
        "sozialbericht",
    ]
    # the comparison asks for its second area in a form
    form = html.select_one('form[action="/berichte/gebietsvergleich"]')
    assert {i["name"] for i in form.select("input")} == {"gebiet", "vergleich"}
    assert twin["release"] == SECOND_RELEASE


def test_a_report_in_chapters(public: TestClient) -> None:
    first = page(public.get(PROFILE))
    assert first.h1.text == "Gebietsprofil Gemeinde 001"
    chapters = first.select(".report-chapters a")
    assert [a.text for a in chapters] == [
        "Einleitung und Inhalt",
        "Kennzahlen nach Themenfeld",
        "Sozialindex",
        "Ergebnisse und Handlungsempfehlungen",
    ]
    assert chapters[0].get("aria-current") == "page"
    figures = page(public.get(chapters[1]["href"]))
    current = figures.select_one(".report-chapters a[aria-current=page]")
    assert current.text == "Kennzahlen nach Themenfeld"
    cells = figures.select("td[data-indicator]")
    assert any(
        c["data-area"] == TOWNS[0] and c.text == "7,1\u202f%" for c in cells
    )  # the second release's revised value
    assert f"Datenstand: {SECOND_RELEASE}" in figures.select_one(".source-line").text
    paging = {a["rel"][0]: a.text for a in figures.select(".report-paging a")}
    assert paging == {"prev": "← Einleitung und Inhalt", "next": "Sozialindex →"}
    twin = public.get(
        "/api/v1/pages/berichte/gebietsprofil",
        params={"gebiet": TOWNS[0], "kapitel": "sozialindex"},
    ).json()
    assert twin["chapter"] == "sozialindex" and twin["release"] == SECOND_RELEASE
    assert [c["id"] for c in twin["chapters"]][0] == "kennzahlen-nach-themenfeld"


def test_the_english_report(public: TestClient) -> None:
    first = page(public.get(PROFILE + "&lang=en"))
    link = first.select(".report-chapters a")[1]
    assert link["href"].endswith("&kapitel=key-figures-by-topic&lang=en")
    html = page(public.get(link["href"]))
    assert html.html["lang"] == "en"
    assert "Data release: 2022-H1" in html.select_one(".source-line").text
    assert html.select_one(".report-chapters a[aria-current=page]").text == (
        "Key figures by topic"
    )


def test_the_comparison(public: TestClient) -> None:
    url = f"/berichte/gebietsvergleich?gebiet={TOWNS[0]}&vergleich={TOWNS[1]}"
    html = page(public.get(url))
    assert html.h1.text == "Gebietsvergleich Gemeinde 001 und Gemeinde 002"
    assert "vergleich=03241002" in html.select(".report-chapters a")[1]["href"]
    assert public.get("/berichte/gebietsvergleich").status_code == 404


def test_unknown_reports_and_areas(public: TestClient) -> None:
    assert public.get("/berichte/jahresbericht").status_code == 404
    assert public.get("/berichte/gebietsprofil?gebiet=99999").status_code == 404
    problem = public.get("/api/v1/pages/berichte/gebietsprofil?gebiet=99999")
    assert problem.status_code == 404
    assert problem.headers["content-type"] == "application/problem+json"


def test_internal_records_only_for_the_signed_in(report_db: Engine) -> None:
    chapter = PROFILE + "&kapitel=ergebnisse-und-handlungsempfehlungen"
    public = TestClient(create_app(report_db)).get(chapter).text
    assert "Beispiel: intern" not in public
    assert "vertrauliche Empfehlung" not in public
    assert "Beispiel: Wege zur Beratung sind weit" in public
    add_account(report_db, "leser", Role.READER)
    client = TestClient(portal(report_db))
    sign_in(client, report_db, "leser")
    internal = page(client.get(chapter))
    assert "vertrauliche Empfehlung" in internal.get_text()
    assert [li["id"] for li in internal.select("li.record.internal")] == ["E-2"]
