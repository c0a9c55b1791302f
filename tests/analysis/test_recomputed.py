"""A series on today's areas, recomputed from the predecessors' counts through the
lineage and flagged as recomputed (issue 12)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Engine

from sozialmonitor.analysis.recomputed import series_on_today_areas
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import queries
from sozialmonitor.store.lineage import save_links
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)

RTOL = 1e-9
COUNT = Indicator(id="residents", name="Einwohner", unit="Personen", kind="count")
SHARE = Indicator(id="poor", name="Anteil arm", unit="%")
MEDIAN = Indicator(id="income", name="Einkommen", unit="EUR", kind="median")
CHANGE = dt.date(2021, 1, 1)
ENDED = dt.date(2020, 12, 31)
# residents and the poor among them, per old area and year
OLD = {"A": (1000.0, 100.0), "B": (3000.0, 600.0), "C": (2000.0, 200.0)}
NEW = {"M": (4100.0, 690.0), "S1": (1250.0, 120.0), "S2": (750.0, 90.0)}
# M = A + B merged; C split into S1 (60 % of its people) and S2 (40 %)


@pytest.fixture
def changed(engine: Engine) -> Engine:
    with engine.begin() as conn:
        save_indicators(conn, [COUNT, SHARE, MEDIAN])
        save_areas(
            conn,
            [Area(code=c, name=c, level="municipality", valid_to=ENDED) for c in OLD]
            + [
                Area(code=c, name=c, level="municipality", valid_from=CHANGE)
                for c in NEW
            ],
        )
        links = [
            AreaLink(
                predecessor="A", successor="M", kind=LineageKind.MERGED, valid_on=CHANGE
            ),
            AreaLink(
                predecessor="B", successor="M", kind=LineageKind.MERGED, valid_on=CHANGE
            ),
            AreaLink(
                predecessor="C",
                successor="S1",
                kind=LineageKind.SPLIT,
                valid_on=CHANGE,
                share=0.6,
                basis=ShareBasis.POPULATION,
            ),
            AreaLink(
                predecessor="C",
                successor="S2",
                kind=LineageKind.SPLIT,
                valid_on=CHANGE,
                share=0.4,
                basis=ShareBasis.POPULATION,
            ),
        ]
        save_links(conn, links)
        ids = {c: queries.area_id(conn, c) for c in (*OLD, *NEW)}
        ind = {i.id: queries.indicator_id(conn, i.id) for i in (COUNT, SHARE, MEDIAN)}
        rows = []
        for period, values in (("2019", OLD), ("2020", OLD), ("2021", NEW)):
            for code, (people, poor) in values.items():
                base = {"area_id": ids[code], "period": period, "flags": 0}
                rows += [
                    base | {"indicator_id": ind["residents"], "value": people},
                    base
                    | {
                        "indicator_id": ind["poor"],
                        "value": poor / people * 100,
                        "numerator": poor,
                        "denominator": people,
                    },
                    base | {"indicator_id": ind["income"], "value": 20_000.0},
                ]
        # B's residents of 2019 are suppressed: M's recomputed 2019 hides with them
        rows = [
            r | {"flags": int(Flag.SUPPRESSED)}
            if (r["area_id"], r["period"], r["indicator_id"])
            == (ids["B"], "2019", ind["residents"])
            else r
            for r in rows
        ]
        release = draft_release(conn, "r1")
        store_observations(conn, release, pd.DataFrame(rows).assign(note=None))
        publish_release(conn, "r1")
    return engine


def test_merged_area_sums_its_predecessors(changed: Engine) -> None:
    with changed.connect() as conn:
        series = {o.period: o for o in series_on_today_areas(conn, "poor", "M")}
    assert list(series) == ["2019", "2020", "2021"]
    old = series["2020"]
    assert old.flags & Flag.RECOMPUTED
    assert (old.numerator, old.denominator) == (700.0, 4000.0)
    assert old.value == pytest.approx(700 / 4000 * 100, rel=RTOL)
    assert old.note == "Recomputed on today's area from A (100.0%), B (100.0%)."
    assert not series["2021"].flags & Flag.RECOMPUTED
    assert series["2021"].value == pytest.approx(690 / 4100 * 100, rel=RTOL)


def test_split_area_takes_its_share(changed: Engine) -> None:
    with changed.connect() as conn:
        s1 = {o.period: o for o in series_on_today_areas(conn, "residents", "S1")}
        s2 = {o.period: o for o in series_on_today_areas(conn, "residents", "S2")}
    assert s1["2020"].value == pytest.approx(0.6 * 2000, rel=RTOL)
    assert s2["2020"].value == pytest.approx(0.4 * 2000, rel=RTOL)
    assert s1["2020"].flags & Flag.RECOMPUTED


def test_a_suppressed_predecessor_hides_the_recomputed_value(changed: Engine) -> None:
    with changed.connect() as conn:
        series = {o.period: o for o in series_on_today_areas(conn, "residents", "M")}
    hidden = series["2019"]
    assert hidden.value is None
    assert hidden.flags & Flag.SUPPRESSED and hidden.flags & Flag.RECOMPUTED
    assert series["2020"].value == 4000.0


def test_a_median_is_not_recomputed(changed: Engine) -> None:
    with changed.connect() as conn:
        series = series_on_today_areas(conn, "income", "M")
    assert [o.period for o in series] == ["2021"]


def test_an_old_area_keeps_its_series_as_it_was(changed: Engine) -> None:
    with changed.connect() as conn:
        series = series_on_today_areas(conn, "residents", "C")
    assert [(o.period, o.value, o.flags) for o in series] == [
        ("2019", 2000.0, 0),
        ("2020", 2000.0, 0),
    ]


def test_a_chain_of_changes_is_followed_back(changed: Engine) -> None:
    """M (from A and B, 2021) gets a new code M2 in 2022: M2's 2020 comes from A
    and B through M."""
    later = dt.date(2022, 1, 1)
    with changed.begin() as conn:
        save_areas(
            conn, [Area(code="M2", name="M2", level="municipality", valid_from=later)]
        )
        save_links(
            conn,
            [
                AreaLink(
                    predecessor="M",
                    successor="M2",
                    kind=LineageKind.RECODED,
                    valid_on=later,
                )
            ],
        )
    with changed.connect() as conn:
        series = {o.period: o for o in series_on_today_areas(conn, "residents", "M2")}
    assert series["2020"].value == 4000.0
    assert series["2021"].value == 4100.0
    assert all(o.flags & Flag.RECOMPUTED for o in series.values())
