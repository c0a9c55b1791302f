"""A county with two published releases and a draft, an internal indicator, an
indicator only one municipality has, and public and internal findings and
recommendations: what the report tests read."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag
from sozialmonitor.domain.qualitative import RecordVisibility, Status
from sozialmonitor.store import queries
from sozialmonitor.store.qualitative import save_record
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_indicators,
    store_observations,
)
from tests.fixtures import TOWNS, make_demo_db, observations_frame
from tests.store.test_qualitative import ADVICE, FINDING, SECRET

SECOND_RELEASE = "2022-H1"
DRAFT = "2022-H2"
SCHOOL = Indicator(
    id="school_leavers_without",
    name="Schulabgänger ohne Abschluss",
    unit="%",
    topic="Bildung",
    source="Beispiel: Schulstatistik",
)
SECRET_ADVICE = dataclasses.replace(
    ADVICE,
    code="H-2",
    title="Beispiel: vertrauliche Empfehlung",
    visibility=RecordVisibility.INTERNAL,
    findings=(),
)
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def _rows(
    conn: Connection, indicator: str, values: dict[tuple[str, str], float]
) -> pd.DataFrame:
    found = queries.indicator_id(conn, indicator)
    return pd.DataFrame(
        [
            {
                "indicator_id": found,
                "area_id": queries.area_id(conn, area),
                "period": period,
                "value": value,
                "numerator": None,
                "denominator": None,
                "flags": 0,
                "note": None,
            }
            for (area, period), value in values.items()
        ]
    )


def build_report_db(engine: Engine) -> Engine:
    make_demo_db(engine)
    with engine.begin() as conn:
        save_indicators(conn, [SCHOOL])
        release = draft_release(conn, SECOND_RELEASE)
        # a revised count of the first town in 2021, a new indicator for it only,
        # and the internal case load
        store_observations(
            conn,
            release,
            observations_frame(conn, {(TOWNS[0], "2021"): (21_500, 301_000)}),
        )
        store_observations(
            conn, release, _rows(conn, SCHOOL.id, {(TOWNS[0], "2021"): 6.25})
        )
        store_observations(
            conn,
            release,
            _rows(conn, "internal_case_load", {(TOWNS[0], "2021"): 777_777.0}),
        )
        # a value of the third town too small to be shown
        suppressed = _rows(conn, "unemployment_share", {(TOWNS[2], "2021"): 3.3})
        suppressed["flags"] = int(Flag.SUPPRESSED)
        store_observations(conn, release, suppressed)
        publish_release(conn, SECOND_RELEASE)
        draft = draft_release(conn, DRAFT)
        store_observations(
            conn,
            draft,
            observations_frame(conn, {(TOWNS[0], "2021"): (30_000, 301_000)}),
        )
        for record in (FINDING, SECRET):
            save_record(conn, record, actor="cli", now=NOW)
        for record in (ADVICE, SECRET_ADVICE):
            save_record(
                conn,
                record,
                status=Status.DECIDED,
                status_on=dt.date(2024, 5, 1),
                actor="cli",
                now=NOW,
            )
    return engine


@pytest.fixture
def report_engine(engine: Engine) -> Engine:
    return build_report_db(engine)
