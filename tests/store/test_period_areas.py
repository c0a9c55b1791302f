"""Reads of a period use the areas valid then (issue 12): after a boundary change a
parent has the old and the new areas as children; a period's computed value adds
up only those valid at the period's end."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine

from sozialmonitor.analysis.index_definition import parse_definition
from sozialmonitor.analysis.index_inputs import read_inputs
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.store import parent_values, queries
from sozialmonitor.store.queries import ObservationQuery, list_areas, read_observations
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)

COUNT = Indicator(id="residents", name="Einwohner", unit="Personen", kind="count")
SHARE = Indicator(id="share", name="Anteil", unit="%")
ENDED, BEGUN = dt.date(2020, 12, 31), dt.date(2021, 1, 1)
OLD = {"P01": 100.0, "P02": 300.0}
NEW = {"P11": 150.0, "P12": 150.0, "P13": 120.0}
STRAY = 999.0
"""A value of the old P01 for 2021, after it ended: a data error that must not count."""


@pytest.fixture
def vintages(engine: Engine) -> Engine:
    with engine.begin() as conn:
        save_indicators(conn, [COUNT, SHARE])
        areas = [Area(code="D", name="Bezirk", level="district")]
        areas += [
            Area(code=c, name=c, level="planning_area", parent="D", valid_to=ENDED)
            for c in OLD
        ]
        areas += [
            Area(code=c, name=c, level="planning_area", parent="D", valid_from=BEGUN)
            for c in NEW
        ]
        save_areas(conn, areas)
        ids = {a.code: queries.area_id(conn, a.code) for a in areas}
        count, share = (queries.indicator_id(conn, i.id) for i in (COUNT, SHARE))
        rows = []
        for period, values in (("2020", OLD), ("2021", NEW), ("2021", {"P01": STRAY})):
            for code, value in values.items():
                base = {"area_id": ids[code], "period": period, "flags": 0}
                rows.append(base | {"indicator_id": count, "value": value})
                rows.append(
                    base
                    | {
                        "indicator_id": share,
                        "value": 10.0,
                        "numerator": value / 10,
                        "denominator": value,
                    }
                )
        release = draft_release(conn, "r1")
        frame = pd.DataFrame(rows).assign(note=None)
        store_observations(conn, release, frame)
        publish_release(conn, "r1")
    return engine


@pytest.fixture(params=["by id", "by parent"])
def leaf_query(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "by parent":
        monkeypatch.setattr(parent_values, "FEW_LEAVES", 0)
    return str(request.param)


@pytest.mark.usefixtures("leaf_query")
def test_parent_sums_the_children_valid_in_each_period(vintages: Engine) -> None:
    with vintages.connect() as conn:
        found = {
            (o.indicator, o.period): o
            for o in read_observations(conn, ObservationQuery(areas=["D"]))
        }
    old, new = found[("residents", "2020")], found[("residents", "2021")]
    assert old.value == sum(OLD.values())
    assert new.value == sum(NEW.values())  # not the stray value of P01
    assert (old.missing_children, new.missing_children) == ((), ())
    assert old.note == "Computed from all 2 child areas."
    assert new.note == "Computed from all 3 child areas."
    assert found[("share", "2021")].denominator == sum(NEW.values())


def test_listing_the_areas_valid_on_a_day(vintages: Engine) -> None:
    with vintages.connect() as conn:
        then = list_areas(conn, level="planning_area", valid_on=ENDED)
        now = list_areas(conn, level="planning_area", valid_on=BEGUN)
        every = list_areas(conn, level="planning_area")
    assert [a.code for a in then] == list(OLD)
    assert [a.code for a in now] == list(NEW)
    assert len(every) == len(OLD) + len(NEW)


@pytest.mark.parametrize(("period", "areas"), [("2020", OLD), ("2021", NEW)])
def test_an_index_of_a_period_indexes_the_areas_valid_then(
    vintages: Engine, period: str, areas: dict[str, float]
) -> None:
    definition = parse_definition(
        "\n".join(
            [
                "id: tiny",
                "name: Tiny",
                "level: planning_area",
                "population: residents",
                f"period: '{period}'",
                "status:",
                "  name: Status-Index",
                "  indicators: [{key: a, label: A, indicator: share}]",
                "  classes: [{code: 1, label: hoch, below: -1}, {code: 2, label: x}]",
            ]
        )
    )
    with vintages.connect() as conn:
        inputs = read_inputs(conn, definition)
    assert list(inputs.values.index) == list(areas)
    assert inputs.values["a"].notna().all()
