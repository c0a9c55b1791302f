"""A small region whose municipalities changed on 1 January 2021 (issue 12), built in
code for the web and browser tests of series across a boundary change.

Until 31.12.2020: Altdorf (A), Bergheim (B) and Christtal (C). Since 01.01.2021:
Mittelstadt (M) = Altdorf + Bergheim (merger, no shares: each moved whole), and
Christtal split into Südhausen (S1, 60 % of its inhabitants) and Seefeld (S2, 40 %).
Values of the old areas for 2019 and 2020, of the new ones for 2021 and 2022.

Bergheim's poor of 2019 are 2 (below the share's ``min_count`` of 3): the release's
disclosure pattern hides that cell from the public, so Mittelstadt's recomputed 2019
value is hidden from the public too, while the administration sees it.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.lineage import AreaLink, LineageKind, ShareBasis
from sozialmonitor.store import queries
from sozialmonitor.store.lineage import save_links
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)

REGION = "09999"
CHANGE = dt.date(2021, 1, 1)
ENDED = dt.date(2020, 12, 31)
SHARE = Indicator(
    id="poor_share",
    name="Anteil Armutsgefährdeter",
    unit="%",
    topic="Mindestsicherung",
    decimals=1,
)
COUNT = Indicator(
    id="residents",
    name="Einwohner",
    unit="Personen",
    kind="count",
    topic="Bevölkerung",
    decimals=0,
)
NAMES = {
    "A": "Altdorf",
    "B": "Bergheim",
    "C": "Christtal",
    "M": "Mittelstadt",
    "S1": "Südhausen",
    "S2": "Seefeld",
}
CODES = {key: f"0999900{n}" for n, key in enumerate(NAMES, start=1)}
"""Key → area code (A = 099990001 …)."""
OLD = ("A", "B", "C")
NEW = ("M", "S1", "S2")
SPLIT_SHARES = {"S1": 0.6, "S2": 0.4}
# (residents, poor) per area and year
VALUES: dict[str, dict[str, tuple[float, float]]] = {
    "2019": {"A": (1000, 100), "B": (3000, 2), "C": (2000, 200)},
    "2020": {"A": (1000, 110), "B": (3000, 600), "C": (2000, 250)},
    "2021": {"M": (4100, 690), "S1": (1250, 120), "S2": (750, 90)},
    "2022": {"M": (4200, 700), "S1": (1260, 126), "S2": (760, 95)},
}
BOXES = {
    "A": (0.0, 0.0, 1.0, 1.0),
    "B": (1.0, 0.0, 2.0, 1.0),
    "C": (0.0, 1.0, 2.0, 2.0),
    "M": (0.0, 0.0, 2.0, 1.0),
    "S1": (0.0, 1.0, 1.2, 2.0),
    "S2": (1.2, 1.0, 2.0, 2.0),
}
"""Each area's rectangle (lon from, lat from, lon to, lat to), near 9° E 52° N."""


def _box(key: str) -> str:
    x0, y0, x1, y1 = BOXES[key]
    ring = [
        [9 + x0 / 10, 52 + y0 / 10],
        [9 + x1 / 10, 52 + y0 / 10],
        [9 + x1 / 10, 52 + y1 / 10],
        [9 + x0 / 10, 52 + y1 / 10],
        [9 + x0 / 10, 52 + y0 / 10],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def make_boundary_change_db(engine: Engine) -> None:
    """Areas, lineage, indicators and one published release into an initialised,
    empty database."""
    with engine.begin() as conn:
        save_indicators(conn, [SHARE, COUNT])
        save_areas(
            conn,
            [
                Area(
                    code=REGION,
                    name="Landkreis Wandel",
                    level="region",
                    geometry=json.dumps(
                        {
                            "type": "Polygon",
                            "coordinates": [
                                [[9, 52], [9.2, 52], [9.2, 52.2], [9, 52.2], [9, 52]]
                            ],
                        }
                    ),
                )
            ]
            + [
                Area(
                    code=CODES[key],
                    name=NAMES[key],
                    level="municipality",
                    parent=REGION,
                    valid_from=CHANGE if key in NEW else None,
                    valid_to=ENDED if key in OLD else None,
                    successor=CODES["M"] if key in ("A", "B") else None,
                    geometry=_box(key),
                )
                for key in NAMES
            ],
        )
        save_links(
            conn,
            [
                AreaLink(
                    predecessor=CODES[old],
                    successor=CODES["M"],
                    kind=LineageKind.MERGED,
                    valid_on=CHANGE,
                )
                for old in ("A", "B")
            ]
            + [
                AreaLink(
                    predecessor=CODES["C"],
                    successor=CODES[new],
                    kind=LineageKind.SPLIT,
                    valid_on=CHANGE,
                    share=share,
                    basis=ShareBasis.POPULATION,
                )
                for new, share in SPLIT_SHARES.items()
            ],
        )
        ids = {key: queries.area_id(conn, code) for key, code in CODES.items()}
        share_id = queries.indicator_id(conn, SHARE.id)
        count_id = queries.indicator_id(conn, COUNT.id)
        rows = []
        for period, values in VALUES.items():
            for key, (people, poor) in values.items():
                base = {"area_id": ids[key], "period": period, "flags": 0}
                rows += [
                    base | {"indicator_id": count_id, "value": people},
                    base
                    | {
                        "indicator_id": share_id,
                        "value": poor / people * 100,
                        "numerator": poor,
                        "denominator": people,
                    },
                ]
        release = draft_release(conn, "2022")
        store_observations(conn, release, pd.DataFrame(rows).assign(note=None))
        publish_release(conn, "2022")


def recomputed(key: str, period: str) -> tuple[float, float]:
    """A new area's (residents, poor) of an old period, as the lineage gives them."""
    merged = [(1.0, "A"), (1.0, "B")]
    parts = merged if key == "M" else [(SPLIT_SHARES[key], "C")]
    values = VALUES[period]
    return (
        sum(share * values[old][0] for share, old in parts),
        sum(share * values[old][1] for share, old in parts),
    )
