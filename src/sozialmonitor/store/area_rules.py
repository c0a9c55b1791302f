"""The part of the read gate that decides by area: which areas an audience reads
with the administration's eyes, and which areas' values the public may not see.

- An internal level (``level visibility block internal``): its areas' values are
  for the signed-in administration only. The public reads nothing of them; values
  of the levels above, computed from them, stay public (with their own protection
  of small counts).
- An area scope (``Audience.within(code)``): a municipality's staff read their own
  area and everything below it as the administration does, and every other area as
  the public does — internal indicators and internal levels included.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Visibility
from sozialmonitor.store import schema


@dataclass(frozen=True, kw_only=True)
class AreaRules:
    """What one read may see, by area."""

    inside: frozenset[str] | None
    """Area codes read with the administration's eyes; None: every area (the
    unscoped administration) — and the empty set for the public."""
    withheld: frozenset[str]
    """Area codes (outside ``inside``) whose values the read may not see at all."""
    internal_indicators: frozenset[int]
    """For a scoped read: ids of the internal indicators, whose values are seen
    only inside the scope. Empty otherwise (the public never reads them)."""

    def sees_inside(self, area: str) -> bool:
        return self.inside is None or area in self.inside


EVERYWHERE = AreaRules(
    inside=None, withheld=frozenset(), internal_indicators=frozenset()
)


def area_rules(conn: Connection, audience: Audience) -> AreaRules:
    """The rules of one read: one small query for the public while no level is
    internal (the areas of internal levels are kept per change of them)."""
    if audience.internal and audience.scope is None:
        return EVERYWHERE
    withheld = internal_level_areas(conn)
    if not audience.internal:
        return AreaRules(
            inside=frozenset(), withheld=withheld, internal_indicators=frozenset()
        )
    assert audience.scope is not None  # noqa: S101 - narrowed by the branch above
    inside = subtree(conn, audience.scope)
    ind = schema.indicator
    internal = frozenset(
        conn.scalars(
            select(ind.c.id).where(ind.c.visibility != Visibility.PUBLIC.value)
        )
    )
    return AreaRules(
        inside=inside, withheld=withheld - inside, internal_indicators=internal
    )


def subtree(conn: Connection, code: str) -> frozenset[str]:
    """The area ``code`` and every area below it (empty for an unknown code, so
    that a scope naming a removed area sees nothing internal)."""
    a = schema.area
    top = (
        select(a.c.id, a.c.code).where(a.c.code == code).cte("subtree", recursive=True)
    )
    child = a.alias("child")
    tree = top.union(
        select(child.c.id, child.c.code).where(child.c.parent_id == top.c.id)
    )
    return frozenset(conn.scalars(select(tree.c.code)))


_lock = threading.Lock()
_withheld: weakref.WeakKeyDictionary[Engine, tuple[tuple[object, ...], frozenset[str]]]
_withheld = weakref.WeakKeyDictionary()


def internal_level_areas(conn: Connection) -> frozenset[str]:
    """Codes of the areas on internal levels; empty after one query of the level
    table while no level is internal."""
    lvl, a = schema.area_level, schema.area
    levels = tuple(
        sorted(
            conn.scalars(
                select(lvl.c.id).where(lvl.c.visibility != Visibility.PUBLIC.value)
            )
        )
    )
    if not levels:
        return frozenset()
    on_levels = a.c.level_id.in_(levels)
    count, id_sum = conn.execute(
        select(func.count(), func.coalesce(func.sum(a.c.id), 0)).where(on_levels)
    ).one()
    key = (levels, int(count), int(id_sum))
    with _lock:
        cached = _withheld.get(conn.engine)
    if cached is not None and cached[0] == key:
        return cached[1]
    found = frozenset(conn.scalars(select(a.c.code).where(on_levels)))
    with _lock:
        _withheld[conn.engine] = (key, found)
    return found
