"""What the area and compare page tests expect: values read through the public gate,
and the pages' rows and markup to compare them with."""

from __future__ import annotations

from typing import Any

from bs4 import BeautifulSoup
from sqlalchemy import Engine

from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store import queries


def gate(
    engine: Engine, code: str, indicator: str | None = None
) -> dict[tuple[str, str], Observation]:
    """(indicator, period) → observation, as the public read gate gives them."""
    with engine.connect() as conn:
        found = queries.read_observations(
            conn,
            queries.ObservationQuery(
                areas=[code], indicators=[indicator] if indicator else None
            ),
        )
    return {(o.indicator, o.period): o for o in found}


def shown(obs: Observation | None) -> float | None:
    """The value a page may show (None when missing or suppressed)."""
    if obs is None or obs.flags & Flag.SUPPRESSED:
        return None
    return obs.value


def rows(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A JSON twin's rows by indicator, across its topics."""
    return {row["indicator"]: row for topic in body["topics"] for row in topic["rows"]}


def html(response: Any) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")
