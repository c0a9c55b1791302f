"""Issue 13: a change that rounds to zero never reads as if the figures disagree,
and "signifikant" is written only where a significance test was made."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from sozialmonitor.domain.area import Area
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.store import queries
from sozialmonitor.store.writes import (
    draft_release,
    publish_release,
    save_areas,
    save_indicators,
    store_observations,
)
from sozialmonitor.web import formatting
from sozialmonitor.web.app import create_app
from tests.fixtures import INDICATORS

SHARE = Indicator(id="s", name="Anteil", unit="%")
INDEX = Indicator(id="i", name="Index", unit="", kind="index", decimals=1)
ROOT = "03241"
# town → (2020, 2021) values of the share; denominators of 100,000 people
VALUES = {
    "03241001": (3.96, 3.93),  # shown 4,0 → 3,9: the change is −0,03, not −0,0
    "03241002": (5.0, 5.0),  # no change at all: ±0,0
    "03241003": (4.00004, 4.0),  # too small even for four decimals
    "03241004": (2.25, 2.0),  # an ordinary change
}


@pytest.mark.parametrize(
    ("value", "indicator", "lang", "expected"),
    [
        (3.93 - 3.96, SHARE, "de", "−0,03\u202fProzentpunkte"),
        (0.0004, SHARE, "de", "+0,0004\u202fProzentpunkte"),
        (0.00001, SHARE, "de", "gerundet ±0,0\u202fProzentpunkte"),
        (0.00001, SHARE, "en", "rounded ±0.0\u202fpercentage points"),
        (0.0, SHARE, "de", "±0,0\u202fProzentpunkte"),
        (0.1 + 0.2 - 0.3, SHARE, "de", "±0,0\u202fProzentpunkte"),  # float noise: none
        (-0.25, SHARE, "de", "−0,3\u202fProzentpunkte"),
        (-0.04, INDEX, "de", "−0,04"),
    ],
)
def test_a_change_that_rounds_to_zero_shows_the_decimals_to_see_it(
    value: float, indicator: Indicator, lang: Any, expected: str
) -> None:
    assert formatting.change(value, indicator, lang) == expected


def test_a_relative_change_that_rounds_to_zero() -> None:
    assert formatting.change(0.02, SHARE, "de", relative=True) == "+0,02\u202f%"


@pytest.fixture
def towns_engine(engine: Engine) -> Engine:
    with engine.begin() as conn:
        save_indicators(conn, INDICATORS)
        save_areas(
            conn,
            [Area(code=ROOT, name="Region Hannover", level="region")]
            + [
                Area(
                    code=code,
                    name=f"Ort {code[-1]}",
                    level="municipality",
                    parent=ROOT,
                )
                for code in VALUES
            ],
        )
        share = queries.indicator_id(conn, "unemployment_share")
        rows = [
            {
                "indicator_id": share,
                "area_id": queries.area_id(conn, code),
                "period": period,
                "value": value,
                "numerator": value * 1_000,
                "denominator": 100_000.0,
                "flags": 0,
                "note": None,
            }
            for code, pair in VALUES.items()
            for period, value in zip(("2020", "2021"), pair, strict=True)
        ]
        release = draft_release(conn, "2022")
        store_observations(conn, release, pd.DataFrame(rows))
        publish_release(conn, "2022")
    return engine


def test_change_view_writes_the_change_the_figures_show(towns_engine: Engine) -> None:
    client = TestClient(create_app(towns_engine))
    response = client.get(
        "/api/v1/pages/indikator/unemployment_share",
        params={
            "raum": ROOT,
            "ebene": "municipality",
            "ansicht": "veraenderung",
            "von": "2020",
            "bis": "2021",
        },
    )
    assert response.status_code == 200, response.text[:500]
    rows = {r["code"]: r for r in response.json()["change"]["rows"]}
    shown = {
        code: (r["before_text"], r["after_text"], r["change_text"])
        for code, r in rows.items()
    }
    assert shown == {
        "03241001": ("4,0\u202f%", "3,9\u202f%", "−0,03\u202fProzentpunkte"),
        "03241002": ("5,0\u202f%", "5,0\u202f%", "±0,0\u202fProzentpunkte"),
        "03241003": ("4,0\u202f%", "4,0\u202f%", "gerundet ±0,0\u202fProzentpunkte"),
        "03241004": ("2,3\u202f%", "2,0\u202f%", "−0,3\u202fProzentpunkte"),
    }


# --- significance only where a test was made --------------------------------------

UNTESTED_KINDS = {
    IndicatorKind.MEAN.value,
    IndicatorKind.MEDIAN.value,
    IndicatorKind.INDEX.value,
}


def test_significance_is_claimed_only_where_a_test_was_made(
    demo_sqlite: Engine,
) -> None:
    """Every reading of every profile of the demo's municipalities and Berlin's
    districts: "signifikant" only with a test (a share or rate with numerator and
    denominator); a mean, median or index is compared by difference and says so; a
    count is never "signifikant"."""
    client = TestClient(create_app(demo_sqlite))
    with demo_sqlite.connect() as conn:
        areas = [
            a.code
            for level in ("municipality", "district")
            for a in queries.list_areas(conn, level=level)
        ][:40]
    kinds_seen: set[str] = set()
    differences = 0
    for code in areas:
        response = client.get(f"/api/v1/pages/gebiet/{code}")
        assert response.status_code == 200, code
        for topic in response.json()["topics"]:
            for row in topic["rows"]:
                kinds_seen.add(row["kind"])
                reading = row["reading"]
                if "signifikant" in reading:
                    assert row["tested"], (code, reading)
                    assert row["kind"] in ("share", "rate"), (code, reading)
                if row["kind"] == "count":
                    assert "signifikant" not in reading.lower(), (code, reading)
                if row["kind"] in UNTESTED_KINDS and row["result"] == "untested":
                    assert "ohne Signifikanztest" in reading, (code, reading)
                    differences += 1
    assert {"count", "share"} <= kinds_seen
    assert kinds_seen & UNTESTED_KINDS
    assert differences > 0
