"""A small database built in code: Region Hannover with three municipalities.

The numbers are made up for tests and never shown as real data.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)

REGION = "03241"
TOWNS = ("03241001", "03241002", "03241003")
FIRST_RELEASE = "2021-H2"

INDICATORS = (
    Indicator(
        id="unemployment_share",
        name="Arbeitslosenanteil",
        unit="%",
        topic="Arbeit",
        numerator="Arbeitslose",
        denominator="Erwerbsfähige",
        polarity="higher_is_worse",
    ),
    Indicator(id="population", name="Einwohner", unit="Personen", kind="count"),
    Indicator(
        id="internal_case_load",
        name="Fallzahl (intern)",
        unit="Fälle",
        kind="count",
        visibility="internal",
    ),
)

# (area, period) -> (numerator, denominator) for the share; population = denominator
COUNTS = {
    ("03241001", "2020"): (20_000, 300_000),
    ("03241002", "2020"): (1_000, 20_000),
    ("03241003", "2020"): (500, 25_000),
    ("03241001", "2021"): (21_000, 301_000),
    ("03241002", "2021"): (1_100, 20_100),
}


def make_demo_db(engine: Engine) -> None:
    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
        save_areas(
            conn,
            [Area(code=REGION, name="Region Hannover", level="region")]
            + [
                Area(
                    code=c,
                    name=f"Gemeinde {c[-3:]}",
                    level="municipality",
                    parent=REGION,
                )
                for c in TOWNS
            ],
        )
        release = draft_release(conn, FIRST_RELEASE)
        store_observations(conn, release, observations_frame(conn, COUNTS))
        publish_release(conn, FIRST_RELEASE)


def observations_frame(
    conn: Connection, counts: dict[tuple[str, str], tuple[int, int]]
) -> pd.DataFrame:
    """Rows for ``store_observations``: (area, period) -> (numerator, denominator)."""
    area_ids = {code: queries.area_id(conn, code) for code, _ in counts}
    share = queries.indicator_id(conn, "unemployment_share")
    population = queries.indicator_id(conn, "population")
    rows = []
    for (area, period), (num, den) in counts.items():
        rows.append(
            {
                "indicator_id": share,
                "area_id": area_ids[area],
                "period": period,
                "value": num / den * 100,
                "numerator": num,
                "denominator": den,
                "flags": 0,
                "note": None,
            }
        )
        rows.append(
            {
                "indicator_id": population,
                "area_id": area_ids[area],
                "period": period,
                "value": den,
                "numerator": None,
                "denominator": None,
                "flags": 0,
                "note": None,
            }
        )
    return pd.DataFrame(rows)
