"""The administration's release pages: the list, a draft's changes and checks, and
validating, publishing and withdrawing by role — on SQLite and PostgreSQL, through
real HTTP requests with signed-in accounts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, update

from sozialmonitor.access import audit
from sozialmonitor.access.roles import Role
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.errors import InvalidReleaseNameError
from sozialmonitor.store import queries, schema
from sozialmonitor.store.writes import draft_release
from sozialmonitor.web.urls import href
from tests.access.accounts_data import add_account
from tests.fixtures import make_demo_db
from tests.release_data import (
    BASE,
    DRAFT,
    NEW_POPULATION_002,
    add_bad_share,
    make_draft,
)
from tests.web.sign_in_client import page, portal, sign_in

RELEASES = "/verwaltung/veroeffentlichungen"
DRAFT_URL = f"{RELEASES}/{DRAFT}"
SAME_ORIGIN = {"origin": "http://testserver"}

Client = Callable[[str], TestClient]


@pytest.fixture
def draft_engine(engine: Engine) -> Engine:
    make_demo_db(engine)
    make_draft(engine)
    for name, role in (
        ("lena", Role.READER),
        ("erika", Role.EDITOR),
        ("paul", Role.PUBLISHER),
        ("ada", Role.ADMINISTRATOR),
    ):
        add_account(engine, name, role)
    return engine


@pytest.fixture
def signed_in(draft_engine: Engine) -> Client:
    """A client signed in as the account named (each its own browser)."""
    app = portal(draft_engine)

    def client(name: str) -> TestClient:
        c = TestClient(app, follow_redirects=False)
        assert sign_in(c, draft_engine, name).status_code == 303
        return c

    return client


def csrf(client: TestClient) -> str:
    """The session's CSRF token (from the sign-out form of the start page)."""
    field = page(client.get("/verwaltung")).select_one("input[name=csrf]")
    assert field is not None
    return str(field["value"])


def status(engine: Engine, name: str = DRAFT) -> ReleaseStatus:
    with engine.connect() as conn:
        return queries.get_release(conn, name).status


def public_population(client: TestClient, area: str) -> float | None:
    body = client.get(
        "/api/v1/observations",
        params={"indicator": "population", "area": area, "from": "2021", "to": "2021"},
    ).json()
    values = [o["value"] for o in body["observations"]]
    return values[0] if values else None


def audit_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(select(func.count()).select_from(schema.audit_event)) or 0
        )


def test_the_list_shows_every_release_with_its_status(signed_in: Client) -> None:
    doc = page(signed_in("erika").get(RELEASES))
    rows = {
        r.select_one("th").get_text(strip=True): r.select("td")[0].get_text()
        for r in doc.select("table.releases tbody tr")
    }
    assert rows == {
        "2021-H2": "veröffentlicht",
        BASE: "veröffentlicht",
        DRAFT: "Entwurf",
    }


def test_the_draft_page_counts_changes_and_flags_jumps(signed_in: Client) -> None:
    client = signed_in("erika")
    doc = page(client.get(DRAFT_URL))
    counts = {
        r.select_one("th").get_text(strip=True): [
            td.get_text() for td in r.select("td")
        ]
        for r in doc.select("table.release-indicators tbody tr")
    }
    assert counts == {
        "Fallzahl (intern)": ["0", "2", "0", "1"],
        "Einwohner": ["0", "2", "1", "1"],
        "Arbeitslosenanteil": ["1", "2", "0", "1"],
    }
    jumps = doc.select("table.release-changes tbody tr.jump")
    assert len(jumps) == 3
    first = [td.get_text() for td in jumps[0].select("td")]
    assert first[0] == "Fallzahl (intern)"
    assert "großer Sprung" in first[2]
    assert "50 %" in doc.select_one("details.help").get_text()
    # The findings: warnings only, so an editor may validate.
    findings = [li.get_text(" ", strip=True) for li in doc.select("ul.findings li")]
    assert findings == [
        "Hinweis: 3 geänderte Werte sind große Sprünge (siehe Tabelle).",
        "Hinweis: 1 veröffentlichter Wert wird entfernt.",
    ]
    filtered = page(client.get(DRAFT_URL, params={"spruenge": "1"}))
    assert len(filtered.select("table.release-changes tbody tr")) == 3
    one = page(client.get(DRAFT_URL, params={"indikator": "population"}))
    kinds = [
        r.select("td")[2].get_text()
        for r in one.select("table.release-changes tbody tr")
    ]
    assert sorted(kinds) == ["entfernt", "geändert", "geändert – großer Sprung"]


