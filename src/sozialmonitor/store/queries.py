"""Reads. ``read_observations`` is the one gate every public surface goes through
(``read_stored_rows`` is the same read of stored values as plain rows, for pages that
run over a whole level).

It applies visibility (internal indicators only for the administration) and releases
(published only, the newest value per key, or "as of" an earlier release), and fills in
values for parent areas from their children where none is stored.

Reads built on the gate live beside it: ``coverage`` (which periods exist where),
``release_diff`` (what a release changes) and ``data_version`` (the fingerprint the
portal's caches key on).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Select, or_, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.domain.release import Release, ReleaseStatus
from sozialmonitor.errors import (
    UnknownAreaError,
    UnknownIndicatorError,
    UnknownLevelError,
    UnknownReleaseError,
)
from sozialmonitor.store import schema
from sozialmonitor.store.area_rules import area_rules
from sozialmonitor.store.guard import Guard
from sozialmonitor.store.parent_values import with_parent_values
from sozialmonitor.store.pattern import read_pattern
from sozialmonitor.store.records import indicator_from_row, release_from_row
from sozialmonitor.store.resolution import ObservationQuery as ObservationQuery
from sozialmonitor.store.resolution import (
    indicator_codes,
    release_names,
    row_observation,
    stored_rows,
    stored_values,
)

# --- levels, areas, indicators, releases -------------------------------------------


def list_levels(conn: Connection) -> list[AreaLevel]:
    rows = conn.execute(select(schema.area_level).order_by(schema.area_level.c.rank))
    return [
        AreaLevel(
            code=r.code,
            label=r.label,
            rank=r.rank,
            internal=r.visibility == Visibility.INTERNAL.value,
        )
        for r in rows
    ]


def _area_select(with_geometry: bool) -> Any:
    a, lvl = schema.area, schema.area_level
    parent = schema.area.alias("parent")
    columns = [
        a.c.id,
        a.c.code,
        a.c.name,
        lvl.c.code.label("level"),
        parent.c.code.label("parent"),
        a.c.valid_from,
        a.c.valid_to,
        a.c.successor_code,
    ]
    if with_geometry:
        columns.append(a.c.geometry)
    return (
        select(*columns)
        .join(lvl, a.c.level_id == lvl.c.id)
        .outerjoin(parent, a.c.parent_id == parent.c.id)
        .order_by(lvl.c.rank, a.c.code)
    )


def _area_from_row(row: Any, with_geometry: bool) -> Area:
    return Area(
        code=row.code,
        name=row.name,
        level=row.level,
        parent=row.parent,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        successor=row.successor_code,
        geometry=row.geometry if with_geometry else None,
    )


def list_areas(
    conn: Connection,
    *,
    level: str | None = None,
    parent: str | None = None,
    codes: Iterable[str] | None = None,
    valid_on: dt.date | None = None,
    with_geometry: bool = False,
) -> list[Area]:
    """Areas ordered by level and code, optionally of one level or one parent, or
    those valid on a day (for a period: its end, so that a map of 2019 draws the
    areas of 31.12.2019, see :func:`~sozialmonitor.domain.area.valid_between`)."""
    query = _area_select(with_geometry)
    if valid_on is not None:
        a = schema.area
        query = query.where(
            or_(a.c.valid_from.is_(None), a.c.valid_from <= valid_on),
            or_(a.c.valid_to.is_(None), a.c.valid_to >= valid_on),
        )
    if level is not None:
        level_id(conn, level)
        query = query.where(schema.area_level.c.code == level)
    if parent is not None:
        query = query.where(schema.area.c.parent_id == area_id(conn, parent))
    if codes is not None:
        query = query.where(schema.area.c.code.in_(list(codes)))
    return [_area_from_row(r, with_geometry) for r in conn.execute(query)]


def get_area(conn: Connection, code: str, *, with_geometry: bool = False) -> Area:
    rows = list_areas(conn, codes=[code], with_geometry=with_geometry)
    if not rows:
        raise UnknownAreaError(f"There is no area with the code '{code}'.")
    return rows[0]


def area_id(conn: Connection, code: str) -> int:
    found = conn.scalar(select(schema.area.c.id).where(schema.area.c.code == code))
    if found is None:
        raise UnknownAreaError(f"There is no area with the code '{code}'.")
    return int(found)


def indicator_id(conn: Connection, code: str) -> int:
    found = conn.scalar(
        select(schema.indicator.c.id).where(schema.indicator.c.code == code)
    )
    if found is None:
        raise UnknownIndicatorError(f"There is no indicator with the id '{code}'.")
    return int(found)


def stored_periods(conn: Connection, indicator: str) -> list[str]:
    """The periods with stored values of an indicator in any release and level,
    newest first: candidates only (the read gate decides what may be seen), for
    finding the newest period without reading every period's values."""
    obs = schema.observation
    found = conn.scalars(
        select(obs.c.period)
        .where(obs.c.indicator_id == indicator_id(conn, indicator))
        .distinct()
    )
    return sorted(found, key=period_order, reverse=True)


