"""The one read gate: visibility, releases and computed parent values."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.period import parse_period
from sozialmonitor.errors import UnknownAreaError, UnknownIndicatorError
from sozialmonitor.store import queries
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.writes import draft_release, store_observations
from tests.fixtures import COUNTS, REGION

RTOL = 1e-9


def read(engine: Engine, audience: Audience = Audience.PUBLIC, **query: object):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return read_observations(conn, ObservationQuery(**query), audience=audience)  # type: ignore[arg-type]


def test_region_rate_is_computed_from_counts_not_averaged(small_engine: Engine) -> None:
    (region,) = read(
        small_engine,
        indicators=["unemployment_share"],
        areas=[REGION],
        periods=["2020"],
    )
    num = sum(n for (_, p), (n, _) in COUNTS.items() if p == "2020")
    den = sum(d for (_, p), (_, d) in COUNTS.items() if p == "2020")
    assert region.value == pytest.approx(num / den * 100, rel=RTOL)
    assert region.flags & Flag.COMPUTED
    assert region.missing_children == ()
    mean_of_rates = (
        sum(n / d * 100 for (_, p), (n, d) in COUNTS.items() if p == "2020") / 3
    )
    assert region.value != pytest.approx(mean_of_rates, rel=1e-3)


def test_aggregate_names_missing_children(small_engine: Engine) -> None:
    (region,) = read(
        small_engine,
        indicators=["unemployment_share"],
        areas=[REGION],
        periods=["2021"],
    )
    assert region.missing_children == ("03241003",)
    assert "2 of 3" in (region.note or "")


def test_stored_parent_value_wins_over_the_aggregate(small_engine: Engine) -> None:
    with small_engine.begin() as conn:
        rel = draft_release(conn, "with-region")
        from tests.fixtures import observations_frame

        store_observations(
            conn, rel, observations_frame(conn, {(REGION, "2020"): (1, 100)})
        )
    (region,) = read(
        small_engine,
        Audience.INTERNAL,
        indicators=["unemployment_share"],
        areas=[REGION],
        periods=["2020"],
        as_of="with-region",
    )
    assert region.value == pytest.approx(1.0)
    assert not region.flags & Flag.COMPUTED


def test_internal_indicators_never_reach_the_public(small_engine: Engine) -> None:
    with small_engine.connect() as conn:
        public = {i.id for i in queries.list_indicators(conn)}
        internal = {
            i.id for i in queries.list_indicators(conn, audience=Audience.INTERNAL)
        }
        with pytest.raises(UnknownIndicatorError):
            read_observations(conn, ObservationQuery(indicators=["internal_case_load"]))
    assert "internal_case_load" not in public
    assert "internal_case_load" in internal


def test_level_and_period_filters(small_engine: Engine) -> None:
    rows = read(
        small_engine,
        indicators=["population"],
        level="municipality",
        period_from=parse_period("2021"),
        period_to=parse_period("2021"),
    )
    assert {(o.area, o.period) for o in rows} == {
        ("03241001", "2021"),
        ("03241002", "2021"),
    }


def test_unknown_area_is_a_clear_error(small_engine: Engine) -> None:
    with pytest.raises(UnknownAreaError, match="99999"):
        read(small_engine, areas=["99999"])


def test_empty_database_reads_nothing(engine: Engine) -> None:
    assert read(engine) == []
