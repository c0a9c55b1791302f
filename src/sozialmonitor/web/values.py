"""Reads the pages share: values through the public read gate, few queries each."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection

from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store import queries
from sozialmonitor.web.snapshot import AUDIENCE

Key = tuple[str, str, str]
"""(indicator, area, period)"""


def read_values(conn: Connection, wanted: Iterable[Key]) -> dict[Key, Observation]:
    """The values of exactly these keys, grouped into one gate read per period."""
    by_period: dict[str, tuple[set[str], set[str]]] = defaultdict(
        lambda: (set(), set())
    )
    keys = set(wanted)
    for indicator, area, period in keys:
        by_period[period][0].add(indicator)
        by_period[period][1].add(area)
    found: dict[Key, Observation] = {}
    for period, (indicators, areas) in by_period.items():
        query = queries.ObservationQuery(
            indicators=sorted(indicators), areas=sorted(areas), periods=[period]
        )
        for obs in queries.read_observations(conn, query, audience=AUDIENCE):
            if obs.key in keys:
                found[obs.key] = obs
    return found


_SUPPRESSED = int(Flag.SUPPRESSED)
"""As a plain int: ``int & IntFlag`` builds an enum member on every call."""


def shown_value(obs: Observation | None) -> float | None:
    """The value a page may show: None when missing or suppressed."""
    if obs is None or obs.flags & _SUPPRESSED:
        return None
    return obs.value


def suppressed(obs: Observation | None) -> bool:
    """Whether a value exists but may not be shown (small count, secret)."""
    return obs is not None and bool(obs.flags & _SUPPRESSED)
