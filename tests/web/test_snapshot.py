"""The catalogue snapshot: scopes (which levels and periods exist where), caching."""

from __future__ import annotations

from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.store import queries
from sozialmonitor.store.writes import save_areas
from sozialmonitor.web.snapshot import snapshot
from tests.fixtures import FIRST_RELEASE, REGION, TOWNS


def test_scopes_name_stored_and_computed_levels(small_engine: Engine) -> None:
    snap = snapshot(small_engine)
    (scope,) = snap.scopes_for(snap.indicator("unemployment_share"))
    assert scope.root.code == REGION
    # stored for the municipalities, computed for the region from their parts
    assert scope.periods_by_level == {
        "region": ("2020", "2021"),
        "municipality": ("2020", "2021"),
    }
    assert scope.latest == "2021"
    assert snap.release is not None and snap.release.name == FIRST_RELEASE


def test_internal_indicators_are_not_in_the_snapshot(small_engine: Engine) -> None:
    snap = snapshot(small_engine)
    assert "internal_case_load" not in snap.indicator_by_id
    assert all(c.indicator != "internal_case_load" for c in snap.coverage)


def test_areas_are_grouped_by_their_top_area(small_engine: Engine) -> None:
    snap = snapshot(small_engine)
    assert [a.code for a in snap.areas_in(REGION, "municipality")] == list(TOWNS)
    assert snap.top_area(TOWNS[0]).code == REGION
    assert [a.code for a in snap.ancestors(TOWNS[0])] == [REGION]


def test_a_new_area_makes_a_new_snapshot(small_engine: Engine) -> None:
    first = snapshot(small_engine)
    assert snapshot(small_engine) is first
    with small_engine.begin() as conn:
        save_areas(
            conn,
            [Area(code="03241004", name="Neu", level="municipality", parent=REGION)],
        )
    second = snapshot(small_engine)
    assert second is not first
    assert "03241004" in second.areas


def test_coverage_counts_areas_and_parts(small_engine: Engine) -> None:
    with small_engine.connect() as conn:
        found = {(c.indicator, c.level): c for c in queries.read_coverage(conn)}
    share = found[("unemployment_share", "municipality")]
    assert share.under == REGION
    assert share.periods == ("2020", "2021")
    assert share.areas == 3
    assert share.parts
    assert not found[("population", "municipality")].parts
