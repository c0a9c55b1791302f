"""The stored suppression patterns as a read applies them: per slice (indicator ×
period) the pattern of the newest release the read may see (patterns are computed at
publication, ``store.suppression``), and the cells it hides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from sozialmonitor.store import schema

Slice = tuple[int, str]
"""(indicator id, period)"""


@dataclass(frozen=True)
class ReadPattern:
    """The patterns a read applies: per slice the release whose pattern holds, and
    the codes of the areas whose cells it hides (slices hiding nothing left out)."""

    slices: dict[Slice, int]
    hidden: dict[Slice, set[str]]


def read_pattern(
    conn: Connection,
    priorities: dict[int, int],
    indicator_ids: Sequence[int],
    periods: Sequence[str] | None,
    scope: Select[Any] | None,
) -> ReadPattern:
    """The patterns of the newest releases (by ``priorities``) that hold one for each
    slice of these indicators (and periods), restricted to the areas in ``scope``."""
    sc, a = schema.suppressed_cell, schema.area
    held = _slice_releases(conn)
    wanted = set(periods) if periods is not None else None
    newest: dict[Slice, int] = {}
    for indicator_id in indicator_ids:
        for period, releases in held.get(indicator_id, {}).items():
            if wanted is not None and period not in wanted:
                continue
            visible = [r for r in releases if r in priorities]
            if visible:
                newest[(indicator_id, period)] = max(
                    visible, key=priorities.__getitem__
                )
    hidden: dict[Slice, set[str]] = defaultdict(set)
    if newest:
        cells = (
            select(sc.c.release_id, sc.c.indicator_id, a.c.code, sc.c.period)
            .join(a, a.c.id == sc.c.area_id)
            .where(
                sc.c.release_id.in_(set(newest.values())),
                sc.c.indicator_id.in_(list(indicator_ids)),
            )
        )
        if periods is not None:
            cells = cells.where(sc.c.period.in_(list(periods)))
        if scope is not None and scope.whereclause is not None:
            cells = cells.where(scope.whereclause)
        for release_id, indicator_id, code, period in conn.execute(cells):
            if newest.get((indicator_id, period)) == release_id:
                hidden[(indicator_id, period)].add(code)
    return ReadPattern(slices=newest, hidden=dict(hidden))


_SLICES_CACHE: dict[str, tuple[tuple[int, ...], dict[int, dict[str, list[int]]]]] = {}
"""Per database: a checksum of ``suppression_slice`` and, per indicator id and period,
the releases that hold a pattern. Read once per change of the table instead of 1,000
rows per profile read."""


def _slice_releases(conn: Connection) -> dict[int, dict[str, list[int]]]:
    sl = schema.suppression_slice
    key = conn.engine.url.render_as_string(hide_password=False)
    summary = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(sl.c.release_id * 7919 + sl.c.indicator_id), 0),
            func.coalesce(func.sum(sl.c.hidden), 0),
        ).select_from(sl)
    ).one()
    # Patterns change only with this table: its count and checksums are the version.
    version = tuple(int(v) for v in summary)
    cached = _SLICES_CACHE.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    held: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for release_id, indicator_id, period in conn.execute(
        select(sl.c.release_id, sl.c.indicator_id, sl.c.period)
    ):
        held[indicator_id][period].append(release_id)
    frozen = {i: dict(by_period) for i, by_period in held.items()}
    _SLICES_CACHE[key] = (version, frozen)
    return frozen
