"""A NUL character (``\\x00``) in anything the portal receives — a sign-in field, a
search, an API parameter, a path, an administration form, an upload's fields — is
refused with a 400 and writes nothing; PostgreSQL, which refuses NUL in text,
never sees it (it gave a 500 there) — on SQLite and PostgreSQL (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from sozialmonitor.access.roles import Role
from sozialmonitor.store import schema
from sozialmonitor.web.nul_refusal import NUL_IN_ADDRESS, NUL_IN_FORM
from tests.access.accounts_data import PASSWORD, add_account
from tests.web.sign_in_client import hidden, portal, sign_in

WRITTEN_BY_A_SIGN_IN = ("sign_in_attempt", "audit_event", "account_session")


@pytest.fixture
def app_engine(small_engine: Engine) -> Engine:
    add_account(small_engine, "chef", Role.ADMINISTRATOR)
    return small_engine


@pytest.fixture
def client(app_engine: Engine, tmp_path: Path) -> TestClient:
    app = portal(app_engine)
    app.state.upload_dir = tmp_path / "uploads"
    return TestClient(app, follow_redirects=False, raise_server_exceptions=False)


def rows(engine: Engine, *tables: str) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: int(
                conn.scalar(
                    select(func.count()).select_from(schema.metadata.tables[name])
                )
                or 0
            )
            for name in tables
        }


@pytest.mark.parametrize(
    "form",
    [
        {"step": "password", "name": "chef\x00", "password": PASSWORD},
        {"step": "password", "name": "ch\x00ef", "password": "x"},
        {"step": "password", "name": "chef", "password": PASSWORD + "\x00"},
        {"step": "second-factor", "pending": "abc\x00", "code": "123456"},
        {"step": "second-factor", "pending": "abc", "code": "12\x003456"},
        {"step": "password", "name": "chef", "password": "x", "weiter": "/\x00"},
    ],
    ids=["name", "name-inside", "password", "pending", "code", "next"],
)
def test_a_nul_in_a_sign_in_field_is_refused_and_writes_nothing_issue_11(
    client: TestClient, app_engine: Engine, form: dict[str, str]
) -> None:
    before = rows(app_engine, *WRITTEN_BY_A_SIGN_IN)
    response = client.post("/anmelden", data=form)
    assert response.status_code == 400
    assert response.json()["detail"] == NUL_IN_FORM
    assert "set-cookie" not in response.headers
    assert rows(app_engine, *WRITTEN_BY_A_SIGN_IN) == before


@pytest.mark.parametrize(
    "address",
    [
        "/suche?q=Arbeit%00los",
        "/api/v1/pages/suche?q=%00",
        "/api/v1/areas?level=municipality%00",
        "/api/v1/observations?indicator=population&area=03241%00",
        "/api/v1/indicators?%00=1",
        "/gebiet/03241001%00",
        "/api/v1/pages/indikator/population%00",
        "/methoden?thema=arbeit%00",
        "/anmelden?weiter=/verwaltung%00",
    ],
)
def test_a_nul_in_an_address_is_refused_400_issue_11(
    client: TestClient, address: str
) -> None:
    response = client.get(address)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == NUL_IN_ADDRESS
    assert "set-cookie" not in response.headers
    # the security headers are on the refusal too
    assert "default-src 'self'" in response.headers["content-security-policy"]


def test_the_text_percent_zero_zero_is_no_nul(client: TestClient) -> None:
    """``%2500`` is the text ``%00``: searched for, not refused."""
    assert client.get("/suche?q=%2500").status_code == 200
    assert client.get("/api/v1/areas?level=municipality").status_code == 200


def test_a_nul_in_an_administration_form_is_refused_and_writes_nothing_issue_11(
    client: TestClient, app_engine: Engine
) -> None:
    assert sign_in(client, app_engine, "chef").status_code == 303
    token = hidden(client.get("/verwaltung/konten"), "csrf")
    before = rows(app_engine, "account", "audit_event")
    response = client.post(
        "/verwaltung/konten/neu",
        data={"csrf": token, "name": "neu\x00", "role": "reader", "area": ""},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == NUL_IN_FORM
    assert rows(app_engine, "account", "audit_event") == before


def test_a_nul_in_an_upload_field_is_refused_and_the_file_not_kept_issue_11(
    client: TestClient, app_engine: Engine, tmp_path: Path
) -> None:
    assert sign_in(client, app_engine, "chef").status_code == 303
    token = hidden(client.get("/verwaltung/hochladen"), "csrf")
    before = rows(app_engine, "release", "import_job", "audit_event")
    response = client.post(
        "/verwaltung/hochladen",
        data={"csrf": token, "kind": "observations", "new_release": "r\x00neu"},
        files={"file": ("werte.csv", b"indicator;area;period;value\n", "text/csv")},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == NUL_IN_FORM
    assert rows(app_engine, "release", "import_job", "audit_event") == before
    assert not any(p.is_file() for p in (tmp_path / "uploads").rglob("*"))
