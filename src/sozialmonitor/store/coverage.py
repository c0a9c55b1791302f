"""Which periods exist for which areas: stored values per indicator, level, parent
and period, through the read gate's visibility rules (``queries``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.period import period_order
from sozialmonitor.store import schema
from sozialmonitor.store.area_rules import internal_level_areas
from sozialmonitor.store.queries import release_priorities, visible_indicators
from sozialmonitor.store.resolution import joined


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """Which periods an indicator has stored values for among the children of one
    parent (or for one top-level area)."""

    indicator: str
    level: str
    under: str
    """Code of the parent of the areas counted; a top-level area's own code."""
    periods: tuple[str, ...]
    """Period codes, oldest first."""
    areas: int
    """Areas with at least one value."""
    parts: bool
    """Whether values carry numerator and denominator (parents can be computed)."""


def read_coverage(
    conn: Connection, *, audience: Audience = Audience.PUBLIC
) -> list[Coverage]:
    """Stored values per indicator, level, parent and period, through the same
    visibility rules as ``read_observations`` (published releases; internal
    indicators and levels only for the administration).

    One scan of ``ix_observation_area`` (seconds for 11 million values). A value
    that a later release removed still counts here: the coverage answers "which
    years exist for which areas", not "which value is current". Whether values carry
    numerator and denominator is judged from the first values of each indicator.
    """
    priorities = release_priorities(conn, as_of=None, audience=audience)
    visible = visible_indicators(conn, audience, None)
    if not priorities or not visible:
        return []
    obs, a = schema.observation, schema.area
    ids = {
        r.id: r.code
        for r in conn.execute(select(schema.indicator.c.id, schema.indicator.c.code))
        if r.code in visible
    }
    levels = {r.id: r.code for r in conn.execute(select(schema.area_level))}
    areas = {
        r.id: (r.code, levels[r.level_id], r.parent_id)
        for r in conn.execute(select(a.c.id, a.c.code, a.c.level_id, a.c.parent_id))
    }
    per_area = (
        select(
            obs.c.area_id,
            obs.c.indicator_id,
            joined(conn, obs.c.period, ordered=True).label("periods"),
        )
        .where(obs.c.release_id.in_(list(priorities)))
        .group_by(obs.c.area_id, obs.c.indicator_id)
        .subquery()
    )
    # Areas with the same periods come back as one row: a few hundred rows instead
    # of one per area and indicator.
    rows = conn.execute(
        select(
            per_area.c.indicator_id,
            per_area.c.periods,
            joined(conn, per_area.c.area_id).label("areas"),
        ).group_by(per_area.c.indicator_id, per_area.c.periods)
    )
    withheld = frozenset() if audience.internal else internal_level_areas(conn)
    joined_periods: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str, str], int] = defaultdict(int)
    for indicator_key, found, area_keys in rows:
        indicator = ids.get(indicator_key)
        if indicator is None:
            continue
        for area_key in area_keys.split(","):
            code, level, parent = areas[int(area_key)]
            if code in withheld:
                continue
            key = (indicator, level, areas[parent][0] if parent else code)
            joined_periods[key].add(found)
            counts[key] += 1
    periods = {
        key: {p for text in texts for p in text.split(",")}
        for key, texts in joined_periods.items()
    }
    with_parts = {
        code for key, code in ids.items() if _has_parts(conn, key, priorities)
    }
    return [
        Coverage(
            indicator=indicator,
            level=level,
            under=under,
            periods=tuple(sorted(found, key=period_order)),
            areas=counts[(indicator, level, under)],
            parts=indicator in with_parts,
        )
        for (indicator, level, under), found in sorted(periods.items())
    ]


def _has_parts(conn: Connection, indicator: int, priorities: dict[int, int]) -> bool:
    """Whether the indicator's first stored values carry numerator and denominator."""
    obs = schema.observation
    sample = (
        select(obs.c.numerator, obs.c.denominator)
        .where(obs.c.indicator_id == indicator)
        .where(obs.c.release_id.in_(list(priorities)))
        .limit(200)
        .subquery()
    )
    found = conn.scalar(
        select(func.count())
        .select_from(sample)
        .where(sample.c.numerator.isnot(None), sample.c.denominator.isnot(None))
    )
    return bool(found)
