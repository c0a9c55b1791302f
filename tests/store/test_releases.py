"""Releases: publish, as-of reads, diff, withdraw; nothing is silently overwritten."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.errors import ReleaseStateError, UnknownReleaseError
from sozialmonitor.store import queries, schema
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.release_diff import release_diff
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    remove_observations,
    store_observations,
    validate_release,
    withdraw_release,
)
from tests.fixtures import FIRST_RELEASE, observations_frame

SECOND = "2022-H1"


def values(
    engine: Engine, area: str, as_of: str | None = None
) -> dict[str, float | None]:
    with engine.connect() as conn:
        found = read_observations(
            conn,
            ObservationQuery(
                indicators=["unemployment_share"], areas=[area], as_of=as_of
            ),
            audience=Audience.INTERNAL,
        )
    return {o.period: o.value for o in found}


def second_release(engine: Engine) -> None:
    """Revises 03241001/2021 and adds 2022; 2020 stays as it was."""
    with engine.begin() as conn:
        rel = draft_release(conn, SECOND)
        store_observations(
            conn,
            rel,
            observations_frame(
                conn,
                {
                    ("03241001", "2020"): (20_000, 300_000),  # unchanged
                    ("03241001", "2021"): (21_500, 301_000),  # revised
                    ("03241001", "2022"): (22_000, 302_000),  # new
                },
            ),
        )


def test_draft_is_invisible_until_published(small_engine: Engine) -> None:
    second_release(small_engine)
    assert set(values(small_engine, "03241001")) == {"2020", "2021"}
    with small_engine.begin() as conn:
        publish_release(conn, SECOND)
    latest = values(small_engine, "03241001")
    assert latest["2021"] == pytest.approx(21_500 / 301_000 * 100)
    assert latest["2022"] == pytest.approx(22_000 / 302_000 * 100)


def test_a_release_stores_only_what_it_changes(small_engine: Engine) -> None:
    second_release(small_engine)
    with small_engine.connect() as conn:
        rel = queries.get_release(conn, SECOND)
        o = schema.observation
        stored = conn.scalar(select(func.count()).where(o.c.release_id == rel.id))
    # share and population for 2021 (revised numerator; population unchanged) and
    # 2022: the unchanged 2020 rows and the 2021 population are not stored again.
    assert stored == 3


def test_as_of_reads_an_earlier_release(small_engine: Engine) -> None:
    second_release(small_engine)
    with small_engine.begin() as conn:
        publish_release(conn, SECOND)
    old = values(small_engine, "03241001", as_of=FIRST_RELEASE)
    assert old["2021"] == pytest.approx(21_000 / 301_000 * 100)
    assert "2022" not in old


def test_diff_lists_new_changed_and_removed(small_engine: Engine) -> None:
    second_release(small_engine)
    with small_engine.begin() as conn:
        rel = queries.get_release(conn, SECOND)
        share = queries.indicator_id(conn, "unemployment_share")
        town = queries.area_id(conn, "03241003")
        remove_observations(conn, rel, [(share, town, "2020")])
        publish_release(conn, SECOND)
        changes = release_diff(conn, FIRST_RELEASE, SECOND)
    summary = {(c.change, c.indicator, c.area, c.period) for c in changes}
    assert summary == {
        ("changed", "unemployment_share", "03241001", "2021"),
        ("new", "unemployment_share", "03241001", "2022"),
        ("new", "population", "03241001", "2022"),
        ("removed", "unemployment_share", "03241003", "2020"),
    }
    assert "2020" not in values(small_engine, "03241003")
    assert "2020" in values(small_engine, "03241003", as_of=FIRST_RELEASE)


def test_withdrawn_release_falls_back_but_stays_readable(small_engine: Engine) -> None:
    second_release(small_engine)
    with small_engine.begin() as conn:
        publish_release(conn, SECOND)
        withdraw_release(conn, SECOND, "Fehler in der Quelle")
        rel = queries.get_release(conn, SECOND)
    assert rel.status is ReleaseStatus.WITHDRAWN
    assert "Fehler in der Quelle" in rel.note
    latest = values(small_engine, "03241001")
    assert latest["2021"] == pytest.approx(21_000 / 301_000 * 100)
    assert "2022" not in latest
    assert "2022" in values(small_engine, "03241001", as_of=SECOND)
    with small_engine.connect() as conn, pytest.raises(UnknownReleaseError):
        read_observations(conn, ObservationQuery(as_of=SECOND))  # not for the public


def test_published_release_is_never_changed(small_engine: Engine) -> None:
    with small_engine.begin() as conn:
        with pytest.raises(ReleaseStateError, match="never changed"):
            draft_release(conn, FIRST_RELEASE)
        with pytest.raises(ReleaseStateError):
            publish_release(conn, FIRST_RELEASE)
        with pytest.raises(ReleaseStateError):
            validate_release(conn, FIRST_RELEASE)


def test_release_life_cycle(small_engine: Engine) -> None:
    second_release(small_engine)
    with small_engine.begin() as conn:
        assert validate_release(conn, SECOND).status is ReleaseStatus.VALIDATED
        published = publish_release(conn, SECOND)
        first = queries.get_release(conn, FIRST_RELEASE)
        with pytest.raises(ReleaseStateError):
            validate_release(conn, SECOND)  # published: no way back to validated
    assert published.status is ReleaseStatus.PUBLISHED
    assert published.sequence == (first.sequence or 0) + 1


def test_same_values_twice_change_nothing(small_engine: Engine) -> None:
    second_release(small_engine)
    with small_engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(schema.observation))
    second_release(small_engine)
    with small_engine.connect() as conn:
        after = conn.scalar(select(func.count()).select_from(schema.observation))
    assert before == after


def test_unknown_release_names_the_known_ones(small_engine: Engine) -> None:
    with small_engine.connect() as conn, pytest.raises(UnknownReleaseError) as err:
        queries.get_release(conn, "2030")
    assert FIRST_RELEASE in err.value.message
