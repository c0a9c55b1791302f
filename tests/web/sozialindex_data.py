"""Small indices built by the web tests themselves (issue 13): their definitions,
their input values and the functions that store and publish them with their
computed results. The fixtures that use them are in ``conftest.py``.

- ``muster`` (:data:`SMALL_DEFINITION`): twelve planning areas of a "Musterstadt",
  two status indicators and one stored change on 31.12.2018 and 31.12.2020, three
  status and three dynamics classes, declared colours; no English texts.
- ``viele`` (:data:`MANY_DEFINITION`): any number of planning areas of a made-up
  city, named out of code order, one status indicator, every status class a focus
  class.
"""

from __future__ import annotations

import json

import pandas as pd
from sqlalchemy import Connection, Engine

from sozialmonitor.analysis.index_definition import parse_definition
from sozialmonitor.analysis.index_derived import compute_and_store
from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)

SMALL_PERIODS = ("2018-12-31", "2020-12-31")
SMALL_AREAS = [f"M{n:02d}" for n in range(1, 13)]
SMALL_DEFINITION = parse_definition(
    """
id: muster
name: Musterindex
description: Ein kleiner Index für Tests.
level: planning_area
period: 2020-12-31
population: null
status:
  name: Status-Index
  indicators:
    - {key: a, label: A Arbeitslosigkeit, indicator: share_a}
    - {key: b, label: B Transferbezug, indicator: share_b}
  classes:
    - {code: 1, label: hoch, below: -0.5}
    - {code: 2, label: mittel, up_to: 0.5}
    - {code: 3, label: niedrig}
dynamics:
  name: Dynamik-Index
  indicators:
    - {key: d, label: D Veränderung, indicator: change_d}
  classes:
    - {code: 1, label: positiv, symbol: "+", below: -0.5}
    - {code: 3, label: stabil, symbol: "+/-", up_to: 0.5}
    - {code: 5, label: negativ, symbol: "-"}
focus:
  status_classes: [3]
  dynamics_classes: [5]
  drivers: 2
colours:
  status: {3: "#800026"}
  cells: {"3-": "#000000"}
""",
    origin="test",
)


def small_values(period: str) -> dict[str, dict[str, float]]:
    """Distinct numbers per area, shuffled differently in each period so that
    areas change class."""
    shift = SMALL_PERIODS.index(period) * 5
    return {
        "share_a": {
            c: 3.0 + ((n * 7 + shift) % 12) * 1.1 for n, c in enumerate(SMALL_AREAS)
        },
        "share_b": {
            c: 8.0 + ((n * 5 + shift) % 12) * 0.9 for n, c in enumerate(SMALL_AREAS)
        },
        "change_d": {
            c: ((n * 11 + shift) % 12 - 5.5) * 0.3 for n, c in enumerate(SMALL_AREAS)
        },
    }


def _store_small_inputs(conn: Connection, *, internal: bool) -> None:
    save_indicators(
        conn,
        [
            Indicator(
                id="share_a",
                name="Anteil A",
                unit="%",
                visibility=Visibility.INTERNAL if internal else Visibility.PUBLIC,
            ),
            Indicator(id="share_b", name="Anteil B", unit="%"),
            Indicator(id="change_d", name="Veränderung D", unit="Pp.", kind="index"),
        ],
    )
    save_areas(
        conn,
        [Area(code="M", name="Musterstadt", level="region")]
        + [
            Area(code=c, name=f"Quartier {c}", level="planning_area", parent="M")
            for c in SMALL_AREAS
        ],
    )
    release = draft_release(conn, "Daten")
    rows = [
        {
            "indicator_id": queries.indicator_id(conn, indicator),
            "area_id": queries.area_id(conn, code),
            "period": period,
            "value": value,
            "numerator": None,
            "denominator": None,
            "flags": 0,
            "note": None,
        }
        for period in SMALL_PERIODS
        for indicator, by_area in small_values(period).items()
        for code, value in by_area.items()
    ]
    store_observations(conn, release, pd.DataFrame(rows))
    publish_release(conn, "Daten")


def store_small_index(engine: Engine, *, internal: bool) -> Engine:
    """The ``muster`` index stored and published for both periods (its input
    ``share_a`` internal with ``internal``)."""
    with engine.begin() as conn:
        _store_small_inputs(conn, internal=internal)
    for period in SMALL_PERIODS:
        compute_and_store(engine, SMALL_DEFINITION, period=period, release="Index")
    with engine.begin() as conn:
        publish_release(conn, "Index")
    return engine


MANY_AREAS = 130
MANY_PERIOD = "2020-12-31"
MANY_DEFINITION = parse_definition(
    """
id: viele
name: Index mit vielen Fokusgebieten
level: planning_area
period: 2020-12-31
population: null
status:
  name: Status-Index
  indicators:
    - {key: a, label: A Arbeitslosigkeit, indicator: share_a}
  classes:
    - {code: 1, label: hoch, below: -0.5}
    - {code: 2, label: mittel, up_to: 0.5}
    - {code: 3, label: niedrig}
focus:
  status_classes: [1, 2, 3]
  drivers: 1
colours:
  status: {1: "#123456", 2: "#abcdef", 3: "#654321"}
""",
    origin="test",
)


def _many_name(n: int) -> str:
    """Names out of code order (and with an umlaut), so the order is the names'."""
    initial = "ÄZB"[n % 3]
    return f"{initial}-Viertel {(n * 37) % 10007:05d}"


def _many_square(n: int) -> str:
    """A square of 0.01° on a grid of 70 columns, near Hanover."""
    x, y = 9.0 + (n % 70) * 0.01, 52.0 + (n // 70) * 0.01
    ring = [[x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def store_many_index(
    engine: Engine, count: int, values: dict[int, float], *, geometry: bool
) -> None:
    """``count`` planning areas under "V", the values of ``share_a`` (by area
    number) published, then the index computed and published."""
    codes = [f"V{n:04d}" for n in range(count)]
    with engine.begin() as conn:
        save_indicators(conn, [Indicator(id="share_a", name="Anteil A", unit="%")])
        save_areas(
            conn,
            [Area(code="V", name="Vielstadt", level="region")]
            + [
                Area(
                    code=c,
                    name=_many_name(n),
                    level="planning_area",
                    parent="V",
                    geometry=_many_square(n) if geometry else None,
                )
                for n, c in enumerate(codes)
            ],
        )
        release = draft_release(conn, "Daten")
        rows = [
            {
                "indicator_id": queries.indicator_id(conn, "share_a"),
                "area_id": queries.area_id(conn, codes[n]),
                "period": MANY_PERIOD,
                "value": value,
                "numerator": None,
                "denominator": None,
                "flags": 0,
                "note": None,
            }
            for n, value in values.items()
        ]
        store_observations(conn, release, pd.DataFrame(rows))
        publish_release(conn, "Daten")
    compute_and_store(engine, MANY_DEFINITION, release="Index")
    with engine.begin() as conn:
        publish_release(conn, "Index")