def level_id(conn: Connection, code: str) -> int:
    found = conn.scalar(
        select(schema.area_level.c.id).where(schema.area_level.c.code == code)
    )
    if found is None:
        known = ", ".join(lvl.code for lvl in list_levels(conn))
        raise UnknownLevelError(
            f"There is no area level '{code}'. Known levels: {known}."
        )
    return int(found)


def list_indicators(
    conn: Connection, *, audience: Audience = Audience.PUBLIC
) -> list[Indicator]:
    """Indicators the audience may see, by topic and name in German order."""
    ind = schema.indicator
    query = select(ind)
    if not audience.internal:
        query = query.where(ind.c.visibility == Visibility.PUBLIC.value)
    found = [indicator_from_row(r) for r in conn.execute(query)]
    return sorted(found, key=lambda i: (german_key(i.topic), german_key(i.name)))


def get_indicator(
    conn: Connection, code: str, *, audience: Audience = Audience.PUBLIC
) -> Indicator:
    ind = schema.indicator
    row = conn.execute(select(ind).where(ind.c.code == code)).first()
    if row is None or (
        not audience.internal and row.visibility != Visibility.PUBLIC.value
    ):
        raise UnknownIndicatorError(f"There is no indicator with the id '{code}'.")
    return indicator_from_row(row)


def list_releases(
    conn: Connection, *, audience: Audience = Audience.INTERNAL
) -> list[Release]:
    """Releases in the order they were drafted; the public learns only of those
    that were published (and may since have been withdrawn), never of drafts."""
    rel = schema.release
    query = select(rel).order_by(rel.c.created_at, rel.c.id)
    if not audience.internal:
        query = query.where(rel.c.published_at.isnot(None))
    return [release_from_row(r) for r in conn.execute(query)]


def get_release(conn: Connection, name: str) -> Release:
    row = conn.execute(
        select(schema.release).where(schema.release.c.name == name)
    ).first()
    if row is None:
        known = ", ".join(r.name for r in list_releases(conn)) or "none yet"
        raise UnknownReleaseError(
            f"There is no release named '{name}'. Releases: {known}."
        )
    return release_from_row(row)


def latest_published(conn: Connection) -> Release | None:
    rel = schema.release
    row = conn.execute(
        select(rel)
        .where(rel.c.status == ReleaseStatus.PUBLISHED.value)
        .order_by(rel.c.sequence.desc())
        .limit(1)
    ).first()
    return release_from_row(row) if row else None


# --- the gate ---------------------------------------------------------------------


def release_priorities(
    conn: Connection, *, as_of: str | None, audience: Audience
) -> dict[int, int]:
    """Release id → priority (higher wins) of the releases a read may see.

    Without ``as_of``: all published releases, newest publication first. With ``as_of``:
    the published releases up to that one; the administration may also read "as of" a
    draft (a preview on top of everything published) or a withdrawn release.
    """
    published = [
        r
        for r in list_releases(conn)
        if r.status is ReleaseStatus.PUBLISHED and r.sequence is not None
    ]
    if as_of is None:
        return {r.id: r.sequence or 0 for r in published}
    if not audience.internal:
        # The public learns nothing of drafts or withdrawn releases, not even that
        # one of that name exists.
        matching = [r for r in published if r.name == as_of]
        if not matching:
            known = ", ".join(r.name for r in published) or "none yet"
            raise UnknownReleaseError(
                f"There is no published release named '{as_of}'. "
                f"Published releases: {known}."
            )
        target = matching[0]
    else:
        target = get_release(conn, as_of)
    if target.sequence is None:  # a draft: everything published, then the draft
        limit = max((r.sequence or 0 for r in published), default=0)
    else:
        limit = target.sequence
    chosen = {r.id: r.sequence or 0 for r in published if (r.sequence or 0) <= limit}
    chosen[target.id] = limit + 1 if target.sequence is None else target.sequence
    return chosen


