"""Disclosure control at the read gate: patterns computed at publication, applied to
every read; the public never gets a hidden count, the administration gets it marked
confidential."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, delete

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.errors import UnknownReleaseError
from sozialmonitor.store import schema
from sozialmonitor.store.database import init_database
from sozialmonitor.store.queries import (
    ObservationQuery,
    read_observations,
    read_stored_rows,
)
from sozialmonitor.store.writes import draft_release, withdraw_release
from tests.access.attacker import hidden_ranges
from tests.store.disclosure_data import (
    CASES,
    MIN,
    REGION,
    SHARE,
    TOWNS,
    make_small_counts_db,
    publish,
    rows,
)


@pytest.fixture
def counts_engine(engine: Engine) -> Engine:
    make_small_counts_db(engine)
    return engine


def read(
    engine: Engine,
    indicator: str,
    audience: Audience = Audience.PUBLIC,
    as_of: str | None = None,
) -> dict[str, Observation]:
    found = {}
    with engine.connect() as conn:
        for level in ("region", "municipality"):
            query = ObservationQuery(indicators=[indicator], level=level, as_of=as_of)
            for obs in read_observations(conn, query, audience=audience):
                found[obs.area] = obs
    return found


def count_of(indicator: str, obs: Observation) -> float | None:
    return obs.value if indicator == "cases" else obs.numerator


def assert_protected(values: dict[str, Observation], indicator: str) -> set[str]:
    """The attacker's ranges of the hidden towns; returns the hidden areas."""
    shown = {a: count_of(indicator, o) for a, o in values.items()}
    hidden = {a for a, v in shown.items() if v is None}
    ranges = hidden_ranges([shown], {REGION: list(TOWNS)})
    for (_state, area), (low, high) in ranges.items():
        assert high - low >= MIN, (indicator, area, low, high)
    return hidden


@pytest.mark.parametrize("indicator", ["cases", "share"])
def test_small_count_and_one_more_town_hidden_from_the_public(
    counts_engine: Engine, indicator: str
) -> None:
    public = read(counts_engine, indicator)
    hidden = assert_protected(public, indicator)
    assert "T1" in hidden
    assert len(hidden) == 2  # T1 and one town that protects it
    assert REGION not in hidden
    for area in hidden:
        obs = public[area]
        assert (obs.value, obs.numerator, obs.denominator) == (None, None, None)
        assert obs.flags & Flag.SUPPRESSED
        assert obs.note is None
    region = public[REGION]
    if indicator == "cases":
        assert region.value == sum(CASES.values())
    else:
        assert region.numerator == sum(n for n, _ in SHARE.values())


def test_the_administration_sees_true_values_marked_confidential(
    counts_engine: Engine,
) -> None:
    internal = read(counts_engine, "cases", Audience.INTERNAL)
    assert internal["T1"].value == CASES["T1"]
    assert internal["T1"].flags & Flag.CONFIDENTIAL
    hidden = {a for a, o in read(counts_engine, "cases").items() if o.value is None}
    marked = {a for a, o in internal.items() if o.flags & Flag.CONFIDENTIAL}
    assert marked == hidden
    assert not internal[REGION].flags & Flag.CONFIDENTIAL


def test_stored_rows_apply_the_same_pattern(counts_engine: Engine) -> None:
    with counts_engine.connect() as conn:
        stored = read_stored_rows(
            conn, ObservationQuery(indicators=["cases"], computed=False)
        )
    by_area = {row[1]: row for row in stored.rows}
    observations = read(counts_engine, "cases")
    for area, row in by_area.items():
        assert row[4] == observations[area].value
        assert row[7] == observations[area].flags


def test_a_cell_the_source_kept_secret_is_never_shown_with_its_numbers(
    counts_engine: Engine,
) -> None:
    # The source delivers T2 as secret ('.') but with its numbers.
    secret = int(Flag.SUPPRESSED)
    publish(
        counts_engine,
        "r2",
        lambda conn: rows(conn, {"T2": 41}, {"T2": (31, 401)}, flags={"T2": secret}),
    )
    for indicator in ("cases", "share"):
        public = read(counts_engine, indicator)
        t2 = public["T2"]
        assert (t2.value, t2.numerator, t2.denominator) == (None, None, None)
        assert_protected(public, indicator)


