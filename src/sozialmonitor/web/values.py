"""Reads the pages share: values through the public read gate, few queries each."""

from __future__ import annotations

from sqlalchemy import Connection

from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.store import queries
from sozialmonitor.web.snapshot import Snapshot

Key = tuple[str, str, str]
"""(indicator, area, period)"""
Series = dict[tuple[str, str], dict[str, Observation]]
"""(indicator, area) → period → value."""


def top_values(conn: Connection, snap: Snapshot) -> Series:
    """Every value of the top-level areas — all indicators and periods, stored or
    computed from their children — read once per data version.

    The start page's key figures, the topic pages' trend lines, the region line of
    the indicator page and the region column of the profile show them. At Germany
    size the country's values are computed from 11,000 municipalities: seconds for
    all of them in one read, which ``warm_up`` does before the first visitor, but
    ~75 ms for each indicator and period read on its own.
    """
    return snap.remember("top-values", lambda: _read_top_values(conn, snap))


def _read_top_values(conn: Connection, snap: Snapshot) -> Series:
    found: Series = {}
    for root in sorted(set(snap.root_of.values())):
        query = queries.ObservationQuery(areas=[root])
        for obs in queries.read_observations(conn, query, audience=snap.audience):
            if not repeats_only_child(snap, obs):
                found.setdefault((obs.indicator, obs.area), {})[obs.period] = obs
    return found


_COMPUTED = int(Flag.COMPUTED)


def repeats_only_child(snap: Snapshot, obs: Observation) -> bool:
    """Whether a value is computed for an area from its only child area: that
    child's value again, not the area's (a Land above the one district an
    installation holds, whose own figures are imported where there are any)."""
    return bool(obs.flags & _COMPUTED) and len(snap.children.get(obs.area, ())) == 1


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
