"""Every role against every surface (issue 11): pages, JSON twins, the API, the
statistics, downloads and search.

A county (K) with two municipalities (M1, M2) and two blocks each. The block level
is internal; so is the indicator ``sec``; a draft release holds a 2023 value. Every
number is a distinct canary, so that finding it in a response says exactly what
leaked:

- the public must find no block value, no value of ``sec``, no draft value and
  not the draft's name — and gets no cookie;
- a reader sees all of them, marked as the internal view and never cacheable;
- a reader scoped to M1 sees M1's blocks and M1's ``sec`` values, and nothing of
  M2's internal values nor of the county's ``sec`` value;
- a token that may read internal values reads as its account does; a token that
  may not, and a revoked one, are refused rather than read as public.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from typer.testing import CliRunner

from sozialmonitor.access import audit, tokens
from sozialmonitor.access.roles import Role
from sozialmonitor.cli import app
from sozialmonitor.cli.caller import TOKEN_ENV, USER_ENV
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    set_level_visibility,
    store_observations,
)
from tests.access.accounts_data import add_account
from tests.web.sign_in_client import COOKIE, portal, sign_in
from tests.web.test_disclosure_attack import number_pattern, surface_urls, text_of

PUBLISHED, DRAFT = "Stand 2022", "Entwurf Geheimplan"
BLOCKS = {"M1": ("M1a", "M1b"), "M2": ("M2a", "M2b")}
PUB = {"M1a": 1103, "M1b": 2207, "M2a": 3301, "M2b": 4409}
"""The public indicator's block values (internal: the block level is)."""
SEC = {"M1a": 5501, "M1b": 6607, "M2a": 7703, "M2b": 8807}
"""The internal indicator's block values."""
PUB_TOWN = {"M1": 3310, "M2": 7710}
SEC_TOWN = {"M1": 12108, "M2": 16510}
SEC_COUNTY = 28618
DRAFT_VALUE = 4441
"""``pub`` for M1 in 2023, in the draft only."""

INTERNAL_EVERYWHERE = {
    **{f"pub {b}": v for b, v in PUB.items()},
    **{f"sec {b}": v for b, v in SEC.items()},
    **{f"sec {m}": v for m, v in SEC_TOWN.items()},
    "sec K": SEC_COUNTY,
    "draft M1": DRAFT_VALUE,
}
OF_M1 = {"pub M1a", "pub M1b", "sec M1a", "sec M1b", "sec M1"}
"""What a reader scoped to M1 may see of the internal values."""


def build(conn: Connection) -> None:
    save_indicators(
        conn,
        [
            Indicator(id="pub", name="Hilfefälle", unit="Fälle", kind="count"),
            Indicator(
                id="sec",
                name="Kinderschutzfälle",
                unit="Fälle",
                kind="count",
                visibility=Visibility.INTERNAL,
            ),
        ],
    )
    areas = [Area(code="K", name="Kreis Musterland", level="region")]
    for town, blocks in BLOCKS.items():
        areas.append(
            Area(code=town, name=f"Stadt {town}", level="municipality", parent="K")
        )
        areas += [
            Area(code=b, name=f"Block {b}", level="block", parent=town) for b in blocks
        ]
    save_areas(conn, areas)
    set_level_visibility(conn, "block", Visibility.INTERNAL)
    cells = {("pub", b, "2022"): v for b, v in PUB.items()}
    cells |= {("sec", b, "2022"): v for b, v in SEC.items()}
    cells |= {("pub", m, "2022"): v for m, v in PUB_TOWN.items()}
    cells |= {("sec", m, "2022"): v for m, v in SEC_TOWN.items()}
    cells |= {
        ("pub", "K", "2022"): sum(PUB_TOWN.values()),
        ("sec", "K", "2022"): SEC_COUNTY,
    }
    _store(conn, PUBLISHED, cells)
    publish_release(conn, PUBLISHED)
    _store(conn, DRAFT, {("pub", "M1", "2023"): DRAFT_VALUE})


def _store(conn: Connection, name: str, cells: dict[tuple[str, str, str], int]) -> None:
    release = draft_release(conn, name)
    rows = [
        {
            "indicator_id": queries.indicator_id(conn, indicator),
            "area_id": queries.area_id(conn, area),
            "period": period,
            "value": float(value),
            "numerator": None,
            "denominator": None,
            "flags": 0,
            "note": None,
        }
        for (indicator, area, period), value in cells.items()
    ]
    store_observations(conn, release, pd.DataFrame(rows))


@pytest.fixture
def county(engine: Engine) -> Engine:
    with engine.begin() as conn:
        build(conn)
    add_account(engine, "leser", Role.READER)
    add_account(engine, "ortsamt", Role.READER, area="M1")
    add_account(engine, "redaktion", Role.EDITOR)
    return engine


def urls() -> list[str]:
    areas = ["K", "M1", "M2", *PUB]
    found: list[str] = []
    for indicator in ("pub", "sec"):
        found += surface_urls(
            indicator,
            areas,
            levels=("region", "municipality", "block"),
            periods=("2022", "2023"),
            releases=(PUBLISHED, DRAFT),
        )
    found += [
        "/api/v1/indicators",
        "/suche?q=Kinderschutz",
        "/api/v1/pages/suche?q=Kinderschutz",
        "/thema/allgemein",
        f"/methoden?stand={DRAFT}",
    ]
    return list(dict.fromkeys(found))