def test_an_editor_validates_but_cannot_publish(
    signed_in: Client, draft_engine: Engine
) -> None:
    client = signed_in("erika")
    doc = page(client.get(DRAFT_URL))
    assert doc.select_one("form.release-validate") is not None
    assert doc.select_one("a.release-publish") is None
    token = csrf(client)
    before = audit_count(draft_engine)
    for action in ("veroeffentlichen", "zurueckziehen"):
        refused = client.post(
            f"{DRAFT_URL}/{action}",
            data={"csrf": token, "grund": "x"},
            headers=SAME_ORIGIN,
        )
        assert refused.status_code == 403
    assert client.get(f"{DRAFT_URL}/veroeffentlichen").status_code == 403
    assert status(draft_engine) is ReleaseStatus.DRAFT
    assert audit_count(draft_engine) == before
    done = client.post(f"{DRAFT_URL}/pruefen", data={"csrf": token})
    assert done.status_code == 303
    assert status(draft_engine) is ReleaseStatus.VALIDATED
    shown = page(client.get(done.headers["location"]))
    assert "als geprüft markiert" in shown.select_one("#release-message").get_text()
    with draft_engine.connect() as conn:
        event = audit.events(conn, action="release-validated")[-1]
    assert (event.actor, event.target, event.address) == ("erika", DRAFT, "testclient")


def test_a_draft_with_errors_is_not_validated(
    signed_in: Client, draft_engine: Engine
) -> None:
    add_bad_share(draft_engine)
    client = signed_in("erika")
    doc = page(client.get(DRAFT_URL))
    assert doc.select_one("form.release-validate") is None
    errors = [li.get_text(" ", strip=True) for li in doc.select("ul.findings li.error")]
    assert errors == [
        "Fehler: 1 Anteilswert hat einen Zähler, der größer als der Nenner ist."
    ]
    refused = client.post(f"{DRAFT_URL}/pruefen", data={"csrf": csrf(client)})
    assert refused.status_code == 409
    assert "Prüfung" in page(refused).select_one("#release-message").get_text()
    assert status(draft_engine) is ReleaseStatus.DRAFT


def test_a_publisher_publishes_after_confirming(
    signed_in: Client, draft_engine: Engine
) -> None:
    client = signed_in("paul")
    anonymous = TestClient(portal(draft_engine))
    assert public_population(anonymous, "03241002") == 20_100
    link = page(client.get(DRAFT_URL)).select_one("a.release-publish")
    assert link is not None
    confirm = client.get(str(link["href"]))
    assert confirm.status_code == 200
    assert status(draft_engine) is ReleaseStatus.DRAFT  # looking changes nothing
    form = page(confirm).select_one("form.publish-confirm")
    done = client.post(
        str(form["action"]),
        data={"csrf": str(form.select_one("input[name=csrf]")["value"])},
    )
    assert done.status_code == 303
    assert status(draft_engine) is ReleaseStatus.PUBLISHED
    assert public_population(anonymous, "03241002") == NEW_POPULATION_002
    with draft_engine.connect() as conn:
        event = audit.events(conn, action="release-published")[-1]
    assert (event.actor, event.target, event.address) == ("paul", DRAFT, "testclient")
    # Published: no second publication; withdrawing is offered.
    doc = page(client.get(DRAFT_URL))
    assert doc.select_one("a.release-publish") is None
    assert doc.select_one("form.release-withdraw") is not None


def test_withdrawing_needs_a_reason_which_methods_then_shows(
    signed_in: Client, draft_engine: Engine
) -> None:
    client = signed_in("paul")
    token = csrf(client)
    url = f"{RELEASES}/{BASE}/zurueckziehen"
    anonymous = TestClient(portal(draft_engine))
    before = audit_count(draft_engine)
    for reason in ("", "   "):
        refused = client.post(url, data={"csrf": token, "grund": reason})
        assert refused.status_code == 422
        message = page(refused).select_one("#release-message").get_text()
        assert "Grund" in message
    assert status(draft_engine, BASE) is ReleaseStatus.PUBLISHED
    assert audit_count(draft_engine) == before
    reason = "Fallzahlen der Quelle fehlerhaft"
    done = client.post(url, data={"csrf": token, "grund": reason})
    assert done.status_code == 303
    assert status(draft_engine, BASE) is ReleaseStatus.WITHDRAWN
    methods = page(anonymous.get("/methoden")).get_text()
    assert reason in methods
    with draft_engine.connect() as conn:
        event = audit.events(conn, action="release-withdrawn")[-1]
    assert event.detail == {"reason": reason} and event.actor == "paul"
    listed = page(client.get(RELEASES)).select_one("tr[data-status=withdrawn]")
    assert reason in listed.get_text() and "zurückgezogen von paul" in listed.get_text()


