"""Fixtures for the import tests: the small region plus indicators the samples use."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.store.writes import save_indicators

EXTRA_INDICATORS = (
    Indicator(
        id="child_poverty",
        name="Kinder in Bedarfsgemeinschaften",
        unit="%",
        first_period="2015",
        last_period="2022",
    ),
    Indicator(id="mean_income", name="Mittleres Einkommen", unit="EUR", kind="mean"),
)
"""Beside ``tests/fixtures.py``: a share that exists only for 2015–2022, and a mean."""


@pytest.fixture
def ingest_engine(small_engine: Engine) -> Engine:
    """The small region (one published release, 2020 and 2021) and five indicators."""
    with small_engine.begin() as conn:
        save_indicators(conn, EXTRA_INDICATORS)
    return small_engine
