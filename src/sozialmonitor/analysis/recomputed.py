"""A series on today's areas: the values an area would have had before it existed,
recomputed from its predecessors' counts through the lineage (issue 12).

For a period before the area began, its count is the sum over its predecessors of
the share moved × the predecessor's count (for shares and rates: numerator and
denominator each, then their ratio). Such a value is flagged ``recomputed`` and says
where it comes from; it is as good as the shares: an official or population share
fits counts of people, a share of surface assumes they lived evenly.

Every value is read through the read gate: a predecessor's suppressed value hides
the recomputed one (a value derived from a hidden cell is hidden with it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.aggregation import (
    CARRIED_FLAGS,
    adds_values,
    can_aggregate,
    usable,
)
from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.lineage import AreaLink
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import parse_period, period_order
from sozialmonitor.store import queries
from sozialmonitor.store.lineage import lineage_of

MAX_STEPS = 10
"""Boundary changes followed back at most (a chain longer than this is cut)."""


@dataclass(frozen=True)
class _Part:
    """One predecessor's contribution: its code, the share moved, its values."""

    code: str
    share: float
    values: dict[str, Observation]


def series_on_today_areas(
    conn: Connection,
    indicator: str,
    area: str,
    *,
    as_of: str | None = None,
    audience: Audience = Audience.PUBLIC,
) -> list[Observation]:
    """The area's values of one indicator, by period: its own, and for the periods
    before it began, recomputed from its predecessors (flag ``recomputed``).

    Raises
    ------
    UnknownAreaError, UnknownIndicatorError
        For a code the database does not have (or does not show).
    """
    found = queries.get_indicator(conn, indicator, audience=audience)
    series = _series(conn, found, area, as_of, audience, steps=MAX_STEPS)
    return [series[p] for p in sorted(series, key=period_order)]


def _own(
    conn: Connection,
    indicator: Indicator,
    area: str,
    as_of: str | None,
    audience: Audience,
) -> dict[str, Observation]:
    query = queries.ObservationQuery(
        indicators=[indicator.id], areas=[area], as_of=as_of
    )
    return {
        o.period: o for o in queries.read_observations(conn, query, audience=audience)
    }


def _share(conn: Connection, link: AreaLink) -> float | None:
    """The share of the predecessor that moved; 1 where the link gives none but it
    is the predecessor's only successor (a merger, renaming or new code)."""
    if link.share is not None:
        return link.share
    if len(lineage_of(conn, link.predecessor).successors) == 1:
        return 1.0
    return None


def _series(
    conn: Connection,
    indicator: Indicator,
    area: str,
    as_of: str | None,
    audience: Audience,
    *,
    steps: int,
) -> dict[str, Observation]:
    own = _own(conn, indicator, area, as_of, audience)
    links = lineage_of(conn, area).predecessors
    if steps == 0 or not links or not can_aggregate(indicator):
        return own
    parts = []
    for link in links:
        share = _share(conn, link)
        if share is None:
            return own  # a split without shares: nothing to recompute with
        values = _series(
            conn, indicator, link.predecessor, as_of, audience, steps=steps - 1
        )
        parts.append(_Part(code=link.predecessor, share=share, values=values))
    began = min(link.valid_on for link in links)
    periods = {p for part in parts for p in part.values} - set(own)
    result = dict(own)
    for period in periods:
        if parse_period(period).end >= began:
            continue  # the area existed then: only its own values count
        value = _recomputed(indicator, area, period, parts)
        if value is not None:
            result[period] = value
    return result


def _recomputed(
    indicator: Indicator, area: str, period: str, parts: list[_Part]
) -> Observation | None:
    """The area's value of one period from all its predecessors' (None when one of
    them has no value then); hidden when one of them is."""
    sums: dict[str, float] = defaultdict(float)
    flags = int(Flag.RECOMPUTED)
    for part in parts:
        obs = part.values.get(period)
        if obs is None:
            return None
        if int(obs.flags) & int(Flag.SUPPRESSED):
            return Observation(
                indicator=indicator.id,
                area=area,
                period=period,
                value=None,
                flags=int(Flag.SUPPRESSED | Flag.RECOMPUTED),
            )
        if not usable(indicator, obs):
            return None
        sums["value"] += part.share * (obs.value or 0.0)
        sums["numerator"] += part.share * (obs.numerator or 0.0)
        sums["denominator"] += part.share * (obs.denominator or 0.0)
        flags |= int(obs.flags) & CARRIED_FLAGS
    note = "Recomputed on today's area from " + ", ".join(
        f"{p.code} ({p.share:.1%})" for p in parts
    )
    if adds_values(indicator):
        return Observation(
            indicator=indicator.id,
            area=area,
            period=period,
            value=sums["value"],
            flags=flags,
            note=note + ".",
        )
    numerator, denominator = sums["numerator"], sums["denominator"]
    return Observation(
        indicator=indicator.id,
        area=area,
        period=period,
        value=indicator.value_from(numerator, denominator) if denominator else None,
        numerator=numerator,
        denominator=denominator,
        flags=flags,
        note=note + ".",
    )
