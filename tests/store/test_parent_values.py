"""Computed parent values: what the database sums equals the domain's rule.

On the made-up hierarchy of ``tests.store.hierarchy`` (two releases, the second
changes, removes, suppresses and flags values), every parent value the read gate
computes must be the one ``domain.aggregation.aggregate`` gives from the children's
values as read.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.aggregation import aggregate
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store import parent_values
from sozialmonitor.store.queries import ObservationQuery, read_observations
from tests.store.hierarchy import AREAS, INDICATORS, PERIODS, build_hierarchy


@pytest.fixture
def hierarchy(engine: Engine) -> Engine:
    return build_hierarchy(engine)


def _expected(
    stored: dict[tuple[str, str, str], Observation],
    area: str,
    indicator: str,
    period: str,
) -> Observation | None:
    """The parent value by the domain's rule, children first (stored wins)."""
    key = (indicator, area, period)
    if key in stored:
        return stored[key]
    children = sorted(c for c, (_, parent) in AREAS.items() if parent == area)
    if not children:
        return None
    values = [
        v
        for c in children
        if (v := _expected(stored, c, indicator, period)) is not None
    ]
    return aggregate(INDICATORS[indicator], area, period, children, values)


def _close(a: float | None, b: float | None) -> bool:
    return a is b is None or (
        a is not None and b is not None and a == pytest.approx(b, rel=1e-12)
    )


@pytest.fixture(params=["by id", "by parent"])
def leaf_query(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways the database finds the children it sums: few by id, many by parent."""
    if request.param == "by parent":
        monkeypatch.setattr(parent_values, "FEW_LEAVES", 0)
    return str(request.param)


@pytest.mark.parametrize("as_of", ["first", "second"])
@pytest.mark.usefixtures("leaf_query")
def test_computed_parent_values_follow_the_domain_rule(
    hierarchy: Engine, as_of: str
) -> None:
    with hierarchy.connect() as conn:
        stored = {
            o.key: o
            for o in read_observations(
                conn, ObservationQuery(as_of=as_of, computed=False)
            )
        }
        read = {
            o.key: o
            for o in read_observations(
                conn, ObservationQuery(areas=["R", "R1", "R2"], as_of=as_of)
            )
        }
    expected = {
        (i, a, p): e
        for i in INDICATORS
        for a in ("R", "R1", "R2")
        for p in PERIODS
        if (e := _expected(stored, a, i, p)) is not None
    }
    assert read.keys() == expected.keys()
    for key, want in expected.items():
        got = read[key]
        for field in ("value", "numerator", "denominator"):
            assert _close(getattr(got, field), getattr(want, field)), (key, field)
        assert int(got.flags) == int(want.flags), key
        assert got.missing_children == want.missing_children, key
        assert got.note == want.note, key


@pytest.mark.usefixtures("leaf_query")
def test_the_second_release_changes_what_the_parents_add_up(hierarchy: Engine) -> None:
    with hierarchy.connect() as conn:
        values = {
            o.key: o
            for o in read_observations(
                conn, ObservationQuery(areas=["R", "R1"], periods=["2021"])
            )
        }
    r1 = values[("share", "R1", "2021")]
    # R1c's share was removed: R1 is R1,a (new, provisional) and R1b
    assert r1.missing_children == ("R1c",)
    assert r1.numerator == 44 + (10 * 2 + 4)
    assert r1.flags & Flag.PROVISIONAL and r1.flags & Flag.COMPUTED
    region = values[("share", "R", "2021")]
    assert region.missing_children == ("R3",)  # suppressed in the second release
    assert region.flags & Flag.PROVISIONAL  # carried on from R1,a through R1
    assert ("median", "R", "2021") not in values  # a median is never summed
    count_r1 = values[("count", "R1", "2021")]
    assert count_r1.missing_children == ("R1b",)
