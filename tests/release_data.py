"""A draft with known changes against the small database (``tests/fixtures.py``),
for the release review in the store, the administration's pages and the browser.

Published first (``BASE``): the case load of 03241001/2020 = 2 and
03241002/2020 = 10 (the internal count indicator, min_count 3). The draft
(``DRAFT``) then changes, against the published state:

============================  =====================  =========================
value                         change                 large jump?
============================  =====================  =========================
population 03241001/2021      301,000 → 302,000      no (0.3 %)
population 03241002/2021      20,100 → 40,000        yes (+99 %, ≥ min_count)
case load 03241001/2020       2 → 4                  no (+100 %, but 2 < 3)
case load 03241002/2020       10 → 20                yes (+100 %, 10 ≥ 3)
share 03241002/2020           5 % → 15 %             yes (+200 %, 10 points)
share 03241001/2021           6.98 % → 9.97 %        no (+43 %)
share 03241003/2021           (none) → 4 %           new
population 03241003/2020      25,000 → removed       removed
============================  =====================  =========================
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection, Engine

from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    remove_observations,
    store_observations,
)

BASE = "2022-basis"
DRAFT = "2022-entwurf"
NEW_POPULATION_002 = 40_000.0
EXPECTED = {
    # indicator: (new, changed, removed, jumps)
    "internal_case_load": (0, 2, 0, 1),
    "population": (0, 2, 1, 1),
    "unemployment_share": (1, 2, 0, 1),
}
JUMPS = {
    ("internal_case_load", "03241002", "2020"),
    ("population", "03241002", "2021"),
    ("unemployment_share", "03241002", "2020"),
}

Row = tuple[str, str, str, float | None, float | None, float | None]
"""indicator, area, period, value, numerator, denominator"""


def frame(conn: Connection, rows: Iterable[Row]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "indicator_id": queries.indicator_id(conn, ind),
                "area_id": queries.area_id(conn, area),
                "period": period,
                "value": value,
                "numerator": num,
                "denominator": den,
                "flags": 0,
                "note": None,
            }
            for ind, area, period, value, num, den in rows
        ]
    )


def share(area: str, period: str, num: float, den: float) -> Row:
    return ("unemployment_share", area, period, num / den * 100, num, den)


def make_draft(engine: Engine) -> None:
    """Publish ``BASE`` and store the draft ``DRAFT`` (see the module's table)."""
    with engine.begin() as conn:
        base = draft_release(conn, BASE)
        store_observations(
            conn,
            base,
            frame(
                conn,
                [
                    ("internal_case_load", "03241001", "2020", 2, None, None),
                    ("internal_case_load", "03241002", "2020", 10, None, None),
                ],
            ),
        )
        publish_release(conn, BASE)
    with engine.begin() as conn:
        draft = draft_release(conn, DRAFT)
        store_observations(
            conn,
            draft,
            frame(
                conn,
                [
                    ("population", "03241001", "2021", 302_000, None, None),
                    ("population", "03241002", "2021", NEW_POPULATION_002, None, None),
                    ("internal_case_load", "03241001", "2020", 4, None, None),
                    ("internal_case_load", "03241002", "2020", 20, None, None),
                    share("03241002", "2020", 3_000, 20_000),
                    share("03241001", "2021", 30_000, 301_000),
                    share("03241003", "2021", 1_000, 25_000),
                ],
            ),
        )
        remove_observations(
            conn,
            draft,
            [
                (
                    queries.indicator_id(conn, "population"),
                    queries.area_id(conn, "03241003"),
                    "2020",
                )
            ],
        )


def add_bad_share(engine: Engine) -> None:
    """Put a share whose numerator exceeds its denominator into the draft."""
    with engine.begin() as conn:
        draft = draft_release(conn, DRAFT)
        bad = frame(conn, [("unemployment_share", "03241003", "2020", 120, 30, 25)])
        bad["flags"] = int(Flag(0))
        store_observations(conn, draft, bad)
