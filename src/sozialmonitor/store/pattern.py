"""The stored suppression patterns as a read applies them: per slice (indicator ×
period) the pattern of the newest release the read may see (patterns are computed at
publication, ``store.suppression``), and the cells it hides.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
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
    by_indicator = _newest_releases(conn, priorities)
    wanted = set(periods) if periods is not None else None
    newest: dict[Slice, int] = {
        (indicator_id, period): release_id
        for indicator_id in indicator_ids
        for period, release_id in by_indicator.get(indicator_id, {}).items()
        if wanted is None or period in wanted
    }
    hidden: dict[Slice, set[str]] = defaultdict(set)
    unchecked = _unchecked_slices(conn, priorities, newest)
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
    # An unchecked slice keeps its marks (the administration's view of the cells the
    # published pattern hides) but is not covered: what the read shows of it as the
    # public would (outside a reader's scope) is hidden whole, failing closed.
    covered = {s: r for s, r in newest.items() if s not in unchecked}
    return ReadPattern(slices=covered, hidden=dict(hidden))


def _unchecked_slices(
    conn: Connection, priorities: dict[int, int], newest: dict[Slice, int]
) -> set[Slice]:
    """Slices in which a release the read sees stores values without a pattern of
    its own: a draft read "as of" (a published release always has its patterns),
    whose values no protection of small counts has checked. Its values are not the
    public's view, so the pattern of the release below it does not cover them.
    No query unless such a release is read."""
    if not newest:
        return set()
    with_patterns = _patterns(conn).releases
    unchecked = [r for r in priorities if r not in with_patterns]
    if not unchecked:
        return set()
    o = schema.observation
    rows = conn.execute(
        select(o.c.indicator_id, o.c.period)
        .where(
            o.c.release_id.in_(unchecked),
            o.c.indicator_id.in_({indicator_id for indicator_id, _ in newest}),
        )
        .distinct()
    )
    return {(i, p) for i, p in rows if (i, p) in newest}


Held = dict[int, dict[str, list[int]]]
"""Per indicator id and period, the releases that hold a pattern."""
Newest = dict[int, dict[str, int]]
"""Per indicator id and period, the release whose pattern a read applies."""


@dataclass
class _Patterns:
    """What one version of ``suppression_slice`` says, and the newest releases per
    slice for the sets of releases reads asked with (a handful: the public's, the
    administration's, the "as of" reads)."""

    version: tuple[int, ...]
    held: Held
    releases: frozenset[int]
    """The releases that hold a pattern (of any slice)."""
    newest: dict[tuple[tuple[int, int], ...], Newest] = field(default_factory=dict)


NEWEST_KEPT = 16
"""Sets of release priorities kept per database (the oldest goes first)."""

_SLICES_CACHE: dict[str, _Patterns] = {}
"""Per database: read once per change of ``suppression_slice`` instead of its
1,000 rows per profile read, and the newest release per slice worked out once per set
of releases instead of per read (a profile makes three reads)."""
_lock = threading.Lock()


def _newest_releases(conn: Connection, priorities: dict[int, int]) -> Newest:
    """Per indicator and period, the release with the highest priority of those that
    hold a pattern for it (slices without one left out)."""
    patterns = _patterns(conn)
    key = tuple(sorted(priorities.items()))
    with _lock:
        found = patterns.newest.get(key)
    if found is not None:
        return found
    found = {}
    for indicator_id, by_period in patterns.held.items():
        for period, releases in by_period.items():
            visible = [r for r in releases if r in priorities]
            if visible:
                found.setdefault(indicator_id, {})[period] = max(
                    visible, key=priorities.__getitem__
                )
    with _lock:
        while len(patterns.newest) >= NEWEST_KEPT:
            del patterns.newest[next(iter(patterns.newest))]
        patterns.newest[key] = found
    return found


def _patterns(conn: Connection) -> _Patterns:
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
    with _lock:
        cached = _SLICES_CACHE.get(key)
    if cached is not None and cached.version == version:
        return cached
    held: Held = defaultdict(lambda: defaultdict(list))
    for release_id, indicator_id, period in conn.execute(
        select(sl.c.release_id, sl.c.indicator_id, sl.c.period)
    ):
        held[indicator_id][period].append(release_id)
    made = _Patterns(
        version,
        {i: dict(by_period) for i, by_period in held.items()},
        frozenset(
            r for by_period in held.values() for rs in by_period.values() for r in rs
        ),
    )
    with _lock:
        _SLICES_CACHE[key] = made
    return made
