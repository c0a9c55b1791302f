"""The audit log in the browser (issue 11): newest first, 50 a page, filters by
action and actor, and every matching event as a formula-safe CSV download. On SQLite
and PostgreSQL."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Role
from sozialmonitor.web.pages import audit_log
from tests.access.accounts_data import add_account
from tests.web.sign_in_client import hidden, page, portal, sign_in

PATH = "/verwaltung/protokoll"
CSV_PATH = "/verwaltung/protokoll.csv"
GERMAN_TIME = re.compile(r"^\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d$")


@pytest.fixture
def client(engine: Engine) -> TestClient:
    add_account(engine, "chef", Role.ADMINISTRATOR)
    add_account(engine, "paula", Role.PUBLISHER)
    return TestClient(portal(engine), follow_redirects=False)


def signed_in(client: TestClient, engine: Engine, name: str = "chef") -> str:
    assert sign_in(client, engine, name).status_code == 303
    return hidden(client.get("/verwaltung"), "csrf")


def add_events(engine: Engine, count: int, action: str = "test-event") -> None:
    start = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
    with engine.begin() as conn:
        for i in range(count):
            audit.record(
                conn,
                action,
                actor="skript",
                target=f"ziel-{i:03d}",
                at=start + dt.timedelta(minutes=i),
            )


def rows(response: object) -> list[dict[str, str]]:
    doc = page(response)  # type: ignore[arg-type]
    heads = [th.get_text() for th in doc.select("table.audit-log thead th")]
    return [
        dict(zip(heads, (td.get_text() for td in tr.select("td")), strict=True))
        for tr in doc.select("table.audit-log tbody tr")
    ]


def test_the_log_shows_the_creation_of_an_account_by_the_administrator(
    client: TestClient, engine: Engine
) -> None:
    csrf = signed_in(client, engine)
    created = client.post(
        "/verwaltung/konten/neu", data={"csrf": csrf, "name": "neu", "role": "reader"}
    )
    assert created.status_code == 200
    response = client.get(PATH)
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]
    newest = rows(response)[0]
    assert newest["Wer"] == "chef"
    assert newest["Aktion"] == "account-created"
    assert newest["Betrifft"] == "neu"
    assert newest["Adresse"] == "testclient"
    assert newest["Einzelheiten"] == '{"area": null, "role": "reader"}'
    assert GERMAN_TIME.match(newest["Zeit"])
    # Sign-ins come before it: newest first.
    assert [r["Aktion"] for r in rows(response)][1] == "sign-in"
    english = page(client.get(f"{PATH}?lang=en"))
    assert english.select_one("h1").get_text() == "Audit log"


def test_the_time_is_shown_in_the_portal_time_zone(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        at = dt.datetime(2026, 12, 6, 22, 10, 5, tzinfo=dt.UTC)
        audit.record(conn, "test-event", actor="skript", at=at)
    signed_in(client, engine)
    shown = rows(client.get(f"{PATH}?aktion=test-event"))
    assert [r["Zeit"] for r in shown] == ["06.12.2026, 23:10:05"]


def test_the_filters_pick_events_by_exact_action_and_actor(
    client: TestClient, engine: Engine
) -> None:
    add_events(engine, 3)
    add_events(engine, 2, action="other-event")
    signed_in(client, engine)
    doc = page(client.get(PATH))
    choices = [o["value"] for o in doc.select("#filter-action option")]
    assert choices[0] == "" and {"test-event", "other-event", "sign-in"} <= set(choices)
    by_action = rows(client.get(f"{PATH}?aktion=test-event"))
    assert [r["Betrifft"] for r in by_action] == ["ziel-002", "ziel-001", "ziel-000"]
    by_actor = rows(client.get(f"{PATH}?akteur=skript"))
    assert len(by_actor) == 5 and {r["Wer"] for r in by_actor} == {"skript"}
    both = rows(client.get(f"{PATH}?akteur=skript&aktion=other-event"))
    assert len(both) == 2
    assert rows(client.get(f"{PATH}?akteur=skr")) == []  # exact, not a prefix
    # What no event can hold matches nothing; a NUL character (which PostgreSQL
    # refuses) is refused before the page (``web/nul_refusal.py``).
    too_long = "akteur=" + "s" * 101
    response = client.get(f"{PATH}?{too_long}")
    assert response.status_code == 200 and rows(response) == []
    download = client.get(f"{CSV_PATH}?{too_long}")
    assert download.text == "at,actor,action,target,address,detail\n"
    for query in ("akteur=sk%00ript", "aktion=test%00"):
        assert client.get(f"{PATH}?{query}").status_code == 400
        assert client.get(f"{CSV_PATH}?{query}").status_code == 400
    chosen = page(client.get(f"{PATH}?aktion=other-event"))
    assert chosen.select_one("#filter-action option[selected]")["value"] == (
        "other-event"
    )


def test_paging_shows_fifty_events_a_page(client: TestClient, engine: Engine) -> None:
    add_events(engine, 120)
    signed_in(client, engine)
    first = client.get(f"{PATH}?aktion=test-event")
    assert [r["Betrifft"] for r in rows(first)] == [
        f"ziel-{i:03d}" for i in range(119, 69, -1)
    ]
    doc = page(first)
    assert doc.select_one("a[rel=prev]") is None
    following = doc.select_one("a[rel=next]")["href"]
    assert following == f"{PATH}?aktion=test-event&seite=2"
    second = rows(client.get(following))
    assert [r["Betrifft"] for r in second][0] == "ziel-069"
    third = client.get(f"{PATH}?aktion=test-event&seite=3")
    assert [r["Betrifft"] for r in rows(third)] == [
        f"ziel-{i:03d}" for i in range(19, -1, -1)
    ]
    assert page(third).select_one("a[rel=next]") is None
    assert page(third).select_one("a[rel=prev]")["href"] == (
        f"{PATH}?aktion=test-event&seite=2"
    )
    assert "120 Einträge, Seite 3 von 3" in page(third).select_one("main").get_text()
    # Past the end: the last page.
    assert rows(client.get(f"{PATH}?aktion=test-event&seite=99")) == rows(third)


def test_the_page_reads_only_its_events(engine: Engine) -> None:
    add_events(engine, 120)
    only = audit.EventFilter(action="test-event")
    with engine.connect() as conn:
        assert audit.count(conn, only) == 120
        found = audit.newest(conn, only, limit=50, offset=100)
        older = audit.newest(conn, only, limit=5, before_id=found[0].id)
    assert [e.target for e in found] == [f"ziel-{i:03d}" for i in range(19, -1, -1)]
    assert [e.target for e in older] == [f"ziel-{i:03d}" for i in range(18, 13, -1)]


def test_markup_in_an_event_is_shown_as_text(
    client: TestClient, engine: Engine
) -> None:
    payload = "<script>alert(1)</script>"
    with engine.begin() as conn:
        audit.record(
            conn,
            "sign-in-failed",
            actor=payload,
            target=payload,
            detail={"note": payload + "x" * 300},
        )
    signed_in(client, engine)
    response = client.get(PATH)
    doc = page(response)
    assert doc.select("main script") == []
    shown = [r for r in rows(response) if r["Aktion"] == "sign-in-failed"][0]
    assert shown["Wer"] == payload and shown["Betrifft"] == payload
    assert shown["Einzelheiten"].startswith('{"note": "<script>')
    assert len(shown["Einzelheiten"]) == audit_log.DETAIL_LENGTH
    assert shown["Einzelheiten"].endswith("…")


def test_the_csv_has_every_matching_event_and_no_formula(
    client: TestClient, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_events(engine, 20)
    with engine.begin() as conn:
        audit.record(
            conn,
            "test-event",
            actor="skript",
            target='=HYPERLINK("http://example.org","klick")',
            detail={"n": 1},
        )
    monkeypatch.setattr(audit_log, "EXPORT_BATCH", 7)  # several batches
    signed_in(client, engine)
    link = page(client.get(f"{PATH}?aktion=test-event")).find(
        "a", string="Als CSV herunterladen"
    )
    assert link["href"] == f"{CSV_PATH}?aktion=test-event"
    response = client.get(link["href"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    assert "no-store" in response.headers["cache-control"]
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["at", "actor", "action", "target", "address", "detail"]
    assert len(table) == 1 + 21
    assert table[1][3] == '\'=HYPERLINK("http://example.org","klick")'
    assert table[1][5] == '{"n": 1}'
    assert [r[3] for r in table[2:]] == [f"ziel-{i:03d}" for i in range(19, -1, -1)]
    assert table[-1][0] == "2026-06-01T10:00:00+00:00"
    everything = list(csv.reader(io.StringIO(client.get(CSV_PATH).text)))
    actions = {r[2] for r in everything[1:]}
    assert {"test-event", "account-created", "sign-in"} <= actions


def test_a_publisher_may_not_read_the_log(client: TestClient, engine: Engine) -> None:
    signed_in(client, engine, "paula")
    assert client.get(PATH).status_code == 403
    refused = client.get(CSV_PATH)
    assert refused.status_code == 403
    assert "text/csv" not in refused.headers["content-type"]
    start = page(client.get("/verwaltung"))
    assert start.select_one(f"a[href='{PATH}']") is None


def test_the_administration_links_the_log_for_administrators(
    client: TestClient, engine: Engine
) -> None:
    signed_in(client, engine)
    link = page(client.get("/verwaltung")).select_one(f"a[href='{PATH}']")
    assert link is not None and link.get_text() == "Protokoll"


def test_anonymous_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    for path in (PATH, f"{CSV_PATH}?aktion=sign-in"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/anmelden?weiter=")
        assert "set-cookie" not in response.headers
