"""A small made-up database whose release digest is known (issue 14).

Twelve municipalities of a "Musterkreis" on a grid of 4 × 3 squares (``town(n)``
is ``09999001`` … ``09999012``; ``n`` counts from 0, column ``n % 4``, row
``n // 4``). Release ``2022`` holds 2015–2021, release ``2023`` brings 2022 and
revises one value of 2021:

========================  =============================================  ==========
indicator, area           values                                         statement
========================  =============================================  ==========
sgb2 town(0)              10 % … 16 % (2015–2021, rising), 5 % in 2022    trend
                                                                         reversal,
                                                                         change,
                                                                         outlier
sgb2 town(1)              2021: 10 % in 2022, 12 % in 2023 (revised)      revision
sgb2 town(2)              10 % → 20 %                                     change,
                                                                         outlier
sgb2 town(3)              10 % → 10,5 %                                   none
sgb2 town(4)              10 % → 60 %                                     change,
                                                                         outlier
secret (internal)         town(2): 10 % → 30 %                            internal
                                                                         only
cases (min_count 3)       town(6): 100 → 2 (suppressed for the public)    internal
                                                                         outlier
hot (a mean)              high in columns 2–3 of rows 0–1 in 2021, in     new hot
                          columns 0–1 in 2022                             spot
========================  =============================================  ==========

The numbers are invented for tests and never shown as real data.
"""

from __future__ import annotations

import json
from collections.abc import Callable

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

OLD = "2022"
NEW = "2023"
DENOMINATOR = 1000.0
YEARS = tuple(str(y) for y in range(2015, 2022))
HOT_2021 = {2, 3, 6, 7}
HOT_2022 = {0, 1, 4, 5}


def town(n: int) -> str:
    return f"09999{n + 1:03d}"


def _square(n: int) -> str:
    x, y = 9.0 + (n % 4) * 0.01, 52.0 + (n // 4) * 0.01
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


INDICATORS = (
    Indicator(
        id="sgb2",
        name="SGB-II-Quote",
        unit="%",
        kind="share",
        polarity="higher_is_worse",
        name_en="SGB II rate",
    ),
    Indicator(id="secret", name="Geheimer Anteil", unit="%", visibility="internal"),
    Indicator(id="cases", name="Fälle", unit="Fälle", kind="count", min_count=3),
    Indicator(id="hot", name="Belastungswert", unit="Punkte", kind="mean", decimals=0),
)

Row = tuple[str, str, str, float, float | None]
"""indicator, area, period, value (numerator for shares), denominator"""


def _old_rows() -> list[Row]:
    rows: list[Row] = []
    for n in range(12):
        for i, year in enumerate(YEARS):
            num = 100.0 + 10 * i if n == 0 else 100.0
            rows.append(("sgb2", town(n), year, num, DENOMINATOR))
        rows.append(("secret", town(n), "2021", 100.0, DENOMINATOR))
        rows.append(("cases", town(n), "2021", 100.0, None))
        rows.append(("hot", town(n), "2021", 50.0 if n in HOT_2021 else 10.0, None))
    return rows


NEW_SGB2 = {0: 50.0, 1: 121.0, 2: 200.0, 3: 105.0, 4: 600.0}
"""Numerators of 2022 (the other towns: 100 + n)."""


def _new_rows() -> list[Row]:
    rows: list[Row] = [("sgb2", town(1), "2021", 120.0, DENOMINATOR)]  # revised
    for n in range(12):
        rows.append(("sgb2", town(n), "2022", NEW_SGB2.get(n, 100.0 + n), DENOMINATOR))
        secret = 300.0 if n == 2 else 100.0
        rows.append(("secret", town(n), "2022", secret, DENOMINATOR))
        rows.append(("cases", town(n), "2022", 2.0 if n == 6 else 100.0 + n, None))
        rows.append(("hot", town(n), "2022", 50.0 if n in HOT_2022 else 10.0, None))
    return rows


def _frame(conn: Connection, rows: list[Row]) -> pd.DataFrame:
    records = []
    for ind, area, period, value, den in rows:
        share = den is not None
        records.append(
            {
                "indicator_id": queries.indicator_id(conn, ind),
                "area_id": queries.area_id(conn, area),
                "period": period,
                "value": value / den * 100 if share and den else value,
                "numerator": value if share else None,
                "denominator": den,
                "flags": 0,
                "note": None,
            }
        )
    return pd.DataFrame(records)


def make_digest_db(
    engine: Engine, publish: Callable[[Connection, str], object] = publish_release
) -> None:
    """Both releases published (see the module's table), with ``publish``."""
    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
        save_areas(
            conn,
            [Area(code="09999", name="Musterkreis", level="region")]
            + [
                Area(
                    code=town(n),
                    name=f"Musterdorf {n:02d}",
                    level="municipality",
                    parent="09999",
                    geometry=_square(n),
                )
                for n in range(12)
            ],
        )
        store_observations(conn, draft_release(conn, OLD), _frame(conn, _old_rows()))
        publish(conn, OLD)
    with engine.begin() as conn:
        store_observations(conn, draft_release(conn, NEW), _frame(conn, _new_rows()))
        publish(conn, NEW)
