"""A small county for the map of data gaps (issue 12), every status in it.

County K (region) with five municipalities M1–M5 and, under M1, two blocks on the
internal block level. ``cases`` (a count, minimum count 3) and ``share`` (a share
with numerator and denominator) are public, ``sec`` is internal. Release ``r1``:

====================  =============================================  ==============
cell                  stored                                         public status
====================  =============================================  ==============
cases 2019 M          M1 kept secret by the source (``.``), no value  suppressed
cases 2020 M          M1 100 (p), M2 200, M3–M5 (see r2)             present, 1 p
cases 2021 M          M1 10, M2 20, M3 1 (small: hidden with one     partly
                      sibling at least), M4 40, M5 50
cases 2021 blocks     M1a 4, M1b 6                                   (internal)
cases region          nothing stored: computed from the towns        computed
share 2019 M          nothing (the draft ``r3`` has one)             missing
share 2020 M          all five                                       present
share 2021 M          M1, M2; r2 removes M2                          partly 1 of 3
sec 2021 M1           99                                             (internal)
====================  =============================================  ==============

``r2`` revises cases 2020 M1 to 110 without the provisional mark and M2 to 210
with it (so one value is provisional, M2's); ``r3`` stays a draft.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Connection

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    remove_observations,
    save_areas,
    save_indicators,
    set_level_visibility,
    store_observations,
)

Row = tuple[str, str, str, float | None, float | None, float | None, int]
"""indicator, area, period, value, numerator, denominator, flags"""

INTERNAL_INDICATOR_NAME = "Kinderschutzfälle Geheimtitel"
TOWNS = ("M1", "M2", "M3", "M4", "M5")
P = int(Flag.PROVISIONAL)
SECRET = int(Flag.SUPPRESSED)


def _share(area: str, period: str, num: float, den: float) -> Row:
    return ("share", area, period, num / den * 100, num, den, 0)


def _store(conn: Connection, name: str, rows: Iterable[Row]) -> None:
    release = draft_release(conn, name)
    frame = pd.DataFrame(
        [
            {
                "indicator_id": queries.indicator_id(conn, ind),
                "area_id": queries.area_id(conn, area),
                "period": period,
                "value": value,
                "numerator": num,
                "denominator": den,
                "flags": flags,
                "note": None,
            }
            for ind, area, period, value, num, den, flags in rows
        ]
    )
    store_observations(conn, release, frame)


def build_county(conn: Connection) -> None:
    save_indicators(
        conn,
        [
            Indicator(
                id="cases",
                name="Hilfefälle",
                unit="Fälle",
                kind="count",
                topic="Hilfe",
                min_count=3,
            ),
            Indicator(
                id="share",
                name="Anteil Hilfebeziehende",
                unit="%",
                topic="Arbeit",
                numerator="Hilfebeziehende",
                denominator="Einwohner",
            ),
            Indicator(
                id="sec",
                name=INTERNAL_INDICATOR_NAME,
                unit="Fälle",
                kind="count",
                topic="Hilfe",
                visibility=Visibility.INTERNAL,
            ),
        ],
    )
    areas = [Area(code="K", name="Kreis Musterland", level="region")]
    areas += [
        Area(code=m, name=f"Stadt {m}", level="municipality", parent="K") for m in TOWNS
    ]
    areas += [
        Area(code=b, name=f"Block {b}", level="block", parent="M1")
        for b in ("M1a", "M1b")
    ]
    save_areas(conn, areas)
    set_level_visibility(conn, "block", Visibility.INTERNAL)
    _store(
        conn,
        "r1",
        [
            ("cases", "M1", "2019", None, None, None, SECRET),
            ("cases", "M1", "2020", 100, None, None, P),
            ("cases", "M2", "2020", 200, None, None, 0),
            ("cases", "M3", "2020", 300, None, None, 0),
            ("cases", "M4", "2020", 400, None, None, 0),
            ("cases", "M5", "2020", 500, None, None, 0),
            ("cases", "M1", "2021", 10, None, None, 0),
            ("cases", "M2", "2021", 20, None, None, 0),
            ("cases", "M3", "2021", 1, None, None, 0),
            ("cases", "M4", "2021", 40, None, None, 0),
            ("cases", "M5", "2021", 50, None, None, 0),
            ("cases", "M1a", "2021", 4, None, None, 0),
            ("cases", "M1b", "2021", 6, None, None, 0),
            _share("M1", "2020", 1_000, 20_000),
            _share("M2", "2020", 2_000, 30_000),
            _share("M3", "2020", 3_000, 40_000),
            _share("M4", "2020", 4_000, 50_000),
            _share("M5", "2020", 5_000, 60_000),
            _share("M1", "2021", 1_100, 20_000),
            _share("M2", "2021", 2_100, 30_000),
            ("sec", "M1", "2021", 99, None, None, 0),
        ],
    )
    publish_release(conn, "r1")
    _store(
        conn,
        "r2",
        [
            ("cases", "M1", "2020", 110, None, None, 0),
            ("cases", "M2", "2020", 210, None, None, P),
        ],
    )
    release = draft_release(conn, "r2")
    remove_observations(
        conn,
        release,
        [(queries.indicator_id(conn, "share"), queries.area_id(conn, "M2"), "2021")],
    )
    publish_release(conn, "r2")
    _store(conn, "r3", [_share("M1", "2019", 1_000, 20_000)])


SECOND_TOWNS = ("N1", "N2")


def add_second_county(conn: Connection) -> None:
    """A second top area after :func:`build_county`: county L with two towns,
    ``cases`` 2022 for N1 only (release ``r4``, published): in L's matrix 1 of 2
    towns; K's matrix has no 2022."""
    areas = [Area(code="L", name="Landkreis Zweiland", level="region")]
    areas += [
        Area(code=n, name=f"Gemeinde {n}", level="municipality", parent="L")
        for n in SECOND_TOWNS
    ]
    save_areas(conn, areas)
    _store(conn, "r4", [("cases", "N1", "2022", 7, None, None, 0)])
    publish_release(conn, "r4")
