"""Stored index results whose inputs a later pattern hides.

``index compute`` stores an index's z-scores, sums and classes as derived
indicators (kind ``index``), computed from the input cells the public saw then.
When a pattern computed afterwards (a raised ``min_count``, a re-protection for an
area scope, a new release) hides an input cell such a result included, the stored
result gives it away: from two shown areas' values and z-scores follow the mean and
the standard deviation, and with them the hidden value. So after every pattern
change the newest published results of each index fed by the changed slices are
checked against the inputs' patterns as the public reads them, and a result that
included a hidden input cell is hidden whole (all its areas, reason ``protects``)
until the index is computed again into a new release — fail closed, never mixed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import Connection, select

from sozialmonitor.access.disclosure import Pattern, Reason
from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.indicator import Indicator, IndicatorKind
from sozialmonitor.domain.release import ReleaseStatus
from sozialmonitor.store import schema
from sozialmonitor.store.pattern import Slice
from sozialmonitor.store.suppression_tables import Hierarchy


def stale_index_patterns(
    conn: Connection,
    changed: Iterable[Slice],
    indicators: dict[int, Indicator],
    hierarchy: Hierarchy,
) -> list[tuple[int, int, str, Pattern]]:
    """``(release id, derived indicator id, period, pattern)`` for every stored index
    result fed by a ``changed`` slice (an input's, or its own) that included an
    input cell the public's newest pattern hides: the pattern hiding all of it, for
    the newest published release holding the result's pattern."""
    from sozialmonitor.analysis.index_categories import stored_definition

    ids = {indicator.id: i for i, indicator in indicators.items()}
    changed_periods: dict[int, set[str]] = defaultdict(set)
    for indicator_id, period in changed:
        changed_periods[indicator_id].add(period)
    found = []
    for derived_id, derived in sorted(indicators.items()):
        if derived.kind is not IndicatorKind.INDEX:
            continue
        definition = stored_definition(derived)
        if definition is None:
            continue
        inputs = [ids[c] for c in definition.source_indicators if c in ids]
        periods = set().union(
            *(changed_periods.get(i, set()) for i in (derived_id, *inputs))
        )
        for period in sorted(periods):
            release = _newest_release(conn, derived_id, period)
            if release is None:
                continue
            included = _included(conn, derived, release[1], period)
            hidden = set().union(
                *(_public_hidden(conn, i, period, hierarchy) for i in inputs)
            )
            if included & hidden:
                areas = _stored_areas(conn, derived, release[1], period)
                pattern = Pattern(hidden=dict.fromkeys(sorted(areas), Reason.PROTECTS))
                found.append((release[0], derived_id, period, pattern))
    return found


def _newest_release(
    conn: Connection, indicator_id: int, period: str
) -> tuple[int, str] | None:
    """The published release whose pattern of the slice the public reads."""
    sl, rel = schema.suppression_slice, schema.release
    row = conn.execute(
        select(rel.c.id, rel.c.name)
        .join(sl, sl.c.release_id == rel.c.id)
        .where(sl.c.indicator_id == indicator_id, sl.c.period == period)
        .where(rel.c.status == ReleaseStatus.PUBLISHED.value)
        .order_by(rel.c.sequence.desc())
        .limit(1)
    ).first()
    return (row.id, row.name) if row else None


def _public_hidden(
    conn: Connection, indicator_id: int, period: str, hierarchy: Hierarchy
) -> set[str]:
    """The areas the public's newest pattern of the slice hides."""
    newest = _newest_release(conn, indicator_id, period)
    if newest is None:
        return set()
    sc = schema.suppressed_cell
    rows = conn.scalars(
        select(sc.c.area_id).where(
            sc.c.release_id == newest[0],
            sc.c.indicator_id == indicator_id,
            sc.c.period == period,
        )
    )
    return {hierarchy.codes[a] for a in rows}


def _stored(
    conn: Connection, derived: Indicator, as_of: str, period: str
) -> dict[str, float | None]:
    from sozialmonitor.store.queries import ObservationQuery, read_stored_rows

    query = ObservationQuery(
        indicators=[derived.id], periods=[period], as_of=as_of, computed=False
    )
    stored = read_stored_rows(conn, query, audience=Audience.INTERNAL)
    return {row[1]: row[4] for row in stored.rows}


def _included(
    conn: Connection, derived: Indicator, as_of: str, period: str
) -> set[str]:
    """The areas the stored result has a value for (those it included)."""
    return {
        a for a, v in _stored(conn, derived, as_of, period).items() if v is not None
    }


def _stored_areas(
    conn: Connection, derived: Indicator, as_of: str, period: str
) -> set[str]:
    return set(_stored(conn, derived, as_of, period))
