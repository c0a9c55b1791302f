"""A reader with an area scope knows the true values of their area: a small count
elsewhere must keep its room also with that knowledge (issue 11: nothing internal
reaches a reader outside the area scope). The attacker here is such a reader: the
public values plus the true values of their scope, solved as a linear programme."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sozialmonitor.access.roles import Role
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.observation import Observation
from sozialmonitor.store.queries import ObservationQuery, read_observations
from tests.access.accounts_data import add_account
from tests.access.attacker import hidden_ranges
from tests.store.disclosure_data import (
    CASES,
    MIN,
    REGION,
    SHARE,
    TOWNS,
    make_small_counts_db,
)

TRUE = {"cases": CASES, "share": {a: n for a, (n, _d) in SHARE.items()}}
"""The counts the disclosure control protects, per indicator."""


def read(
    engine: Engine, indicator: str, audience: Audience = Audience.PUBLIC
) -> dict[str, Observation]:
    found = {}
    with engine.connect() as conn:
        for level in ("region", "municipality"):
            query = ObservationQuery(indicators=[indicator], level=level)
            for obs in read_observations(conn, query, audience=audience):
                found[obs.area] = obs
    return found


def shown_counts(
    indicator: str, values: dict[str, Observation]
) -> dict[str, float | None]:
    return {
        area: obs.value if indicator == "cases" else obs.numerator
        for area, obs in values.items()
    }


def narrowest(states: list[dict[str, float | None]]) -> float:
    """The narrowest feasible range of a cell hidden from the attacker."""
    ranges = hidden_ranges(states, {REGION: list(TOWNS)})
    return min((high - low for low, high in ranges.values()), default=float("inf"))


@pytest.mark.parametrize("indicator", ["cases", "share"])
def test_a_reader_scoped_to_the_protecting_town_cannot_compute_the_small_count(
    engine: Engine, indicator: str
) -> None:
    make_small_counts_db(engine)
    public = shown_counts(indicator, read(engine, indicator))
    partner = next(a for a, v in public.items() if v is None and a != "T1")
    insider = {**public, partner: TRUE[indicator][partner]}
    assert narrowest([insider]) < MIN  # the pattern for the public alone gives T1 away

    add_account(engine, "stadt", Role.READER, area=partner)

    public = shown_counts(indicator, read(engine, indicator))
    assert public["T1"] is None
    assert narrowest([public]) >= MIN
    insider = {**public, partner: TRUE[indicator][partner]}
    assert narrowest([insider]) >= MIN
    # The scoped reader's own view: their town true, the rest as the public sees it.
    scoped = shown_counts(indicator, read(engine, indicator, Audience.within(partner)))
    assert scoped[partner] == TRUE[indicator][partner]
    assert narrowest([scoped]) >= MIN


def test_a_scope_that_holds_no_hidden_cell_changes_nothing(engine: Engine) -> None:
    make_small_counts_db(engine)
    before = shown_counts("cases", read(engine, "cases"))
    shown_town = next(a for a in TOWNS if before[a] is not None and a != "T1")

    add_account(engine, "stadt", Role.READER, area=shown_town)

    assert shown_counts("cases", read(engine, "cases")) == before


@pytest.mark.parametrize("new_scope", ["T3", None])
def test_a_scope_taken_away_stays_insider_knowledge(
    engine: Engine, new_scope: str | None
) -> None:
    """The staff of a scope taken away (``set_area`` to another area, or to every
    area) know its true values still: a release published afterwards, whose
    pattern is computed anew, keeps protecting against them."""
    from sozialmonitor.access import accounts
    from tests.store.disclosure_data import publish, rows

    make_small_counts_db(engine)
    public = shown_counts("cases", read(engine, "cases"))
    partner = next(a for a, v in public.items() if v is None and a != "T1")
    add_account(engine, "stadt", Role.READER, area=partner)
    add_account(engine, "kreis", Role.READER, area="T3")  # T3: no job needed
    with engine.begin() as conn:
        accounts.set_area(conn, "stadt", new_scope)

    corrected = {"T2": CASES["T2"] + 1}  # r2 corrects one town: a new pattern
    publish(engine, "r2", lambda conn: rows(conn, corrected, {}))

    public = shown_counts("cases", read(engine, "cases"))
    assert public["T1"] is None
    former = {**public, partner: CASES[partner]}
    assert narrowest([former]) >= MIN
