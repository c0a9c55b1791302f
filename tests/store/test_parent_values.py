"""Computed parent values: what the database sums equals the domain's rule.

A made-up hierarchy (numbers invented for the test, never shown as real): a region
with a stored value at one district, a town directly under the region beside its
districts, two releases where the second changes, removes, suppresses and flags
values. Every parent value the read gate computes must be the one
``domain.aggregation.aggregate`` gives from the children's values as read.
"""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.aggregation import aggregate
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store import parent_values, queries
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    remove_observations,
    save_areas,
    save_indicators,
    store_observations,
)

SHARE = Indicator(id="share", name="Anteil", unit="%")
COUNT = Indicator(id="count", name="Anzahl", unit="Personen", kind="count")
MEDIAN = Indicator(id="median", name="Median", unit="EUR", kind="median")
INDICATORS = {i.id: i for i in (SHARE, COUNT, MEDIAN)}
PERIODS = ("2020", "2021")

# code -> (level, parent)
AREAS = {
    "R": ("region", None),
    "R1": ("municipality", "R"),  # a district town with blocks of its own
    "R2": ("municipality", "R"),  # stored values of its own in 2020
    "R3": ("municipality", "R"),  # a town without children
    "R1,a": ("district", "R1"),  # a comma in a code: the sums must keep it whole
    "R1b": ("district", "R1"),
    "R1c": ("district", "R1"),
    "R2a": ("district", "R2"),
    "R2b": ("district", "R2"),
}
LEAVES = ("R1,a", "R1b", "R1c", "R2a", "R2b", "R3")


def _row(ids: dict[str, int], indicator: str, area: str, period: str, **values):  # type: ignore[no-untyped-def]
    return {
        "indicator_id": ids[indicator],
        "area_id": ids[area],
        "period": period,
        "value": values.get("value"),
        "numerator": values.get("numerator"),
        "denominator": values.get("denominator"),
        "flags": values.get("flags", 0),
        "note": None,
    }


@pytest.fixture
def hierarchy(engine: Engine) -> Engine:
    with engine.begin() as conn:
        save_indicators(conn, list(INDICATORS.values()))
        save_areas(
            conn,
            [
                Area(code=code, name=f"Gebiet {code}", level=level, parent=parent)
                for code, (level, parent) in AREAS.items()
            ],
        )
        ids = {c: queries.area_id(conn, c) for c in AREAS}
        ids |= {i: queries.indicator_id(conn, i) for i in INDICATORS}
        rows = []
        for n, area in enumerate(LEAVES):
            for period in PERIODS:
                num, den = 10 * (n + 1) + len(period), 1000 + 37 * n
                share = num / den * 100
                rows.append(
                    _row(
                        ids,
                        "share",
                        area,
                        period,
                        value=share,
                        numerator=num,
                        denominator=den,
                    )
                )
                rows.append(_row(ids, "count", area, period, value=float(den)))
                rows.append(_row(ids, "median", area, period, value=20_000.0 + n))
        # R2 has a value of its own in 2020 (it wins over its districts' sum)
        rows.append(
            _row(ids, "share", "R2", "2020", value=5.0, numerator=50, denominator=1000)
        )
        first = draft_release(conn, "first")
        store_observations(conn, first, pd.DataFrame(rows))
        publish_release(conn, "first")

        second = draft_release(conn, "second")
        changes = [
            # a new value, provisional
            _row(
                ids,
                "share",
                "R1,a",
                "2021",
                value=4.0,
                numerator=44,
                denominator=1100,
                flags=int(Flag.PROVISIONAL),
            ),
            # suppressed (a small count, kept but never shown): no longer counts
            _row(
                ids,
                "share",
                "R3",
                "2021",
                value=2.0,
                numerator=2,
                denominator=100,
                flags=int(Flag.SUPPRESSED),
            ),
            _row(ids, "count", "R1b", "2021", value=2.0, flags=int(Flag.SUPPRESSED)),
            # a share without its parts: shown, but not summed
            _row(ids, "share", "R2b", "2020", value=3.0),
        ]
        store_observations(conn, second, pd.DataFrame(changes))
        remove_observations(
            conn,
            second,
            [(ids["share"], ids["R1c"], "2021"), (ids["count"], ids["R2a"], "2020")],
        )
        publish_release(conn, "second")
    return engine


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