def test_as_of_an_earlier_release_applies_that_releases_pattern(
    counts_engine: Engine,
) -> None:
    # r2 raises T1 from 2 to 5: no small count any more, but the town that
    # protected T1 in r1 keeps its value, and showing it now would give r1's T1
    # away (67 - 40 - 0 - 25). So it stays hidden, with a second cell beside it.
    changed = {"T1": 5, "T2": 40, "T3": 0, "T4": 25}
    before = read(counts_engine, "cases")
    partner = next(a for a, o in before.items() if o.value is None and a != "T1")
    publish(counts_engine, "r2", lambda conn: rows(conn, {"T1": 5}, {}))
    now = read(counts_engine, "cases")
    assert now[partner].value is None
    assert sum(o.value is None for o in now.values()) == 2
    assert read(counts_engine, "cases", as_of="r1") == before
    truth = [CASES | {REGION: 67}, changed | {REGION: 70}]
    states = [
        {a: o.value for a, o in before.items()},
        {a: o.value for a, o in now.items()},
    ]
    ranges = hidden_ranges(
        states,
        {REGION: list(TOWNS)},
        identity=lambda s, area: f"{area}={truth[s][area]}",
    )
    low, high = ranges[(0, "T1")]
    assert high - low >= MIN


def test_a_later_release_takes_values_shown_before_as_known(
    counts_engine: Engine,
) -> None:
    # r2 lowers T4 from 25 to 2: T1's partner from r1 and T1 itself are unchanged,
    # and what r1 showed is known to everyone.
    r1 = read(counts_engine, "cases")
    changed = dict(CASES) | {"T4": 2}
    publish(counts_engine, "r2", lambda conn: rows(conn, {"T4": 2}, {}))
    r2 = read(counts_engine, "cases")
    truth = [CASES | {REGION: 67}, changed | {REGION: 44}]
    ranges = hidden_ranges(
        [{a: o.value for a, o in r1.items()}, {a: o.value for a, o in r2.items()}],
        {REGION: list(TOWNS)},
        identity=lambda s, area: f"{area}={truth[s][area]}",
    )
    for (state, area), (low, high) in ranges.items():
        if 0 < truth[state][area] < MIN:
            assert high - low >= MIN, (state, area, low, high)
    assert r2["T4"].value is None


def test_withdrawing_a_release_computes_later_patterns_again(
    counts_engine: Engine,
) -> None:
    publish(counts_engine, "r2", lambda conn: rows(conn, {"T1": 5}, {}))
    publish(counts_engine, "r3", lambda conn: rows(conn, {"T3": 1}, {}))
    with counts_engine.begin() as conn:
        withdraw_release(conn, "r2", "wrong delivery")
    public = read(counts_engine, "cases")
    assert public["T1"].value is None  # back to r1's 2, hidden again
    assert public["T3"].value is None
    assert_protected(public, "cases")


def test_a_slice_without_a_pattern_is_hidden_until_init_computes_it(
    counts_engine: Engine,
) -> None:
    with counts_engine.begin() as conn:
        conn.execute(delete(schema.suppressed_cell))
        conn.execute(delete(schema.suppression_slice))
    assert all(o.value is None for o in read(counts_engine, "cases").values())
    init_database(counts_engine)
    public = read(counts_engine, "cases")
    assert public["T1"].value is None
    assert public[REGION].value == sum(CASES.values())


def test_a_draft_is_not_named_to_the_public(counts_engine: Engine) -> None:
    with counts_engine.begin() as conn:
        draft_release(conn, "secret-draft")
    with counts_engine.connect() as conn:
        for name in ("secret-draft", "no-such-release"):
            with pytest.raises(UnknownReleaseError) as caught:
                read_observations(conn, ObservationQuery(as_of=name))
            assert "secret-draft" not in caught.value.message.replace(f"'{name}'", "")
            assert "r1" in caught.value.message


def test_the_tables_protected_are_what_the_gate_reads(engine: Engine) -> None:
    """The pattern's tables compute parents bottom-up by the gate's own rule; on a
    hierarchy with stored middle values, a town beside districts, removed, secret
    and flagged values they hold exactly what the gate reads, level by level."""
    from sozialmonitor.store.suppression_tables import slice_tables
    from tests.store.hierarchy import AREAS, INDICATORS, PERIODS, build_hierarchy

    build_hierarchy(engine)
    levels = sorted({level for level, _parent in AREAS.values()})
    with engine.connect() as conn:
        for release in ("first", "second"):
            for indicator in INDICATORS.values():
                tables = slice_tables(conn, indicator, PERIODS, release)
                for period in PERIODS:
                    read = {}
                    for level in levels:
                        query = ObservationQuery(
                            indicators=[indicator.id],
                            level=level,
                            periods=[period],
                            as_of=release,
                        )
                        for obs in read_observations(
                            conn, query, audience=Audience.INTERNAL
                        ):
                            read[obs.area] = obs
                    cells = tables[period].cells
                    assert cells.keys() == read.keys(), (release, indicator.id)
                    for area, obs in read.items():
                        expected = {
                            "count": obs.value,
                            "share": obs.numerator,
                            "median": None,
                        }[indicator.kind.value]
                        assert cells[area].count == pytest.approx(expected), area