def read_observations(
    conn: Connection,
    query: ObservationQuery,
    *,
    audience: Audience = Audience.PUBLIC,
) -> list[Observation]:
    """Values as the audience may see them, one per indicator × area × period.

    Ordered by indicator, area and period. Removed values (tombstones) and values of
    unpublished or withdrawn releases never appear; internal indicators only for
    ``Audience.INTERNAL``.
    """
    read = _read_plan(conn, query, audience)
    if read is None:
        return []
    priorities, indicators, scope = read
    codes = indicator_codes(conn, indicators)
    stored = stored_values(conn, query, priorities, indicators, scope, codes)
    if query.computed and scope is not None:
        stored = with_parent_values(conn, query, priorities, indicators, scope, stored)
    ids = {code: key for key, code in codes.items()}
    guard = Guard(
        read_pattern(conn, priorities, list(ids.values()), query.periods, scope),
        audience,
        area_rules(conn, audience),
    )
    return sorted(
        guard.observations(stored, ids), key=attrgetter("indicator", "area", "period")
    )


@dataclass(frozen=True)
class StoredRows:
    """Stored values as the audience may see them, as plain rows rather than an
    object each, in no particular order: for reads that run over a whole level
    (11,000 municipalities) and show a few of its values.

    A row is ``(indicator_id, area code, period, release_id, value, numerator,
    denominator, flags, note)``; :meth:`observation` makes its ``Observation``.
    """

    rows: list[Any]
    indicators: dict[int, str]
    """Database id → indicator code."""
    releases: dict[int, str]
    """Database id → release name."""

    def observation(self, row: Sequence[Any]) -> Observation:
        return row_observation(row, self.indicators, self.releases)


def read_stored_rows(
    conn: Connection,
    query: ObservationQuery,
    *,
    audience: Audience = Audience.PUBLIC,
) -> StoredRows:
    """What :func:`read_observations` reads with ``computed=False``, as rows.

    Raises
    ------
    ValueError
        If the query asks for computed values: those are read as observations.
    """
    if query.computed:
        raise ValueError("Stored rows have no computed values: ask computed=False.")
    read = _read_plan(conn, query, audience)
    if read is None:
        return StoredRows(rows=[], indicators={}, releases={})
    priorities, indicators, scope = read
    codes = indicator_codes(conn, indicators)
    guard = Guard(
        read_pattern(conn, priorities, list(codes), query.periods, scope),
        audience,
        area_rules(conn, audience),
    )
    return StoredRows(
        rows=guard.rows(stored_rows(conn, query, priorities, codes, scope)),
        indicators=codes,
        releases=release_names(conn, priorities),
    )


def _read_plan(
    conn: Connection, query: ObservationQuery, audience: Audience
) -> tuple[dict[int, int], dict[str, Indicator], Select[Any] | None] | None:
    """Release priorities, indicators and area scope of a read; None when the
    audience may see nothing of it. Raises the clear error for an indicator or area
    that does not exist or that the audience may not see."""
    priorities = release_priorities(conn, as_of=query.as_of, audience=audience)
    indicators = visible_indicators(conn, audience, query.indicators)
    if query.indicators is not None:
        for code in query.indicators:
            if code not in indicators:
                get_indicator(conn, code, audience=audience)  # raises the clear error
    scope = _area_scope(conn, query)
    if not priorities or not indicators:
        return None
    return priorities, indicators, scope


def visible_indicators(
    conn: Connection, audience: Audience, codes: Sequence[str] | None
) -> dict[str, Indicator]:
    """The indicators a read asks for (None: all) that the audience may see."""
    ind = schema.indicator
    query = select(ind)
    if not audience.internal:
        query = query.where(ind.c.visibility == Visibility.PUBLIC.value)
    if codes is not None:
        query = query.where(ind.c.code.in_(list(codes)))
    return {row.code: indicator_from_row(row) for row in conn.execute(query)}


AREA_CHECK_BATCH = 1000
"""Area codes looked up at once (well under every driver's limit of parameters)."""


def _check_area_codes(conn: Connection, codes: Sequence[str]) -> None:
    """Raise the clear error for the first code that names no area."""
    wanted = list(dict.fromkeys(codes))
    known: set[str] = set()
    code = schema.area.c.code
    for start in range(0, len(wanted), AREA_CHECK_BATCH):
        batch = wanted[start : start + AREA_CHECK_BATCH]
        known.update(conn.scalars(select(code).where(code.in_(batch))))
    for missing in (c for c in wanted if c not in known):
        raise UnknownAreaError(f"There is no area with the code '{missing}'.")


def _area_scope(conn: Connection, query: ObservationQuery) -> Select[Any] | None:
    """A sub-select of the ids of the requested areas (None: all areas)."""
    if query.areas is None and query.level is None:
        return None
    a = schema.area
    scope = select(a.c.id)
    if query.areas is not None:
        _check_area_codes(conn, query.areas)
        scope = scope.where(a.c.code.in_(list(query.areas)))
    if query.level is not None:
        scope = scope.where(a.c.level_id == level_id(conn, query.level))
    return scope
