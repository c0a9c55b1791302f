"""Issue 11, linkage through a stored change: a change indicator (MSS dynamics
``d1``: the change of a share between two dates, ``change_of`` + ``change_base``)
shown beside the share at one date gives the share at the other date away
(2018 = 2020 - change). So a change is hidden wherever the share is hidden at
either date — also when a later release changes the share's pattern."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.store import queries
from sozialmonitor.store.queries import ObservationQuery, read_observations
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)

TOWNS = ("T1", "T2", "T3", "T4")
SHARE = {  # (numerator, denominator) per period
    "2018": {"T1": (2, 400), "T2": (40, 500), "T3": (30, 300), "T4": (50, 800)},
    "2020": {"T1": (30, 410), "T2": (45, 520), "T3": (31, 290), "T4": (52, 790)},
}
INDICATORS = (
    Indicator(id="s1", name="Arbeitslosigkeit", unit="%"),
    Indicator(
        id="d1",
        name="Veränderung Arbeitslosigkeit",
        unit="Prozentpunkte",
        kind="index",
        change_of="s1",
        change_base="2018",
    ),
)


def share_rows(conn: Connection, period: str, cells: dict[str, tuple[int, int]]):  # type: ignore[no-untyped-def]
    indicator = queries.indicator_id(conn, "s1")
    return [
        {
            "indicator_id": indicator,
            "area_id": queries.area_id(conn, area),
            "period": period,
            "value": n / d * 100,
            "numerator": float(n),
            "denominator": float(d),
            "flags": 0,
            "note": None,
        }
        for area, (n, d) in cells.items()
    ]


def change_rows(conn: Connection):  # type: ignore[no-untyped-def]
    indicator = queries.indicator_id(conn, "d1")
    rows = []
    for area in TOWNS:
        (n0, d0), (n1, d1) = SHARE["2018"][area], SHARE["2020"][area]
        rows.append(
            {
                "indicator_id": indicator,
                "area_id": queries.area_id(conn, area),
                "period": "2020",
                "value": n1 / d1 * 100 - n0 / d0 * 100,
                "numerator": None,
                "denominator": None,
                "flags": 0,
                "note": None,
            }
        )
    return rows


def publish(engine: Engine, name: str, rows: list[dict[str, object]]) -> None:
    with engine.begin() as conn:
        release = draft_release(conn, name)
        store_observations(conn, release, pd.DataFrame(rows))
        publish_release(conn, name)


def public(engine: Engine, indicator: str, period: str) -> dict[str, float | None]:
    with engine.connect() as conn:
        query = ObservationQuery(
            indicators=[indicator], level="municipality", periods=[period]
        )
        return {
            o.area: o.value
            for o in read_observations(conn, query, audience=Audience.PUBLIC)
        }


def make(engine: Engine) -> None:
    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
        save_areas(
            conn,
            [Area(code="R0", name="Region", level="region")]
            + [
                Area(code=t, name=f"Ort {t}", level="municipality", parent="R0")
                for t in TOWNS
            ],
        )
    with engine.connect() as conn:
        rows = share_rows(conn, "2018", SHARE["2018"])
        rows += share_rows(conn, "2020", SHARE["2020"]) + change_rows(conn)
    publish(engine, "r1", rows)


def test_a_change_is_hidden_where_its_share_is_hidden_at_either_date_issue_11(
    engine: Engine,
) -> None:
    make(engine)
    base = public(engine, "s1", "2018")
    now = public(engine, "s1", "2020")
    change = public(engine, "d1", "2020")
    assert base["T1"] is None  # the small count, and a partner with it
    hidden_base = {a for a in TOWNS if base[a] is None}
    assert len(hidden_base) >= 2
    for area in TOWNS:
        if base[area] is None or now[area] is None:
            assert change[area] is None, area
        else:
            assert change[area] is not None, area
    # Shown, the change would give 2018 away: 2020 - change.
    assert now["T1"] is not None


def test_a_later_release_that_hides_more_of_the_share_hides_the_change(
    engine: Engine,
) -> None:
    make(engine)
    assert public(engine, "d1", "2020")["T3"] is not None or (
        public(engine, "s1", "2018")["T3"] is None
    )
    # r2 revises T3's 2020 count to a small one: hidden in 2020, and the change too.
    with engine.connect() as conn:
        rows = share_rows(conn, "2020", {"T3": (1, 290)})
    publish(engine, "r2", rows)
    assert public(engine, "s1", "2020")["T3"] is None
    assert public(engine, "d1", "2020")["T3"] is None
