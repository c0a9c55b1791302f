"""A made-up hierarchy with two releases, for the read gate's tests (numbers invented
for the tests, never shown as real): a region with a stored value at one district, a
town directly under the region beside its districts; the second release changes,
removes, suppresses and flags values."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    remove_observations,
    save_areas,
    save_indicators,
    store_observations,
)

SHARE = Indicator(id="share", name="Anteil", unit="%")
COUNT = Indicator(id="count", name="Anzahl", unit="Personen", kind="count")
MEDIAN = Indicator(id="median", name="Median", unit="EUR", kind="median")
INDICATORS = {i.id: i for i in (SHARE, COUNT, MEDIAN)}
PERIODS = ("2020", "2021")

# code -> (level, parent)
AREAS = {
    "R": ("region", None),
    "R1": ("municipality", "R"),  # a district town with blocks of its own
    "R2": ("municipality", "R"),  # stored values of its own in 2020
    "R3": ("municipality", "R"),  # a town without children
    "R1,a": ("district", "R1"),  # a comma in a code: the sums must keep it whole
    "R1b": ("district", "R1"),
    "R1c": ("district", "R1"),
    "R2a": ("district", "R2"),
    "R2b": ("district", "R2"),
}
LEAVES = ("R1,a", "R1b", "R1c", "R2a", "R2b", "R3")


def _row(ids: dict[str, int], indicator: str, area: str, period: str, **values):  # type: ignore[no-untyped-def]
    return {
        "indicator_id": ids[indicator],
        "area_id": ids[area],
        "period": period,
        "value": values.get("value"),
        "numerator": values.get("numerator"),
        "denominator": values.get("denominator"),
        "flags": values.get("flags", 0),
        "note": None,
    }


def build_hierarchy(engine: Engine) -> Engine:
    """Store the hierarchy, its values and both releases (published)."""
    with engine.begin() as conn:
        save_indicators(conn, list(INDICATORS.values()))
        save_areas(
            conn,
            [
                Area(code=code, name=f"Gebiet {code}", level=level, parent=parent)
                for code, (level, parent) in AREAS.items()
            ],
        )
        ids = {c: queries.area_id(conn, c) for c in AREAS}
        ids |= {i: queries.indicator_id(conn, i) for i in INDICATORS}
        rows = []
        for n, area in enumerate(LEAVES):
            for period in PERIODS:
                num, den = 10 * (n + 1) + len(period), 1000 + 37 * n
                share = num / den * 100
                rows.append(
                    _row(
                        ids,
                        "share",
                        area,
                        period,
                        value=share,
                        numerator=num,
                        denominator=den,
                    )
                )
                rows.append(_row(ids, "count", area, period, value=float(den)))
                rows.append(_row(ids, "median", area, period, value=20_000.0 + n))
        # R2 has a value of its own in 2020 (it wins over its districts' sum)
        rows.append(
            _row(ids, "share", "R2", "2020", value=5.0, numerator=50, denominator=1000)
        )
        first = draft_release(conn, "first")
        store_observations(conn, first, pd.DataFrame(rows))
        publish_release(conn, "first")

        second = draft_release(conn, "second")
        changes = [
            # a new value, provisional
            _row(
                ids,
                "share",
                "R1,a",
                "2021",
                value=4.0,
                numerator=44,
                denominator=1100,
                flags=int(Flag.PROVISIONAL),
            ),
            # suppressed (a small count, kept but never shown): no longer counts
            _row(
                ids,
                "share",
                "R3",
                "2021",
                value=2.0,
                numerator=2,
                denominator=100,
                flags=int(Flag.SUPPRESSED),
            ),
            _row(ids, "count", "R1b", "2021", value=2.0, flags=int(Flag.SUPPRESSED)),
            # a share without its parts: shown, but not summed
            _row(ids, "share", "R2b", "2020", value=3.0),
        ]
        store_observations(conn, second, pd.DataFrame(changes))
        remove_observations(
            conn,
            second,
            [(ids["share"], ids["R1c"], "2021"), (ids["count"], ids["R2a"], "2020")],
        )
        publish_release(conn, "second")
    return engine
