"""The list of findings and recommendations (``/empfehlungen`` and its JSON twin),
its filters, and the blocks on the topic, indicator and area pages; internal
records only after sign-in, marked confidential."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access.roles import Role
from sozialmonitor.domain.qualitative import LABELS, Status
from sozialmonitor.store.qualitative import save_record
from sozialmonitor.web.i18n import missing_translations
from tests.access.accounts_data import add_account
from tests.fixtures import TOWNS
from tests.store.test_qualitative import ADVICE, FINDING, SECRET
from tests.web.sign_in_client import page, portal, sign_in

SECRET_TITLE = SECRET.title
LIST = "/empfehlungen"


@pytest.fixture
def engine_with_records(small_engine: Engine) -> Engine:
    with small_engine.begin() as conn:
        save_record(conn, FINDING, actor="cli")
        save_record(conn, SECRET, actor="cli")
        save_record(
            conn,
            ADVICE,
            status=Status.DECIDED,
            status_on=dt.date(2024, 6, 20),
            actor="anna",
        )
    return small_engine


@pytest.fixture
def public(engine_with_records: Engine) -> TestClient:
    return TestClient(portal(engine_with_records))


def titles(html: BeautifulSoup) -> set[str]:
    return {h.get_text(strip=True) for h in html.select("article.record h3")}


def test_the_list_shows_public_records_with_safe_markdown(public: TestClient) -> None:
    response = public.get(LIST)
    assert response.status_code == 200
    html = page(response)
    assert titles(html) == {FINDING.title, ADVICE.title}
    finding = html.select_one(f"article#{FINDING.code}")
    assert finding is not None
    assert finding.select_one(".record-text strong") is not None  # **nennt**
    assert finding.select_one("script") is None
    assert "<script>x</script>" in finding.get_text()  # shown as text
    assert "Fokusgruppe „Fachkräfte“, 05.03.2024, 12 Teilnehmende" in finding.text
    advice = html.select_one(f"article#{ADVICE.code}")
    assert advice is not None
    assert "beschlossen" in advice.select_one("p.meta").get_text()
    # the public sees when, not who
    history = [li.get_text(strip=True) for li in advice.select("ol.history li")]
    assert history == ["20.06.2024: beschlossen"]
    assert "25.000 Euro" in advice.text
    assert [a["href"] for a in advice.select("dd a[href^='#']")] == ["#E-1"]
    assert html.select_one("h1").get_text() == "Erkenntnisse und Empfehlungen"
    assert html.select_one("main form.controls select#flt-status") is not None


def test_internal_records_are_never_public(public: TestClient) -> None:
    for url in (LIST, f"/api/v1/pages{LIST}", f"{LIST}?gebiet={TOWNS[0]}"):
        text = public.get(url).text
        assert SECRET_TITLE not in text and "E-2" not in text, url
    twin = public.get(f"/api/v1/pages{LIST}").json()
    assert {r["code"] for r in twin["findings"]} == {"E-1"}
    assert "text_html" not in twin["findings"][0]
    (advice,) = twin["recommendations"]
    assert advice["findings"] == [{"text": FINDING.title, "url": "#E-1"}]
    assert advice["history"][0]["by"] == ""
    for url in (f"/gebiet/{TOWNS[0]}", "/thema/arbeit"):
        assert SECRET_TITLE not in public.get(url).text, url


def test_signed_in_the_administration_sees_internal_records_marked(
    engine_with_records: Engine,
) -> None:
    add_account(engine_with_records, "leser", Role.READER)
    client = TestClient(portal(engine_with_records))
    sign_in(client, engine_with_records, "leser")
    html = page(client.get(LIST))
    assert titles(html) == {FINDING.title, SECRET.title, ADVICE.title}
    secret = html.select_one("article#E-2")
    assert secret is not None
    assert "vertraulich" in secret.select_one(".confidential").get_text()
    assert html.select_one("article#E-1 .confidential") is None
    history = html.select("article#H-1 ol.history li")
    assert "erfasst von anna" in history[0].get_text()
    block = page(client.get(f"/gebiet/{TOWNS[0]}")).select_one("section.qualitative")
    assert block is not None and SECRET_TITLE in block.get_text()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {FINDING.title, ADVICE.title}),
        ("?thema=arbeit", {FINDING.title, ADVICE.title}),
        (f"?gebiet={TOWNS[1]}", {FINDING.title}),
        ("?status=decided", {ADVICE.title}),
        ("?status=proposed", set()),
        ("?adressat=council", {ADVICE.title}),
        ("?adressat=providers", set()),
        ("?art=finding", {FINDING.title}),
    ],
)
def test_the_filters(public: TestClient, query: str, expected: set[str]) -> None:
    html = page(public.get(LIST + query))
    assert titles(html) == expected
    if query:
        name, value = query[1:].split("=")
        selected = html.select_one(f"select[name={name}] option[selected]")
        assert selected is not None and selected["value"] == value


def test_an_unknown_filter_value_is_named(public: TestClient) -> None:
    html = page(public.get(f"{LIST}?status=erledigt&thema=nix"))
    alerts = [p.get_text() for p in html.select("p.error[role=alert]")]
    assert alerts == [
        "Das Themenfeld „nix“ gibt es nicht.",
        "Der Filterwert „erledigt“ ist unbekannt.",
    ]
    assert titles(html) == {FINDING.title, ADVICE.title}


def test_the_english_list(public: TestClient) -> None:
    html = page(public.get(f"{LIST}?lang=en"))
    assert html.select_one("h1").get_text() == "Findings and recommendations"
    advice = html.select_one("article#H-1")
    assert advice is not None and "decided" in advice.select_one("p.meta").text
    assert not missing_translations(list(LABELS.values()))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/thema/arbeit", {FINDING.title, ADVICE.title}),
        ("/indikator/unemployment_share", {FINDING.title, ADVICE.title}),
        (f"/gebiet/{TOWNS[0]}", {FINDING.title, ADVICE.title}),
        (f"/gebiet/{TOWNS[1]}", {FINDING.title}),
    ],
)
def test_the_linked_pages_show_a_block(
    public: TestClient, url: str, expected: set[str]
) -> None:
    block = page(public.get(url)).select_one("main section.qualitative")
    assert block is not None
    assert block.select_one("h2").get_text() == "Erkenntnisse und Empfehlungen"
    items = block.select("ul li a")
    assert {a.get_text() for a in items} == expected
    assert all(str(a["href"]).startswith(LIST) for a in items)


def test_a_page_without_linked_records_has_no_block(public: TestClient) -> None:
    html = page(public.get(f"/gebiet/{TOWNS[2]}"))
    assert html.select_one("section.qualitative") is None
    assert public.get(f"/api/v1/pages/gebiet/{TOWNS[2]}").json()["qualitative"] is None
