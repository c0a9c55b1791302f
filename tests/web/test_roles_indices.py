"""Every role against the index results (issue 11): ``/api/v1/indices/mss/results``
and ``sozialmonitor index show``.

A city (B) with two districts (D1, D2) of five planning areas each, and the shipped
``mss`` definition's seven indicators on 31.12.2020. Two planning areas have an
unemployment numerator below the minimum count (one in each district), so the
published release hides them (and whatever the suppression pattern hides beside
them); a draft release changes every transfer share. Every share is a distinct
number, so that finding it in a response says exactly what leaked, and — because
the results are z-scores and sums, in which a hidden value would hide only as an
influence — the public's whole result is compared with the index computed on a
second database that holds nothing but what the public API shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from typer.testing import CliRunner

from sozialmonitor.access import tokens
from sozialmonitor.access.roles import Role
from sozialmonitor.analysis.index_definition import shipped_definitions
from sozialmonitor.analysis.index_derived import compute_and_store
from sozialmonitor.analysis.index_inputs import compute_from_database
from sozialmonitor.analysis.indices import compute_index
from sozialmonitor.cli import app
from sozialmonitor.cli.caller import TOKEN_ENV, USER_ENV
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.store import queries
from sozialmonitor.store.database import connect, init_database
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)
from tests.access.accounts_data import add_account
from tests.web.sign_in_client import portal, sign_in

MSS = shipped_definitions()["mss"]
PERIOD = "2020-12-31"
URL = "/api/v1/indices/mss/results"
PUBLISHED, DRAFT = "Stand 2020", "Entwurf Geheimplan"
RTOL = 1e-9
DISTRICTS = {"D1": ("0101", "0102", "0103", "0104", "0105")}
DISTRICTS["D2"] = ("0201", "0202", "0203", "0204", "0205")
PLANNING_AREAS = [code for codes in DISTRICTS.values() for code in codes]
SMALL = {"0103": 2, "0204": 1}
"""Unemployed below the minimum count (3): hidden from the public."""
SHARES = ("mss_s1_unemployment", "mss_s3_transfer", "mss_s4_child_poverty")
CHANGES = (
    "mss_d1_unemployment_change",
    "mss_d3_transfer_change",
    "mss_d4_child_poverty_change",
)
INDEX_KEYS = {
    "s1": "mss_s1_unemployment",
    "s3": "mss_s3_transfer",
    "s4": "mss_s4_child_poverty",
    "d1": "mss_d1_unemployment_change",
    "d3": "mss_d3_transfer_change",
    "d4": "mss_d4_child_poverty_change",
}
POPULATION = {code: 4000 + 611 * n for n, code in enumerate(PLANNING_AREAS)}
"""Inhabitants (all above the index's minimum of 300)."""


def _numerators(offset: int, step: int) -> dict[str, int]:
    return {code: offset + step * n for n, code in enumerate(PLANNING_AREAS)}


NUMERATORS = {
    "mss_s1_unemployment": {**_numerators(101, 37), **SMALL},
    "mss_s3_transfer": _numerators(409, 53),
    "mss_s4_child_poverty": _numerators(211, 29),
}
DRAFT_NUMERATORS = _numerators(1303, 71)
"""The draft's transfer numerators (never public)."""
CHANGE_VALUES = {
    indicator: {
        code: round((-1) ** n * (0.1 + 0.173 * n + 0.019 * k), 5)
        for n, code in enumerate(PLANNING_AREAS)
    }
    for k, indicator in enumerate(CHANGES)
}


def share(numerator: int, code: str) -> float:
    return numerator / POPULATION[code] * 100


def true_values(*, draft: bool = False) -> pd.DataFrame:
    """The index inputs as the administration knows them (index: area code)."""
    columns: dict[str, dict[str, float]] = {}
    for key, indicator in INDEX_KEYS.items():
        if indicator in NUMERATORS:
            numerators = NUMERATORS[indicator]
            if draft and indicator == "mss_s3_transfer":
                numerators = DRAFT_NUMERATORS
            columns[key] = {c: share(n, c) for c, n in numerators.items()}
        else:
            columns[key] = CHANGE_VALUES[indicator]
    return pd.DataFrame(columns).reindex(PLANNING_AREAS)


def indicators(internal_s4: bool) -> list[Indicator]:
    found = [Indicator(id="population", name="Einwohner", unit="EW", kind="count")]
    for indicator in SHARES:
        secret = internal_s4 and indicator == "mss_s4_child_poverty"
        found.append(
            Indicator(
                id=indicator,
                name=indicator,
                unit="%",
                numerator="Betroffene",
                denominator="Einwohner",
                visibility=Visibility.INTERNAL if secret else Visibility.PUBLIC,
            )
        )
    found += [
        Indicator(id=i, name=i, unit="Prozentpunkte", kind="index") for i in CHANGES
    ]
    return found


def build_areas(conn: Connection) -> None:
    areas = [Area(code="B", name="Musterstadt", level="region")]
    for district, codes in DISTRICTS.items():
        areas.append(
            Area(code=district, name=f"Bezirk {district}", level="district", parent="B")
        )
        areas += [
            Area(code=c, name=f"PLR {c}", level="planning_area", parent=district)
            for c in codes
        ]
    save_areas(conn, areas)


def build(conn: Connection, *, internal_s4: bool = False) -> None:
    save_indicators(conn, indicators(internal_s4))
    build_areas(conn)
    rows = [("population", c, float(p), None, None) for c, p in POPULATION.items()]
    for indicator, numerators in NUMERATORS.items():
        rows += [
            (indicator, c, share(n, c), float(n), float(POPULATION[c]))
            for c, n in numerators.items()
        ]
    for indicator, values in CHANGE_VALUES.items():
        rows += [(indicator, c, v, None, None) for c, v in values.items()]
    store(conn, PUBLISHED, rows)
    publish_release(conn, PUBLISHED)
    store(
        conn,
        DRAFT,
        [
            ("mss_s3_transfer", c, share(n, c), float(n), float(POPULATION[c]))
            for c, n in DRAFT_NUMERATORS.items()
        ],
    )


Row = tuple[str, str, float, float | None, float | None]


def store(conn: Connection, release_name: str, rows: list[Row]) -> None:
    release = draft_release(conn, release_name)
    frame = pd.DataFrame(
        [
            {
                "indicator_id": queries.indicator_id(conn, indicator),
                "area_id": queries.area_id(conn, area),
                "period": PERIOD,
                "value": value,
                "numerator": numerator,
                "denominator": denominator,
                "flags": 0,
                "note": None,
            }
            for indicator, area, value, numerator, denominator in rows
        ]
    )
    store_observations(conn, release, frame)


def with_accounts(engine: Engine) -> Engine:
    add_account(engine, "leser", Role.READER)
    add_account(engine, "bezirksamt", Role.READER, area="D1")
    add_account(engine, "redaktion", Role.EDITOR)
    return engine


@pytest.fixture
def city(tmp_path: Path) -> Iterator[Engine]:
    """The city on SQLite (the PostgreSQL case: ``city_on_both``)."""
    engine = connect(f"sqlite:///{tmp_path / 'city.db'}")
    init_database(engine)
    with engine.begin() as conn:
        build(conn)
    yield with_accounts(engine)
    engine.dispose()


@pytest.fixture
def city_on_both(engine: Engine) -> Engine:
    with engine.begin() as conn:
        build(conn)
    return with_accounts(engine)


@pytest.fixture
def city_internal_s4(tmp_path: Path) -> Iterator[Engine]:
    """The city with the child-poverty share for the administration only."""
    engine = connect(f"sqlite:///{tmp_path / 'city-s4.db'}")
    init_database(engine)
    with engine.begin() as conn:
        build(conn, internal_s4=True)
    yield with_accounts(engine)
    engine.dispose()


# --- what each audience should get, computed without the service's read ------------


def public_only_result(client: TestClient, tmp_path: Path) -> dict[str, Any]:
    """The index computed on a second database holding nothing but the values the
    public API shows (the hidden ones are not there at all)."""
    engine = connect(f"sqlite:///{tmp_path / 'public-only.db'}")
    init_database(engine)
    with engine.begin() as conn:
        shown = client.get("/api/v1/indicators").json()["indicators"]
        public_ids = {i["id"] for i in shown}
        save_indicators(conn, [i for i in indicators(False) if i.id in public_ids])
        build_areas(conn)
        rows: list[Row] = []
        for indicator in sorted(public_ids):
            body = client.get(
                "/api/v1/observations",
                params={"indicator": indicator, "level": "planning_area"},
            ).json()
            rows += [
                (indicator, o["area"], o["value"], o["numerator"], o["denominator"])
                for o in body["observations"]
                if o["value"] is not None
            ]
        store(conn, PUBLISHED, rows)
        publish_release(conn, PUBLISHED)
    try:
        with engine.connect() as conn, pytest.warns(UserWarning, match="left out"):
            return compute_from_database(conn, MSS, audience=Audience.PUBLIC).to_dict()
    finally:
        engine.dispose()


def computed(values: pd.DataFrame) -> dict[str, Any]:
    """The index of ``values`` (true or mixed), computed directly."""
    population = pd.Series(POPULATION, dtype=float).reindex(PLANNING_AREAS)
    names = {c: f"PLR {c}" for c in PLANNING_AREAS}
    result = compute_index(MSS, values, population=population, names=names)
    return result.to_dict()


def assert_same_areas(got: dict[str, Any], expected: dict[str, Any]) -> None:
    """Every area's values, z-scores, sums, indices, classes and reason, and the
    focus areas with their drivers."""
    mine = {a["code"]: a for a in got["areas"]}
    theirs = {a["code"]: a for a in expected["areas"]}
    assert set(mine) == set(theirs)
    for code, area in theirs.items():
        assert _approx(mine[code]) == _approx(area), code
    assert _approx(got["focus"]) == _approx(expected["focus"])
    assert got["counts"] == expected["counts"]


def _approx(data: Any) -> Any:
    if isinstance(data, float):
        return pytest.approx(data, rel=RTOL, abs=1e-12)
    if isinstance(data, Mapping):
        return {k: _approx(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_approx(v) for v in data]
    return data


def float_pattern(value: float) -> re.Pattern[str]:
    """A share as JSON writes it (its repr, all digits: no z-score or sum is the
    same number by chance)."""
    return re.compile(rf"(?<![\d.]){re.escape(repr(value))}(?!\d)")


def hidden_shares() -> dict[str, float]:
    """Canary → the values the public may not see in any form."""
    found = {
        f"s1 {c}": share(n, c) for c, n in NUMERATORS["mss_s1_unemployment"].items()
    }
    found = {k: v for k, v in found.items() if k.split()[1] in SMALL}
    found |= {f"draft s3 {c}": share(n, c) for c, n in DRAFT_NUMERATORS.items()}
    return found


def canaries_in(text: str, canaries: Mapping[str, float]) -> set[str]:
    return {name for name, v in canaries.items() if float_pattern(v).search(text)}


def public_view_of(client: TestClient) -> dict[str, dict[str, float | None]]:
    """Indicator → area → the value the public API shows."""
    found: dict[str, dict[str, float | None]] = {}
    for indicator in INDEX_KEYS.values():
        response = client.get(
            "/api/v1/observations",
            params={"indicator": indicator, "level": "planning_area"},
        )
        if response.status_code == 404:  # not public: nothing of it
            found[indicator] = {}
            continue
        found[indicator] = {
            o["area"]: o["value"] for o in response.json()["observations"]
        }
    return found


def scoped_values(public: dict[str, dict[str, float | None]]) -> pd.DataFrame:
    """What a reader scoped to D1 reads: true values in D1, public ones in D2."""
    true = true_values()
    for key, indicator in INDEX_KEYS.items():
        for code in DISTRICTS["D2"]:
            value = public[indicator].get(code)
            true.loc[code, key] = float("nan") if value is None else value
    return true


# --- the cases ----------------------------------------------------------------------


def test_the_public_result_is_the_index_of_the_public_values_only(
    city_on_both: Engine, tmp_path: Path
) -> None:
    """(b) and (d) on SQLite and PostgreSQL: the small counts are gaps for the
    public, and no z-score, sum, class or driver carries their influence; a reader
    gets the index of the true values, a reader scoped to D1 that of D1's true
    values and the public values of D2."""
    client = TestClient(portal(city_on_both))
    response = client.get(URL)
    assert response.status_code == 200, response.text
    assert "set-cookie" not in response.headers
    public = response.json()
    assert public["release"]["name"] == PUBLISHED
    assert public["internal"] is False
    expected = public_only_result(client, tmp_path)
    assert_same_areas(public, expected)
    by_code = {a["code"]: a for a in public["areas"]}
    for code in SMALL:
        assert by_code[code]["included"] is False
        assert by_code[code]["values"]["s1"] is None
        assert set(by_code[code]["zscores"].values()) == {None}
        assert "s1" in by_code[code]["reason"]
    assert not canaries_in(response.text, hidden_shares())
    # the test would notice a result that differs from the true one for nothing
    truth = computed(true_values())
    assert _approx(public["areas"]) != _approx(truth["areas"])

    reader = TestClient(portal(city_on_both))
    sign_in(reader, city_on_both, "leser")
    internal = reader.get(URL)
    assert internal.headers["cache-control"] == "private, no-store"
    assert internal.json()["internal"] is True
    assert_same_areas(internal.json(), truth)

    scoped = TestClient(portal(city_on_both))
    sign_in(scoped, city_on_both, "bezirksamt")
    mixed = scoped.get(URL)
    assert mixed.headers["cache-control"] == "private, no-store"
    expected_mixed = computed(scoped_values(public_view_of(client)))
    assert_same_areas(mixed.json(), expected_mixed)
    found = canaries_in(mixed.text, hidden_shares())
    assert found == {"s1 0103"}, found  # D1's small count only, not D2's


def test_an_internal_indicator_refuses_the_public_and_serves_a_reader(
    city_internal_s4: Engine,
) -> None:
    """(a): without the child-poverty share the index cannot be what it says, so
    the public gets a clear refusal naming the indicator, and no value of it; a
    reader gets the index of every true value, marked internal."""
    client = TestClient(portal(city_internal_s4))
    response = client.get(URL)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert "mss_s4_child_poverty" in response.json()["detail"]
    assert "set-cookie" not in response.headers
    s4 = {f"s4 {c}": share(n, c) for c, n in NUMERATORS["mss_s4_child_poverty"].items()}
    assert not canaries_in(response.text, s4)

    reader = TestClient(portal(city_internal_s4))
    sign_in(reader, city_internal_s4, "leser")
    internal = reader.get(URL)
    assert internal.status_code == 200
    assert internal.json()["internal"] is True
    assert canaries_in(internal.text, s4) == set(s4)
    assert_same_areas(internal.json(), computed(true_values()))

    scoped = TestClient(portal(city_internal_s4))
    sign_in(scoped, city_internal_s4, "bezirksamt")
    mixed = scoped.get(URL)
    assert mixed.status_code == 200
    found = canaries_in(mixed.text, s4)
    assert found == {f"s4 {c}" for c in DISTRICTS["D1"]}, found
    by_code = {a["code"]: a for a in mixed.json()["areas"]}
    for code in DISTRICTS["D2"]:
        assert by_code[code]["values"]["s4"] is None
        assert by_code[code]["included"] is False
    assert_same_areas(mixed.json(), computed(scoped_values(public_view_of(client))))


def test_a_draft_never_reaches_the_public(city: Engine) -> None:
    """(c): neither the draft's values nor its name, whatever the public asks;
    a reader may preview the index as of the draft."""
    client = TestClient(portal(city))
    urls = [
        URL,
        f"{URL}?as_of={PUBLISHED}",
        f"{URL}?as_of=Entwurf%20Geheimplan",
        f"{URL}?as_of=nichts",
        f"{URL}?period=2021-12-31",
        "/api/v1/indices",
        "/api/v1/indices/mss",
    ]
    draft_shares = {k: v for k, v in hidden_shares().items() if k.startswith("draft")}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert "set-cookie" not in response.headers, url
        assert not canaries_in(response.text, draft_shares), url
        if "Geheimplan" not in url:
            assert "Geheimplan" not in response.text, url
    refused = client.get(f"{URL}?as_of=Entwurf%20Geheimplan")
    assert refused.status_code == 404
    assert PUBLISHED in refused.json()["detail"]

    reader = TestClient(portal(city))
    sign_in(reader, city, "leser")
    preview = reader.get(URL, params={"as_of": DRAFT})
    assert preview.status_code == 200
    assert preview.json()["release"]["name"] == DRAFT
    assert canaries_in(preview.text, draft_shares) == set(draft_shares)
    assert_same_areas(preview.json(), computed(true_values(draft=True)))

    # Outside its scope a reader sees the public view: no draft value of D2.
    scoped = TestClient(portal(city))
    sign_in(scoped, city, "bezirksamt")
    mixed = scoped.get(URL, params={"as_of": DRAFT})
    assert mixed.status_code == 200
    found = canaries_in(mixed.text, draft_shares)
    assert found == {f"draft s3 {c}" for c in DISTRICTS["D1"]}, found


def test_tokens_read_as_their_account_or_are_refused(city: Engine) -> None:
    """(e) and (f): a token allowed to read internal values reads as its account
    (here: scoped to D1); one without that scope, a revoked and an unknown one are
    refused, never read as public; no response sets a cookie."""
    with city.begin() as conn:
        _, reading = tokens.create(conn, "bezirksamt", ["read-internal"])
        _, importing = tokens.create(conn, "redaktion", ["import"])
        revoked_id, revoked = tokens.create(conn, "leser", ["read-internal"])
        tokens.revoke(conn, revoked_id)
    client = TestClient(portal(city))

    def get(token: str) -> Any:
        response = client.get(URL, headers={"Authorization": f"Bearer {token}"})
        assert "set-cookie" not in response.headers
        return response

    by_token = get(reading)
    assert by_token.status_code == 200
    assert by_token.headers["cache-control"] == "private, no-store"
    assert by_token.json()["internal"] is True
    scoped = TestClient(portal(city))
    sign_in(scoped, city, "bezirksamt")
    assert _approx(by_token.json()["areas"]) == _approx(scoped.get(URL).json()["areas"])
    for refused in (importing, revoked, "smt_not-a-token"):
        response = get(refused)
        assert response.status_code == 403
        assert not canaries_in(response.text, hidden_shares())
    missing = client.get(URL, headers={"Authorization": "Bearer "})
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    anonymous = client.get(URL)
    assert "set-cookie" not in anonymous.headers
    assert anonymous.headers.get("cache-control") != "private, no-store"


def test_the_command_line_reads_the_public_or_with_internal_its_account(
    city: Engine, tmp_path: Path
) -> None:
    """(g): ``index show`` without --internal computes the public result, with it
    (the owner of the SQLite file) the true one, and with a token of the reader
    scoped to D1 that reader's."""
    with city.begin() as conn:
        _, scoped_token = tokens.create(conn, "bezirksamt", ["read-internal"])
        _, importing = tokens.create(conn, "redaktion", ["import"])
    url = city.url.render_as_string(hide_password=False)

    def run(*args: str, token: str | None = None, code: int = 0) -> str:
        env = {TOKEN_ENV: token, USER_ENV: None}
        result = CliRunner().invoke(
            app, ["--db", url, "index", "show", "mss", *args], env=env
        )
        assert result.exit_code == code, result.output
        return result.stdout

    client = TestClient(portal(city))
    public = json.loads(run("--json"))
    assert public["internal"] is False
    assert_same_areas(public, public_only_result(client, tmp_path))
    assert not canaries_in(json.dumps(public), hidden_shares())
    assert_same_areas(json.loads(run("--json", "--internal")), computed(true_values()))
    scoped = json.loads(run("--json", "--internal", token=scoped_token))
    assert (scoped["internal"], scoped["scope"]) == (True, "D1")
    assert_same_areas(scoped, computed(scoped_values(public_view_of(client))))
    table = run()
    assert not canaries_in(table, hidden_shares())
    refused = run("--internal", token=importing, code=1)
    assert not canaries_in(refused, hidden_shares())
    drafted = run("--json", "--as-of", DRAFT, code=1)
    assert not canaries_in(drafted, hidden_shares())


def test_a_stored_index_is_derived_from_what_the_public_may_see(city: Engine) -> None:
    """``index compute`` stores z-scores, sums, indices and classes as public
    indicators when every input is public: published, they must be the public's
    index. Computed from the true values, the z-score of a small count's area gave
    its share away (with two other areas' values and z-scores, the mean and the
    standard deviation, so the share: value = mean + z · sd)."""
    compute_and_store(city, MSS, release="Index 2020")
    with city.begin() as conn:
        publish_release(conn, "Index 2020")
    client = TestClient(portal(city))
    public = {a["code"]: a for a in client.get(URL).json()["areas"]}
    for derived, part in (("z_s1", "zscores"), ("status_index", "status")):
        body = client.get(
            "/api/v1/observations",
            params={"indicator": f"mss.{derived}", "level": "planning_area"},
        ).json()
        stored = {o["area"]: o["value"] for o in body["observations"]}
        assert set(stored) == set(PLANNING_AREAS)
        for code, value in stored.items():
            shown = public[code][part]
            expected = shown["s1"] if part == "zscores" else shown["index"]
            assert _approx(value) == _approx(expected), (derived, code)
    for code in SMALL:
        assert public[code]["included"] is False


def test_an_index_stored_beside_its_inputs_hides_what_their_release_will(
    city: Engine,
) -> None:
    """The inputs and the index in one draft (as ``index compute --release`` into
    the release of an import): the draft's small counts have no stored pattern yet;
    the index is computed from what the public will see once the draft is
    published, so that the published index is the public's."""
    revised = {**NUMERATORS["mss_s1_unemployment"], "0105": 1, "0202": 2}
    with city.begin() as conn:
        store(
            conn,
            "Neu 2020",
            [
                ("mss_s1_unemployment", c, share(n, c), float(n), POPULATION[c])
                for c, n in revised.items()
            ],
        )
    compute_and_store(city, MSS, release="Neu 2020")
    with city.begin() as conn:
        publish_release(conn, "Neu 2020")
    client = TestClient(portal(city))
    public = {a["code"]: a for a in client.get(URL).json()["areas"]}
    assert public["0105"]["included"] is False
    assert public["0202"]["included"] is False
    body = client.get(
        "/api/v1/observations",
        params={"indicator": "mss.z_s1", "level": "planning_area"},
    ).json()
    stored = {o["area"]: o["value"] for o in body["observations"]}
    assert _approx(stored) == _approx(
        {code: area["zscores"]["s1"] for code, area in public.items()}
    )


def test_a_scoped_reader_reads_no_draft_value_outside_its_area_issue_11(
    city: Engine,
) -> None:
    """The read gate, under the index: as of a draft, a reader scoped to D1 reads
    D1's draft values, and for D2 (the public's view) no draft value — the draft's
    cells were never checked, so they are gaps rather than the values below."""
    reader = TestClient(portal(city))
    sign_in(reader, city, "bezirksamt")
    body = reader.get(
        "/api/v1/observations",
        params={
            "indicator": "mss_s3_transfer",
            "level": "planning_area",
            "as_of": DRAFT,
        },
    ).json()
    shown = {o["area"]: o["value"] for o in body["observations"]}
    for code in DISTRICTS["D1"]:
        assert shown[code] == pytest.approx(share(DRAFT_NUMERATORS[code], code))
    for code in DISTRICTS["D2"]:
        assert shown[code] is None, code
