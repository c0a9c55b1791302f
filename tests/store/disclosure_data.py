"""A region of four towns with small counts, for the disclosure-control tests.

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

REGION = "R0"
TOWNS = ("T1", "T2", "T3", "T4")
MIN = 3
CASES = {"T1": 2, "T2": 40, "T3": 0, "T4": 25}
"""Release 1: T1 is below the minimum; the region (computed) is 67."""
SHARE = {"T1": (1, 50), "T2": (30, 400), "T3": (10, 100), "T4": (5, 80)}
"""Release 1: (numerator, denominator); T1's numerator is below the minimum."""

INDICATORS = (
    Indicator(id="cases", name="Fälle", unit="Fälle", kind="count", min_count=MIN),
    Indicator(
        id="share",
        name="Anteil",
        unit="%",
        numerator="Personen mit Merkmal",
        denominator="Einwohner",
        min_count=MIN,
    ),
)


def rows(
    conn: Connection,
    cases: dict[str, float],
    share: dict[str, tuple[float, float]],
    period: str = "2021",
    flags: dict[str, int] | None = None,
) -> pd.DataFrame:
    ids = {code: queries.area_id(conn, code) for code in (REGION, *TOWNS)}
    count_id = queries.indicator_id(conn, "cases")
    share_id = queries.indicator_id(conn, "share")
    found = []
    for area, value in cases.items():
        found.append(
            {
                "indicator_id": count_id,
                "area_id": ids[area],
                "period": period,
                "value": value,
                "numerator": None,
                "denominator": None,
                "flags": (flags or {}).get(area, 0),
                "note": None,
            }
        )
    for area, (num, den) in share.items():
        found.append(
            {
                "indicator_id": share_id,
                "area_id": ids[area],
                "period": period,
                "value": num / den * 100,
                "numerator": num,
                "denominator": den,
                "flags": (flags or {}).get(area, 0),
                "note": None,
            }
        )
    return pd.DataFrame(found)


def make_small_counts_db(engine: Engine) -> None:
    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
        save_areas(
            conn,
            [Area(code=REGION, name="Region", level="region")]
            + [
                Area(code=t, name=f"Ort {t}", level="municipality", parent=REGION)
                for t in TOWNS
            ],
        )
        release = draft_release(conn, "r1")
        store_observations(conn, release, rows(conn, CASES, SHARE))
        publish_release(conn, "r1")


def publish(engine: Engine, name: str, frame_of) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        release = draft_release(conn, name)
        store_observations(conn, release, frame_of(conn))
        publish_release(conn, name)
