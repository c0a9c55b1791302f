"""Issue 11, stored index results after their inputs' patterns change: ``index
compute`` stores z-scores, sums and classes computed from the cells the public saw
then. When a later pattern hides an input cell those results included (a raised
``min_count``, a re-protection for an area scope), the stored results would give it
away: from two shown areas' shares and z-scores follow the mean and the standard
deviation, and with them the hidden share (``mean + z · sd``, or from the mean of
all areas included). Such a stored index is hidden whole (fail closed) until it is
computed again; never served mixed with the new pattern.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.analysis.index_derived import compute_and_store
from sozialmonitor.store.indicator_edit import stored_indicator
from sozialmonitor.store.writes import publish_release, save_indicators
from tests.web.sign_in_client import portal
from tests.web.test_roles_indices import (
    MSS,
    NUMERATORS,
    SMALL,
    build,
    with_accounts,
)

S1 = "mss_s1_unemployment"


def public_values(client: TestClient, indicator: str) -> dict[str, float | None]:
    body = client.get(
        "/api/v1/observations",
        params={"indicator": indicator, "level": "planning_area"},
    ).json()
    return {o["area"]: o["value"] for o in body["observations"]}


@pytest.fixture
def city(engine: Engine) -> Engine:
    """The city of ``test_roles_indices`` on SQLite and PostgreSQL."""
    with engine.begin() as conn:
        build(conn)
    return with_accounts(engine)


def test_a_stored_index_whose_input_is_hidden_later_is_hidden_whole(
    city: Engine,
) -> None:
    compute_and_store(city, MSS, release="Index 2020")
    with city.begin() as conn:
        publish_release(conn, "Index 2020")
    client = TestClient(portal(city))
    z_before = public_values(client, "mss.z_s1")
    included = {a for a, z in z_before.items() if z is not None}
    assert included and not included & set(SMALL)
    smallest = min(NUMERATORS[S1][a] for a in included)
    with city.begin() as conn:  # the smallest included count is small now
        raised = stored_indicator(conn, S1).model_copy(
            update={"min_count": smallest + 1}
        )
        save_indicators(conn, [raised])

    shares = public_values(client, S1)
    newly_hidden = {a for a in included if shares[a] is None}
    assert newly_hidden
    for derived in ("mss.z_s1", "mss.status_index", "mss.status_class"):
        values = public_values(client, derived)
        assert all(v is None for v in values.values()), derived
