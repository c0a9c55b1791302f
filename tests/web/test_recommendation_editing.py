"""Findings and recommendations edited in the browser (issue 14): an editor creates
and links them and changes a status (history with date and name, audit log); field
messages and nothing written on bad input; roles, CSRF and the area scope; escaped
Markdown; internal records never public; the outcome values since the decision
through the read gate — on SQLite and PostgreSQL, through real HTTP requests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Role
from sozialmonitor.domain.qualitative import Status
from sozialmonitor.store import schema
from sozialmonitor.store.qualitative_edit import STATUS_CHANGED, stored_record
from tests.access.accounts_data import add_account
from tests.fixtures import REGION, TOWNS, make_demo_db
from tests.web.sign_in_client import page, portal, sign_in
from tests.web.test_indicator_editing import form_of as indicator_form

NEW = "/verwaltung/empfehlungen/neu"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'

Client = Callable[[str], TestClient]


@pytest.fixture
def accounts_engine(engine: Engine) -> Engine:
    make_demo_db(engine)
    add_account(engine, "lena", Role.READER)
    add_account(engine, "erika", Role.EDITOR)
    add_account(engine, "udo", Role.EDITOR)
    add_account(engine, "sven", Role.EDITOR, area=TOWNS[0])
    return engine


@pytest.fixture
def signed_in(accounts_engine: Engine) -> Client:
    app = portal(accounts_engine)
    offsets: dict[str, int] = {}

    def client(name: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        offset = offsets.get(name, 0)
        offsets[name] = offset + 1
        assert sign_in(c, accounts_engine, name, offset=offset).status_code == 303
        return c

    return client


@pytest.fixture
def anonymous(accounts_engine: Engine) -> TestClient:
    return TestClient(portal(accounts_engine), follow_redirects=False)


def form_of(doc: BeautifulSoup) -> dict[str, str]:
    """What the browser would send: every field of the form as shown."""
    form = doc.select_one("form.record-edit")
    assert form is not None
    data: dict[str, str] = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = str(field["name"])
        if field.name == "textarea":
            data[name] = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = str(chosen["value"])
        else:
            data[name] = str(field.get("value", ""))
    return data


def finding_form(client: TestClient, **values: str) -> dict[str, str]:
    data = form_of(page(client.get(NEW, params={"art": "finding"})))
    data.update(
        code="E-9",
        title="Beispiel: Wege sind weit",
        text="Die Gruppe **nennt** weite Wege.",
        visibility="public",
        topic="Arbeit",
        areas=f"{TOWNS[0]}; {TOWNS[1]}",
        indicators="unemployment_share",
        source_kind="focus_group",
        source_group="Fachkräfte",
        source_date="05.03.2024",
        participants="12",
    )
    data.update(values)
    return data


def advice_form(client: TestClient, **values: str) -> dict[str, str]:
    data = form_of(page(client.get(NEW, params={"art": "recommendation"})))
    data.update(
        code="H-9",
        title="Beispiel: Beratung vor Ort",
        text="Sprechstunden in den Stadtteilen.",
        visibility="public",
        topic="Arbeit",
        areas=f"{TOWNS[0]}; {TOWNS[1]}",
        findings="E-9",
        addressee="council",
        responsible_unit="Fachbereich Soziales",
        estimated_cost="25.000",
        outcome_indicators="population; unemployment_share",
        status="decided",
        status_date="20.06.2020",
    )
    data.update(values)
    return data


def record_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(select(func.count()).select_from(schema.qualitative_record))
            or 0
        )


def history(doc: BeautifulSoup) -> list[str]:
    return [li.get_text(" ", strip=True) for li in doc.select("ol.history li")]


def test_an_editor_creates_links_and_advances_a_recommendation(
    signed_in: Client, accounts_engine: Engine, anonymous: TestClient
) -> None:
    erika = signed_in("erika")
    saved = erika.post(NEW, data=finding_form(erika))
    assert saved.status_code == 303, page(saved).select_one("#form-message")
    assert saved.headers["location"] == "/empfehlungen/E-9?gespeichert=1"
    shown = page(erika.get(saved.headers["location"]))
    assert shown.select_one("h1").get_text() == "Beispiel: Wege sind weit"
    assert shown.select_one("[role=status]") is not None
    assert shown.select_one(".record-text strong").get_text() == "nennt"

    assert erika.post(NEW, data=advice_form(erika)).status_code == 303
    doc = page(anonymous.get("/empfehlungen/H-9"))
    assert history(doc) == ["20.06.2020: beschlossen"]  # the public: when, not who
    assert [a["href"] for a in doc.select("dd a[href='/empfehlungen/E-9']")]
    # the values of the outcome indicators since the decision (2020 and 2021)
    tables = doc.select("table.outcome-values")
    assert [t.select_one("caption").get_text() for t in tables] == [
        "Einwohner",
        "Arbeitslosenanteil",
    ]
    rows = {
        r.select_one("th").get_text(): [td.get_text() for td in r.select("td")]
        for r in tables[0].select("tbody tr")
    }
    assert rows == {
        "Gemeinde 001": ["300.000\u202fPersonen", "301.000\u202fPersonen"],
        "Gemeinde 002": ["20.000\u202fPersonen", "20.100\u202fPersonen"],
    }
    assert "seit dem Beschluss am 20.06.2020" in doc.select_one(".outcomes").text

    data = form_of(page(erika.get("/verwaltung/empfehlungen/H-9")))
    form = page(erika.get("/verwaltung/empfehlungen/H-9"))
    offered = {o["value"] for o in form.select("#field-status option")}
    assert offered == {"decided", "in_progress", "implemented", "rejected"}
    data.update(status="in_progress", status_date="01.07.2021")
    assert erika.post("/verwaltung/empfehlungen/H-9", data=data).status_code == 303
    inside = page(erika.get("/empfehlungen/H-9"))
    assert history(inside) == [
        "20.06.2020: beschlossen (erfasst von erika)",
        "01.07.2021: in Umsetzung (erfasst von erika)",
    ]
    with accounts_engine.connect() as conn:
        record = stored_record(conn, "H-9")
        events = audit.events(conn, action=STATUS_CHANGED)
    assert record is not None and record.status is Status.IN_PROGRESS
    assert [h.by for h in record.history] == ["erika", "erika"]
    assert [(e.actor, e.target, e.detail["to"]) for e in events] == [
        ("erika", "H-9", "decided"),
        ("erika", "H-9", "in_progress"),
    ]
    assert record.estimated_cost == 25_000
    # the linked indicator and area pages show both
    for url in ("/indikator/unemployment_share", f"/gebiet/{TOWNS[1]}"):
        block = page(anonymous.get(url)).select_one("section.qualitative")
        assert block is not None, url
        links = {a.get_text(): a["href"] for a in block.select("li a")}
        assert links == {
            "Beispiel: Wege sind weit": "/empfehlungen/E-9",
            "Beispiel: Beratung vor Ort": "/empfehlungen/H-9",
        }, url
    twin = anonymous.get("/api/v1/pages/empfehlungen/H-9").json()
    assert twin["record"]["status"] == "in_progress"
    assert twin["record"]["outcomes"]["tables"][0]["periods"] == ["2020", "2021"]
    assert twin["edit_url"] == ""


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "Bitte ausfüllen."),
        ("code", "E 9!", "Bitte bis zu 60 Buchstaben"),
        ("code", "Neu", "Dieser Code ist nicht möglich"),  # the new form's address
        ("areas", "09999999", "Es gibt kein Gebiet mit dem Schlüssel „09999999“."),
        ("outcome_indicators", "nix", "Es gibt keine Kennzahl „nix“."),
        ("findings", "E-404", "Es gibt keine Erkenntnis „E-404“."),
        ("period", "20x1", "Bitte einen Zeitraum wie 2021"),
        ("estimated_cost", "viel", "Bitte eine Zahl von 0 an"),
        ("status_date", "morgen", "Bitte ein Datum wie 31.12.2024 eingeben."),
        ("status_date", "01.01.2999", "Das Datum liegt in der Zukunft."),
        ("status", "erledigt", "Bitte eine der angebotenen Möglichkeiten wählen."),
        ("text", "=HYPERLINK(1)", "Der Text ist zu lang, enthält ein Steuerzeichen"),
    ],
)
def test_invalid_input_is_named_at_its_field_and_nothing_is_written(
    signed_in: Client,
    accounts_engine: Engine,
    field: str,
    value: str,
    message: str,
) -> None:
    erika = signed_in("erika")
    refused = erika.post(NEW, data=advice_form(erika, **{"findings": "", field: value}))
    assert refused.status_code == 422
    doc = page(refused)
    error = doc.select_one(f"#error-{field}")
    assert error is not None and error.get_text().startswith(message)
    assert doc.select_one(f"#field-{field}")["aria-invalid"] == "true"
    assert "nichts gespeichert" in doc.select_one("#form-message").text
    assert "Traceback" not in refused.text
    assert record_count(accounts_engine) == 0
    with accounts_engine.connect() as conn:
        assert audit.events(conn, action=STATUS_CHANGED) == []


def test_a_status_never_goes_back_and_not_before_the_last_change(
    signed_in: Client, accounts_engine: Engine
) -> None:
    erika = signed_in("erika")
    erika.post(NEW, data=finding_form(erika))
    assert erika.post(NEW, data=advice_form(erika)).status_code == 303
    data = form_of(page(erika.get("/verwaltung/empfehlungen/H-9")))
    for status, day, field, message in (
        ("proposed", "", "status", "Der Stand geht nur vorwärts"),
        ("implemented", "01.01.2019", "status_date", "Das Datum liegt vor dem"),
    ):
        refused = erika.post(
            "/verwaltung/empfehlungen/H-9",
            data={**data, "status": status, "status_date": day},
        )
        assert refused.status_code == 422
        assert page(refused).select_one(f"#error-{field}").text.startswith(message)
    with accounts_engine.connect() as conn:
        record = stored_record(conn, "H-9")
    assert record is not None and [h.status for h in record.history] == [Status.DECIDED]


def test_a_code_in_use_is_refused_for_a_new_record(
    signed_in: Client, accounts_engine: Engine
) -> None:
    erika = signed_in("erika")
    assert erika.post(NEW, data=finding_form(erika)).status_code == 303
    again = erika.post(NEW, data=finding_form(erika, title="Anders"))
    assert again.status_code == 422
    assert "gibt es schon" in page(again).select_one("#error-code").text
    with accounts_engine.connect() as conn:
        record = stored_record(conn, "E-9")
    assert record is not None and record.title == "Beispiel: Wege sind weit"


def test_readers_and_the_public_cannot_edit(
    signed_in: Client, accounts_engine: Engine, anonymous: TestClient
) -> None:
    erika, lena = signed_in("erika"), signed_in("lena")
    data = finding_form(erika)
    visitor = anonymous.get(NEW)
    assert visitor.status_code == 303
    assert visitor.headers["location"].startswith("/anmelden")
    assert anonymous.post(NEW, data=data).status_code == 403
    assert lena.get(NEW).status_code == 403
    lena_data = {**data, "csrf": form_of(page(erika.get(NEW)))["csrf"]}
    assert lena.post(NEW, data=lena_data).status_code == 403
    assert record_count(accounts_engine) == 0
    # no edit links for them
    for client in (anonymous, lena):
        doc = page(client.get("/empfehlungen"))
        assert doc.select_one(f"a[href^='{NEW}']") is None


def test_a_post_without_the_session_token_is_refused(
    signed_in: Client, accounts_engine: Engine
) -> None:
    erika, udo = signed_in("erika"), signed_in("udo")
    data = finding_form(erika)
    for token in ("", form_of(page(udo.get(NEW)))["csrf"]):
        assert erika.post(NEW, data={**data, "csrf": token}).status_code == 403
    assert record_count(accounts_engine) == 0


def test_an_editor_with_an_area_scope_links_only_areas_of_it(
    signed_in: Client, accounts_engine: Engine
) -> None:
    erika, sven = signed_in("erika"), signed_in("sven")
    for areas, message in (
        (f"{TOWNS[0]}; {TOWNS[1]}", f"Das Gebiet „{TOWNS[1]}“ liegt außerhalb"),
        (REGION, f"Das Gebiet „{REGION}“ liegt außerhalb"),
        ("", "Bitte mindestens ein Gebiet"),
    ):
        refused = sven.post(NEW, data=finding_form(sven, areas=areas))
        assert refused.status_code == 422, areas
        assert page(refused).select_one("#error-areas").text.startswith(message)
    assert record_count(accounts_engine) == 0
    assert sven.post(NEW, data=finding_form(sven, areas=TOWNS[0])).status_code == 303
    # a record about another area is not his to edit
    other = finding_form(erika, code="E-10", areas=TOWNS[1], visibility="internal")
    assert erika.post(NEW, data=other).status_code == 303
    assert sven.get("/verwaltung/empfehlungen/E-10").status_code == 403
    theirs = form_of(page(erika.get("/verwaltung/empfehlungen/E-10")))
    mine = form_of(page(sven.get("/verwaltung/empfehlungen/E-9")))
    takeover = {**theirs, "csrf": mine["csrf"], "title": "übernommen"}
    assert sven.post("/verwaltung/empfehlungen/E-10", data=takeover).status_code == 403
    # nor may he learn the code of an internal finding outside his scope
    advice = advice_form(sven, areas=TOWNS[0], findings="E-10")
    refused = sven.post(NEW, data=advice)
    assert "Es gibt keine Erkenntnis „E-10“." in page(refused).text
    # nor edit a record of his area that builds on it (the form would show its code)
    built_on = advice_form(erika, areas=TOWNS[0], findings="E-10")
    assert erika.post(NEW, data=built_on).status_code == 303
    assert sven.get("/verwaltung/empfehlungen/H-9").status_code == 403
    assert "E-10" not in sven.get("/empfehlungen/H-9").text
    with accounts_engine.connect() as conn:
        record = stored_record(conn, "E-10")
    assert record is not None and record.title == "Beispiel: Wege sind weit"


def test_markup_in_the_texts_is_shown_as_text_everywhere(
    signed_in: Client, anonymous: TestClient
) -> None:
    erika = signed_in("erika")
    data = finding_form(
        erika,
        title=XSS,
        text=f"{XSS}\n\n[klick](javascript:alert(1))",
        source_group=XSS,
    )
    assert erika.post(NEW, data=data).status_code == 303
    for client in (anonymous, erika):
        for url in (
            "/empfehlungen/E-9",
            "/empfehlungen",
            f"/gebiet/{TOWNS[0]}",
            "/indikator/unemployment_share",
            "/verwaltung/empfehlungen/E-9",
        ):
            response = client.get(url)
            if response.status_code != 200:
                assert client is anonymous and url.startswith("/verwaltung")
                continue
            doc = page(response)
            main = doc.select_one("main")
            assert main.select("script:not([type='application/json'])") == [], url
            assert main.select("img[onerror], [onerror]") == [], url
            assert not main.select("a[href^='javascript']"), url
            assert '<script>alert("x")</script>' in main.get_text(), url


def test_an_internal_record_never_reaches_the_public(
    signed_in: Client, anonymous: TestClient
) -> None:
    erika = signed_in("erika")
    secret = finding_form(
        erika, visibility="internal", title="Beispiel: Verschlusssache"
    )
    assert erika.post(NEW, data=secret).status_code == 303
    assert erika.get("/empfehlungen/E-9").status_code == 200
    assert anonymous.get("/empfehlungen/E-9").status_code == 404
    missing = anonymous.get("/api/v1/pages/empfehlungen/E-9")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    # answered exactly as a code that does not exist
    assert (
        anonymous.get("/api/v1/pages/empfehlungen/E-404").json()["title"]
        == (missing.json()["title"])
    )
    for url in (
        "/empfehlungen",
        "/api/v1/pages/empfehlungen",
        f"/gebiet/{TOWNS[0]}",
        f"/api/v1/pages/gebiet/{TOWNS[0]}",
        "/indikator/unemployment_share",
        "/thema/arbeit",
    ):
        text = anonymous.get(url).text
        assert "Verschlusssache" not in text and "E-9" not in text, url


def test_outcome_values_show_the_sign_of_a_suppressed_value_and_hide_internal_ones(
    signed_in: Client, anonymous: TestClient
) -> None:
    erika = signed_in("erika")
    erika.post(NEW, data=finding_form(erika))
    advice = advice_form(erika, outcome_indicators="population; internal_case_load")
    assert erika.post(NEW, data=advice).status_code == 303
    population = "/verwaltung/indikatoren/population"
    data = indicator_form(page(erika.get(population)))
    data["min_count"] = "21000"  # Gemeinde 002's 20.000 become a small count
    assert erika.post(population, data=data).status_code == 303
    public = page(anonymous.get("/empfehlungen/H-9"))
    tables = public.select("table.outcome-values")
    assert [t.select_one("caption").get_text() for t in tables] == ["Einwohner"]
    rows = {
        r.select_one("th").get_text(): [td.get_text() for td in r.select("td")]
        for r in tables[0].select("tbody tr")
    }
    assert rows["Gemeinde 002"] == [".", "."]
    # 2021: Gemeinde 001 is the region less 002, so hidden too (secondary)
    assert rows["Gemeinde 001"] == ["300.000\u202fPersonen", "."]
    assert "Fallzahl (intern)" not in public.text
    listed = page(anonymous.get("/empfehlungen")).select_one("article#H-9")
    assert listed is not None and listed.select_one("table.outcome-values") is not None
    inside = page(erika.get("/empfehlungen/H-9"))
    assert "Fallzahl (intern)" in inside.select_one(".outcomes").text


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(
    signed_in: Client, accounts_engine: Engine
) -> None:
    erika, udo = signed_in("erika"), signed_in("udo")
    assert erika.post(NEW, data=finding_form(erika)).status_code == 303
    url = "/verwaltung/empfehlungen/E-9"
    hers, his = form_of(page(erika.get(url))), form_of(page(udo.get(url)))
    assert udo.post(url, data={**his, "title": "Seiner"}).status_code == 303
    refused = erika.post(url, data={**hers, "title": "Ihrer"})
    assert refused.status_code == 409
    assert "Jemand anderes" in page(refused).select_one("#form-message").text
    with accounts_engine.connect() as conn:
        record = stored_record(conn, "E-9")
    assert record is not None and record.title == "Seiner"


def test_the_recommendations_are_in_the_main_navigation(anonymous: TestClient) -> None:
    for lang, label in (("de", "Empfehlungen"), ("en", "Recommendations")):
        doc = page(anonymous.get("/", params={"lang": lang}))
        nav = {a.get_text(): a["href"] for a in doc.select("header nav a")}
        assert nav[label].startswith("/empfehlungen"), nav
        current = page(anonymous.get("/empfehlungen/nix", params={"lang": lang}))
        assert current.select_one("header nav a[aria-current]") is not None