def test_withdrawing_the_newest_shows_the_previous_state(
    signed_in: Client, draft_engine: Engine
) -> None:
    client = signed_in("paul")
    token = csrf(client)
    anonymous = TestClient(portal(draft_engine))
    client.post(f"{DRAFT_URL}/veroeffentlichen", data={"csrf": token})
    assert public_population(anonymous, "03241002") == NEW_POPULATION_002
    client.post(f"{DRAFT_URL}/zurueckziehen", data={"csrf": token, "grund": "Fehler"})
    assert public_population(anonymous, "03241002") == 20_100


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", RELEASES),
        ("get", DRAFT_URL),
        ("get", f"{DRAFT_URL}/veroeffentlichen"),
        ("post", f"{DRAFT_URL}/pruefen"),
        ("post", f"{DRAFT_URL}/veroeffentlichen"),
        ("post", f"{DRAFT_URL}/zurueckziehen"),
    ],
)
def test_readers_are_refused_and_anonymous_visitors_sent_to_sign_in(
    signed_in: Client, draft_engine: Engine, method: str, path: str
) -> None:
    reader = signed_in("lena")
    token = csrf(reader)
    answer = getattr(reader, method)(
        path, **({"data": {"csrf": token, "grund": "x"}} if method == "post" else {})
    )
    assert answer.status_code == 403
    anonymous = TestClient(portal(draft_engine), follow_redirects=False)
    if method == "get":
        away = anonymous.get(path)
        assert away.status_code == 303
        assert away.headers["location"].startswith("/anmelden?weiter=")
        assert "set-cookie" not in away.headers
    else:
        assert anonymous.post(path, data={"grund": "x"}).status_code == 403
    assert status(draft_engine) is ReleaseStatus.DRAFT


def test_a_post_without_the_csrf_token_is_refused(
    signed_in: Client, draft_engine: Engine
) -> None:
    client = signed_in("ada")
    for action in ("pruefen", "veroeffentlichen"):
        assert client.post(f"{DRAFT_URL}/{action}").status_code == 403
        assert (
            client.post(f"{DRAFT_URL}/{action}", data={"csrf": "x"}).status_code == 403
        )
    cross = client.post(
        f"{DRAFT_URL}/veroeffentlichen",
        data={"csrf": csrf(client)},
        headers={"origin": "https://evil.example"},
    )
    assert cross.status_code == 403
    assert status(draft_engine) is ReleaseStatus.DRAFT


def test_an_unknown_release_is_a_clean_404(signed_in: Client) -> None:
    client = signed_in("paul")
    missing = client.get(f"{RELEASES}/gibt-es-nicht")
    assert missing.status_code == 404
    assert "gibt-es-nicht" in page(missing).select_one("main").get_text()
    posted = client.post(
        f"{RELEASES}/gibt-es-nicht/veroeffentlichen", data={"csrf": csrf(client)}
    )
    assert posted.status_code == 404


def test_publishing_a_draft_with_errors_is_refused_issue_16(
    signed_in: Client, draft_engine: Engine
) -> None:
    add_bad_share(draft_engine)  # never validated: publishing runs the checks
    client = signed_in("paul")
    refused = client.post(f"{DRAFT_URL}/veroeffentlichen", data={"csrf": csrf(client)})
    assert refused.status_code == 409
    message = page(refused).select_one("#release-message").get_text()
    assert "Die Prüfung hat Fehler gefunden" in message
    assert status(draft_engine) is ReleaseStatus.DRAFT
    with draft_engine.connect() as conn:
        published = audit.events(conn, action="release-published")
    assert [e for e in published if e.target == DRAFT] == []


def test_publishing_twice_is_refused_with_a_message(
    signed_in: Client, draft_engine: Engine
) -> None:
    client = signed_in("paul")
    token = csrf(client)
    assert (
        client.post(
            f"{RELEASES}/{BASE}/veroeffentlichen", data={"csrf": token}
        ).status_code
        == 409
    )
    with draft_engine.connect() as conn:
        assert not [
            e
            for e in audit.events(conn, action="release-published")
            if e.actor == "paul"
        ]


def test_the_pages_in_english(signed_in: Client) -> None:
    client = signed_in("paul")
    doc = page(client.get(DRAFT_URL, params={"lang": "en"}))
    assert doc.select_one("h1").get_text() == f"Release {DRAFT}"
    assert doc.select_one("a.release-publish")["href"].endswith("?lang=en")
    listing = page(client.get(RELEASES, params={"lang": "en"}))
    assert listing.select_one("h1").get_text() == "Releases"


@pytest.mark.parametrize(
    ("name", "linked"), [("lena", False), ("erika", True), ("paul", True)]
)
def test_the_administration_links_the_pages_for_editors_and_above(
    signed_in: Client, name: str, linked: bool
) -> None:
    doc = page(signed_in(name).get("/verwaltung"))
    links = {str(a["href"]) for a in doc.select("main a")}
    assert (RELEASES in links) is linked
    assert ("/verwaltung/indikatoren" in links) is linked


