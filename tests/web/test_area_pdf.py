"""The area profile as a PDF in the portal (issue 14): the link on the profile page,
the public PDF from the newest published release with nothing internal in it, the
reader's view marked confidential and never cached, one PDF made at a time."""

from __future__ import annotations

import io

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access.roles import Role
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.web.app import create_app
from sozialmonitor.web.pages import area_pdf
from tests.access.accounts_data import add_account
from tests.fixtures import TOWNS
from tests.reports.conftest import SECOND_RELEASE, build_report_db
from tests.reports.test_engine import official
from tests.web.sign_in_client import page, portal, sign_in

PDF = f"/gebiet/{TOWNS[0]}/profil.pdf"


@pytest.fixture
def report_db(engine: Engine) -> Engine:
    return build_report_db(engine)


@pytest.fixture
def public(report_db: Engine) -> TestClient:
    return TestClient(create_app(report_db))


def text_of(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def database_share(engine: Engine) -> str:
    """The unemployment share of the first town in 2021 as the newest published
    release holds it, rounded and written as the report writes it."""
    with engine.connect() as conn:
        (obs,) = read_observations(
            conn,
            ObservationQuery(
                indicators=["unemployment_share"],
                areas=[TOWNS[0]],
                periods=["2021"],
                as_of=SECOND_RELEASE,
            ),
        )
    assert obs.value is not None
    return f"{official(obs.value, 1):.1f}".replace(".", ",")


def test_the_profile_page_links_its_pdf(public: TestClient) -> None:
    link = page(public.get(f"/gebiet/{TOWNS[0]}")).select_one("a.profile-pdf")
    assert link["href"] == PDF and link.text == "Als PDF herunterladen"
    english = page(public.get(f"/gebiet/{TOWNS[0]}?lang=en")).select_one(
        "a.profile-pdf"
    )
    assert english["href"] == PDF + "?lang=en" and english.text == "Download as PDF"


def test_the_public_pdf(public: TestClient, report_db: Engine) -> None:
    response = public.get(PDF)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="gebietsprofil-{TOWNS[0]}.pdf"'
    )
    assert response.headers["cache-control"] == "public, no-cache"
    text = text_of(response.content)
    assert "Gebietsprofil Gemeinde 001" in text
    assert f"Datenstand: {SECOND_RELEASE}" in text
    assert f"{database_share(report_db)} %" in text  # 7,1 % (the revised value)
    # nothing internal: the internal indicator, its value, the internal records
    for internal in (
        "Fallzahl (intern)",
        "777.777",
        "Beispiel: intern",
        "vertrauliche Empfehlung",
        "Vertraulich",
    ):
        assert internal not in text
    assert "Beispiel: Wege zur Beratung sind weit" in text  # the public finding
    english = text_of(public.get(PDF + "?lang=en").content)
    assert "Area profile Gemeinde 001" in english
    assert f"Data release: {SECOND_RELEASE}" in english


def test_unknown_areas(public: TestClient) -> None:
    assert public.get("/gebiet/99999/profil.pdf").status_code == 404


def test_the_reader_gets_their_view_marked_confidential(report_db: Engine) -> None:
    add_account(report_db, "leser", Role.READER)
    client = TestClient(portal(report_db))
    sign_in(client, report_db, "leser")
    response = client.get(PDF)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "private, no-store"
    text = text_of(response.content)
    assert "Vertraulich: Dieser Bericht zeigt die Sicht der Verwaltung" in text
    assert "vertrauliche Empfehlung" in text  # the internal recommendation
    assert "Gebietsprofil Gemeinde 001" in text


def test_one_pdf_at_a_time_and_the_public_one_kept(
    report_db: Engine, public: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = public.get(PDF).content
    add_account(report_db, "leser", Role.READER)
    reader = TestClient(portal(report_db))
    sign_in(reader, report_db, "leser")
    monkeypatch.setattr(area_pdf, "WAIT_SECONDS", 0.05)
    assert area_pdf.MAKER.acquire(timeout=5)  # another request is making one
    try:
        # the public PDF of this data version is kept: no need to make it again
        again = public.get(PDF)
        assert again.status_code == 200 and again.content == first
        # a reader's PDF is made for them, and the maker is busy
        busy = reader.get(PDF)
        assert busy.status_code == 503
        assert busy.headers["retry-after"] == str(area_pdf.RETRY_AFTER)
        assert busy.headers["content-type"] == "application/problem+json"
        # so is the public PDF of another area
        assert public.get(f"/gebiet/{TOWNS[1]}/profil.pdf").status_code == 503
    finally:
        area_pdf.MAKER.release()
    assert reader.get(PDF).status_code == 200
