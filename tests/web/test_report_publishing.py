"""Reports rendered, previewed and published in the browser (issue 14): editors
preview and publish, the report is stored as rendered and does not change with a
later release, nothing internal reaches it, a publisher withdraws it; roles and
CSRF — on SQLite and PostgreSQL, through real HTTP requests."""

from __future__ import annotations

import io

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access.roles import Role
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    store_observations,
)
from tests.access.accounts_data import add_account
from tests.fixtures import TOWNS, observations_frame
from tests.reports.conftest import SECOND_RELEASE, build_report_db
from tests.web.sign_in_client import hidden, page, portal, sign_in

ADMIN = "/verwaltung/berichte"
PROFILE = {"template": "gebietsprofil", "gebiet": TOWNS[0], "thema": ""}
SHARE_2022_H1 = "7,1\u202f%"
"""The first town's unemployment share in 2021 as the release 2022-H1 holds it
(21.500 of 301.000; tests/reports/conftest.py)."""


@pytest.fixture
def report_db(engine: Engine) -> Engine:
    build_report_db(engine)
    add_account(engine, "erika", Role.EDITOR)
    add_account(engine, "paul", Role.PUBLISHER)
    add_account(engine, "lena", Role.READER)
    return engine


def client_of(engine: Engine, name: str, offset: int = 0) -> TestClient:
    client = TestClient(portal(engine), follow_redirects=False)
    assert sign_in(client, engine, name, offset=offset).status_code == 303
    return client


def form(client: TestClient, **fields: str) -> dict[str, str]:
    token = hidden(client.get(ADMIN), "csrf")
    return {"csrf": token, "datenstand": SECOND_RELEASE, **PROFILE, **fields}


def publish(client: TestClient, **fields: str) -> str:
    response = client.post(ADMIN, data=form(client, **fields))
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_roles_and_csrf(report_db: Engine) -> None:
    anonymous = TestClient(portal(report_db), follow_redirects=False)
    assert anonymous.get(ADMIN).status_code == 303  # to the sign-in form
    reader = client_of(report_db, "lena")
    assert reader.get(ADMIN).status_code == 403
    editor = client_of(report_db, "erika")
    assert editor.get(ADMIN).status_code == 200
    refused = editor.post(ADMIN, data={**PROFILE, "datenstand": SECOND_RELEASE})
    assert refused.status_code == 403
    assert (
        page(TestClient(portal(report_db)).get("/berichte")).select(
            ".published-reports li"
        )
        == []
    )


def test_preview_shows_the_public_report(report_db: Engine) -> None:
    editor = client_of(report_db, "erika")
    response = editor.post(f"{ADMIN}/vorschau", data=form(editor))
    assert response.status_code == 200
    html = page(response)
    preview = html.select_one(".report-preview")
    assert preview.h2.text == "Vorschau: Gebietsprofil Gemeinde 001"
    cells = {
        (td["data-indicator"], td["data-area"], td["data-period"]): td.text
        for td in preview.select("td[data-indicator]")
    }
    assert cells[("unemployment_share", TOWNS[0], "2021")] == SHARE_2022_H1
    text = preview.get_text()
    # the editor sees internal records elsewhere; the report is made for the public
    assert "Beispiel: Wege zur Beratung sind weit" in text
    for internal in ("Beispiel: intern", "vertrauliche Empfehlung", "777.777"):
        assert internal not in text
    # the form keeps its choices
    assert html.select_one("#field-gebiet")["value"] == TOWNS[0]
    # nothing was published by a preview
    assert html.select(".published-reports li") == []


def test_a_bad_choice_is_refused_with_a_message(report_db: Engine) -> None:
    editor = client_of(report_db, "erika")
    response = editor.post(ADMIN, data=form(editor, gebiet="99999"))
    assert response.status_code == 422
    message = page(response).select_one("#form-message").text
    assert "Es wurde nichts veröffentlicht" in message and "99999" in message
    # a focus report without a topic: the field to fill is named
    response = editor.post(
        f"{ADMIN}/vorschau", data=form(editor, template="fokusbericht")
    )
    assert response.status_code == 422
    assert (
        "Bitte ein Themenfeld wählen."
        in page(response).select_one("#form-message").text
    )
    assert page(editor.get(ADMIN)).select(".published-reports li") == []


def test_published_reports_stay_as_they_were_made(report_db: Engine) -> None:
    editor = client_of(report_db, "erika")
    location = publish(editor)
    assert location.startswith("/berichte/veroeffentlicht/")
    public = TestClient(portal(report_db))
    shown = page(public.get(location))
    assert shown.h1.text == "Gebietsprofil Gemeinde 001"
    assert f"Datenstand: {SECOND_RELEASE}" in shown.select_one(".meta").text
    text = shown.select_one(".report-text").get_text()
    for internal in ("Beispiel: intern", "vertrauliche Empfehlung", "777.777"):
        assert internal not in text
    listed = page(public.get("/berichte")).select(".published-reports li")
    assert [li.a.text for li in listed] == ["Gebietsprofil Gemeinde 001"]
    assert f"Datenstand {SECOND_RELEASE}, veröffentlicht am" in listed[0].text
    twin = public.get("/api/v1/pages/berichte").json()["published"]
    assert [(p["title"], p["release"]) for p in twin] == [
        ("Gebietsprofil Gemeinde 001", SECOND_RELEASE)
    ]
    # a later release changes the value; the published report does not change
    with report_db.begin() as conn:
        release = draft_release(conn, "2023-H1")
        store_observations(
            conn,
            release,
            observations_frame(conn, {(TOWNS[0], "2021"): (30_000, 301_000)}),
        )
        publish_release(conn, "2023-H1")
    again = page(public.get(location))
    cell = again.select_one(
        f'td[data-indicator=unemployment_share][data-area="{TOWNS[0]}"]'
        '[data-period="2021"]'
    )
    assert cell.text == SHARE_2022_H1
    assert str(again.select_one(".report-text")) == str(
        shown.select_one(".report-text")
    )
    # its PDF is made from the stored file
    pdf = public.get(location + "/bericht.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    pdf_text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Gebietsprofil Gemeinde 001" in pdf_text
    assert f"Datenstand: {SECOND_RELEASE}" in pdf_text
    assert "vertrauliche Empfehlung" not in pdf_text


def test_a_publisher_withdraws_a_report(report_db: Engine) -> None:
    editor = client_of(report_db, "erika")
    location = publish(editor)
    report_id = location.rsplit("/", 1)[-1]
    withdraw = f"{ADMIN}/{report_id}/zurueckziehen"
    token = hidden(editor.get(ADMIN), "csrf")
    assert editor.post(withdraw, data={"csrf": token}).status_code == 403
    assert page(editor.get(ADMIN)).select(".published-reports form") == []
    publisher = client_of(report_db, "paul")
    admin_page = page(publisher.get(ADMIN))
    assert admin_page.select_one(".published-reports form")["action"] == withdraw
    token = hidden(publisher.get(ADMIN), "csrf")
    assert publisher.post(withdraw, data={"csrf": token}).status_code == 303
    public = TestClient(portal(report_db))
    assert public.get(location).status_code == 404
    assert public.get(location + "/bericht.pdf").status_code == 404
    assert page(public.get("/berichte")).select(".published-reports li") == []