def test_hostile_paging_and_filter_values_are_answered_cleanly(
    signed_in: Client,
) -> None:
    client = signed_in("erika")
    for params in (
        {"seite": "9" * 5000},
        {"seite": "-3"},
        {"seite": "abc"},
        {"indikator": "<script>alert(1)</script>"},
        {"spruenge": "ja", "indikator": "population", "seite": "99999999"},
    ):
        answer = client.get(DRAFT_URL, params=params)
        assert answer.status_code == 200, params
        doc = page(answer)
        assert doc.select("table.release-changes tbody tr"), params
        assert not [s for s in doc.select("script") if "alert" in s.get_text()]


def test_a_reason_too_long_is_refused_and_kept_for_correction(
    signed_in: Client, draft_engine: Engine
) -> None:
    client = signed_in("paul")
    long_reason = "Fehler " * 400  # 2,800 characters
    refused = client.post(
        f"{RELEASES}/{BASE}/zurueckziehen",
        data={"csrf": csrf(client), "grund": long_reason},
    )
    assert refused.status_code == 422
    doc = page(refused)
    assert "zu lang" in doc.select_one("#release-message").get_text()
    assert doc.select_one("#withdraw-reason").get_text().startswith("Fehler Fehler")
    assert status(draft_engine, BASE) is ReleaseStatus.PUBLISHED


LEGACY = "2022/H1 neu"
"""A release named before ``/`` was refused: its pages must still work."""


def rename_draft(engine: Engine, name: str) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(schema.release)
            .where(schema.release.c.name == DRAFT)
            .values(name=name)
        )


def test_a_release_named_with_a_slash_before_the_rule_works_issue_11(
    signed_in: Client, draft_engine: Engine
) -> None:
    rename_draft(draft_engine, LEGACY)
    client = signed_in("paul")
    links = {
        a.get_text(): str(a["href"])
        for a in page(client.get(RELEASES)).select("table.releases tbody th a")
    }
    assert links[LEGACY] == f"{RELEASES}/2022%2FH1%20neu"
    shown = client.get(links[LEGACY])
    assert shown.status_code == 200
    doc = page(shown)
    assert LEGACY in doc.select_one("h1").get_text()
    token = csrf(client)
    # the filter and paging links keep the name whole
    filtered = page(client.get(str(doc.select_one("form.release-filter")["action"])))
    assert LEGACY in filtered.select_one("h1").get_text()
    validated = client.post(
        str(doc.select_one("form.release-validate")["action"]), data={"csrf": token}
    )
    assert validated.status_code == 303
    assert status(draft_engine, LEGACY) is ReleaseStatus.VALIDATED
    assert client.get(validated.headers["location"]).status_code == 200
    confirm = client.get(
        str(page(client.get(links[LEGACY])).select_one("a.release-publish")["href"])
    )
    assert confirm.status_code == 200
    form = page(confirm).select_one("form.publish-confirm")
    published = client.post(str(form["action"]), data={"csrf": token})
    assert published.status_code == 303
    assert status(draft_engine, LEGACY) is ReleaseStatus.PUBLISHED
    # the public methods page shows its changes, chosen by a query parameter
    anonymous = TestClient(portal(draft_engine))
    methods = page(anonymous.get(href("/methoden", "de", datenstand=LEGACY)))
    selected = methods.select_one("table.releases tr.selected th")
    assert selected is not None and selected.get_text() == LEGACY
    withdraw = page(client.get(links[LEGACY])).select_one("form.release-withdraw")
    withdrawn = client.post(
        str(withdraw["action"]), data={"csrf": token, "grund": "Fehler der Quelle"}
    )
    assert withdrawn.status_code == 303
    assert status(draft_engine, LEGACY) is ReleaseStatus.WITHDRAWN


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("2021/22", "contains '/'"),
        ("2021\\22", "contains '\\'"),
        ("..", "dots only"),
        ("a\nb", "line break"),
        ("=SUMME(A1)", "spreadsheet formula"),
        ("x" * 101, "longer than 100"),
    ],
)
def test_a_new_release_name_that_cannot_stand_in_an_address_is_refused_issue_11(
    draft_engine: Engine, name: str, said: str
) -> None:
    with draft_engine.connect() as conn:
        before = queries.list_releases(conn)
    with (
        pytest.raises(InvalidReleaseNameError) as refused,
        draft_engine.begin() as conn,
    ):
        draft_release(conn, name)
    assert "The release name" in refused.value.message
    assert said in refused.value.message
    with draft_engine.connect() as conn:
        assert queries.list_releases(conn) == before