def leaks(client: TestClient) -> dict[str, set[str]]:
    """Canary → the URLs whose response contains it (all surfaces)."""
    patterns = {name: number_pattern(v) for name, v in INTERNAL_EVERYWHERE.items()}
    patterns["draft name"] = re.compile("Geheimplan")
    found: dict[str, set[str]] = {}
    for url in urls():
        response = client.get(url)
        assert response.status_code < 500, url
        body = text_of(response.content)
        for name, pattern in patterns.items():
            if name == "draft name" and "Geheimplan" in url:
                continue  # an error message may repeat what the visitor asked for
            if pattern.search(body):
                found.setdefault(name, set()).add(url)
    return found


def test_the_public_sees_nothing_internal_and_gets_no_cookie(county: Engine) -> None:
    client = TestClient(portal(county))
    assert leaks(client) == {}
    for url in urls()[:40]:
        assert "set-cookie" not in client.get(url).headers, url
    # the public values are there: the test would notice a portal showing nothing
    body = client.get("/api/v1/observations?indicator=pub&level=municipality").json()
    assert {o["area"]: o["value"] for o in body["observations"]} == PUB_TOWN
    page = client.get("/indikator/pub?ebene=municipality&ansicht=tabelle").text
    assert "Interne Ansicht" not in page


def test_a_reader_sees_everything_internal_marked_and_never_cached(
    county: Engine,
) -> None:
    client = TestClient(portal(county))
    assert "Abmelden" in sign_in(client, county, "leser").text
    found = leaks(client)
    assert set(found) == set(INTERNAL_EVERYWHERE) | {"draft name"}
    page = client.get("/indikator/pub?ebene=block&ansicht=tabelle")
    assert "Interne Ansicht" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    api = client.get("/api/v1/observations?indicator=sec&level=block")
    assert {o["area"]: o["value"] for o in api.json()["observations"]} == SEC
    assert api.headers["cache-control"] == "private, no-store"


def test_a_reader_outside_the_scope_sees_only_the_public_view(county: Engine) -> None:
    client = TestClient(portal(county))
    assert "Abmelden" in sign_in(client, county, "ortsamt").text
    found = leaks(client)
    outside = set(INTERNAL_EVERYWHERE) - OF_M1 - {"draft M1"}
    assert not outside & set(found), {
        k: sorted(found[k])[:3] for k in outside & set(found)
    }
    assert set(found) >= OF_M1
    api = client.get("/api/v1/observations?indicator=sec&level=block").json()
    assert {o["area"]: o["value"] for o in api["observations"]} == {
        "M1a": SEC["M1a"],
        "M1b": SEC["M1b"],
    }
    towns = client.get("/api/v1/observations?indicator=pub&level=municipality").json()
    assert {o["area"] for o in towns["observations"]} == {"M1", "M2"}


def test_tokens_read_as_their_account_or_are_refused(county: Engine) -> None:
    with county.begin() as conn:
        _, reading = tokens.create(conn, "ortsamt", ["read-internal"])
        _, importing = tokens.create(conn, "redaktion", ["import"])
        revoked_id, revoked = tokens.create(conn, "leser", ["read-internal"])
        tokens.revoke(conn, revoked_id)
    client = TestClient(portal(county))
    url = "/api/v1/observations?indicator=sec&level=block"

    def get(token: str) -> tuple[int, dict[str, object]]:
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
        assert "set-cookie" not in response.headers
        return response.status_code, response.json()

    status, body = get(reading)
    assert status == 200
    assert {o["area"] for o in body["observations"]} == {"M1a", "M1b"}  # type: ignore[attr-defined]
    assert get(importing)[0] == 403
    assert get(revoked)[0] == 403
    assert get("smt_not-a-token")[0] == 403
    assert client.get(url).status_code == 404  # the public: no such indicator
    missing = client.get(url, headers={"Authorization": "Bearer "})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"


def test_a_signed_in_page_does_not_fill_the_public_caches(county: Engine) -> None:
    """The same URL, first signed in, then anonymous (another client): the second
    gets the public page, not the cached internal one."""
    app = portal(county)
    reader = TestClient(app)
    sign_in(reader, county, "leser")
    url = "/indikator/pub?ebene=municipality&ansicht=tabelle&zeitraum=2022"
    assert "Interne Ansicht" in reader.get(url).text
    public = TestClient(app).get(url)
    assert "Interne Ansicht" not in public.text
    assert COOKIE not in public.headers.get("set-cookie", "")


def test_the_command_line_reads_as_its_tokens_account(county: Engine) -> None:
    """``export --internal`` with a token of the reader scoped to M1: M1's block
    values of the internal indicator, none of M2's; without ``--internal`` none;
    ``level visibility`` makes blocks public and the public API shows them."""
    with county.begin() as conn:
        _, scoped = tokens.create(conn, "ortsamt", ["read-internal"])
        _, editor = tokens.create(conn, "redaktion", ["edit-metadata"])
    url = county.url.render_as_string(hide_password=False)

    def run(*args: str, token: str) -> str:
        env = {TOKEN_ENV: token, USER_ENV: None}
        result = CliRunner().invoke(app, ["--db", url, *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    internal = run(
        "export", "--indicator", "sec", "--level", "block", "--internal", token=scoped
    )
    assert {"M1a", "M1b"} <= set(re.findall(r"M\d[ab]", internal))
    assert not re.search(r"M2[ab]", internal)
    assert "sec" not in run(
        "export", "--indicator", "pub", "--level", "block", token=""
    )
    run("level", "visibility", "block", "public", token=editor)
    client = TestClient(portal(county))
    body = client.get("/api/v1/observations?indicator=pub&level=block").json()
    assert {o["area"]: o["value"] for o in body["observations"]} == PUB
    with county.connect() as conn:
        (event,) = audit.events(conn, action="level-visibility-changed")
    assert event.actor.startswith("token:") and event.detail == {"visibility": "public"}
