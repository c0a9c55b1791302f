"""The read gate's stored values as rows: the same values as its observations."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.store.queries import (
    ObservationQuery,
    read_observations,
    read_stored_rows,
)
from tests.store.hierarchy import build_hierarchy


@pytest.fixture
def hierarchy(engine: Engine) -> Engine:
    return build_hierarchy(engine)


@pytest.mark.parametrize("as_of", [None, "first"])
@pytest.mark.parametrize("level", [None, "district", "municipality"])
def test_rows_are_the_stored_values_the_gate_reads(
    hierarchy: Engine, as_of: str | None, level: str | None
) -> None:
    # Two releases: the second changes, removes and suppresses values, so a row
    # per key of the newest release, without the removed ones, is what must come.
    query = ObservationQuery(level=level, as_of=as_of, computed=False)
    with hierarchy.connect() as conn:
        read = read_stored_rows(conn, query, audience=Audience.INTERNAL)
        expected = read_observations(conn, query, audience=Audience.INTERNAL)
    found = sorted((read.observation(row) for row in read.rows), key=lambda o: o.key)
    assert found == expected
    assert len(read.rows) == len(expected) > 0


def test_computed_values_are_not_read_as_rows(hierarchy: Engine) -> None:
    query = ObservationQuery(level="municipality")  # computed by default
    with hierarchy.connect() as conn, pytest.raises(ValueError, match="computed=Fal"):
        read_stored_rows(conn, query)
