"""Reads. ``read_observations`` is the one gate every public surface goes through
(``read_stored_rows`` is the same read of stored values as plain rows, for pages that
run over a whole level).

It applies visibility (internal indicators only for the administration) and releases
(published only, the newest value per key, or "as of" an earlier release), and fills in
values for parent areas from their children where none is stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, Select, func, select

from sozialmonitor.domain.access import Audience
from sozialmonitor.domain.area import Area, AreaLevel
from sozialmonitor.domain.collation import german_key
from sozialmonitor.domain.indicator import Indicator, Visibility
from sozialmonitor.domain.observation import Observation
from sozialmonitor.domain.period import period_order
from sozialmonitor.domain.release import Release, ReleaseChange, ReleaseStatus
from sozialmonitor.errors import (
    UnknownAreaError,
    UnknownIndicatorError,
    UnknownLevelError,
    UnknownReleaseError,
)
from sozialmonitor.store import schema
from sozialmonitor.store.area_rules import area_rules, internal_level_areas
from sozialmonitor.store.guard import Guard
from sozialmonitor.store.parent_values import with_parent_values
from sozialmonitor.store.pattern import read_pattern
from sozialmonitor.store.records import indicator_from_row, release_from_row
from sozialmonitor.store.resolution import ObservationQuery as ObservationQuery
from sozialmonitor.store.resolution import (
    indicator_codes,
    joined,
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
    with_geometry: bool = False,
) -> list[Area]:
    """Areas ordered by level and code, optionally of one level or one parent."""
    query = _area_select(with_geometry)
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


def data_version(conn: Connection) -> tuple[int, ...]:
    """A cheap fingerprint that changes whenever an import, a new area, a new or
    edited indicator (the sum of the indicators' revisions) or a release's status
    changes what a read may return; caches key on it."""
    rel, lvl, ind = schema.release, schema.area_level, schema.indicator
    counts = conn.execute(
        select(
            select(
                func.coalesce(func.max(schema.import_log.c.id), 0)
            ).scalar_subquery(),
            select(func.count()).select_from(schema.area).scalar_subquery(),
            select(func.count()).select_from(ind).scalar_subquery(),
            select(func.coalesce(func.sum(ind.c.revision), 0)).scalar_subquery(),
            select(func.count()).select_from(rel).scalar_subquery(),
            select(func.coalesce(func.max(rel.c.sequence), 0)).scalar_subquery(),
            select(func.count())
            .select_from(rel)
            .where(rel.c.status == ReleaseStatus.PUBLISHED.value)
            .scalar_subquery(),
            select(joined(conn, lvl.c.id, ordered=True))
            .where(lvl.c.visibility != Visibility.PUBLIC.value)
            .scalar_subquery(),
        )
    ).one()
    *numbers, internal_levels = counts
    return (*(int(c) for c in numbers), *_numbers(internal_levels))


def _numbers(joined_ids: str | None) -> tuple[int, ...]:
    """``"3,7"`` → ``(3, 7)``; the ids of the internal levels in a fingerprint."""
    return tuple(sorted(int(i) for i in joined_ids.split(","))) if joined_ids else ()


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
    guarded = [guard.observation(obs, ids[obs.indicator]) for obs in stored]
    return sorted(
        (obs for obs in guarded if obs is not None),
        key=attrgetter("indicator", "area", "period"),
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
    guarded = (
        guard.row(row) for row in stored_rows(conn, query, priorities, codes, scope)
    )
    return StoredRows(
        rows=[row for row in guarded if row is not None],
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
    indicators = _visible_indicators(conn, audience, query.indicators)
    if query.indicators is not None:
        for code in query.indicators:
            if code not in indicators:
                get_indicator(conn, code, audience=audience)  # raises the clear error
    scope = _area_scope(conn, query)
    if not priorities or not indicators:
        return None
    return priorities, indicators, scope


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
    visible = _visible_indicators(conn, audience, None)
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


def _visible_indicators(
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


def _area_scope(conn: Connection, query: ObservationQuery) -> Select[Any] | None:
    """A sub-select of the ids of the requested areas (None: all areas)."""
    if query.areas is None and query.level is None:
        return None
    a = schema.area
    scope = select(a.c.id)
    if query.areas is not None:
        for code in query.areas:
            area_id(conn, code)  # raises the clear error for an unknown code
        scope = scope.where(a.c.code.in_(list(query.areas)))
    if query.level is not None:
        scope = scope.where(a.c.level_id == level_id(conn, query.level))
    return scope


# --- differences between releases -------------------------------------------------


def release_diff(conn: Connection, old: str, new: str) -> list[ReleaseChange]:
    """New, changed and removed values between the state as of ``old`` and ``new``."""
    before = {
        o.key: o
        for o in read_observations(
            conn,
            ObservationQuery(as_of=old, computed=False),
            audience=Audience.INTERNAL,
        )
    }
    after = {
        o.key: o
        for o in read_observations(
            conn,
            ObservationQuery(as_of=new, computed=False),
            audience=Audience.INTERNAL,
        )
    }
    changes: list[ReleaseChange] = []
    for key in sorted(before.keys() | after.keys()):
        was, now = before.get(key), after.get(key)
        if was is None and now is not None:
            kind = "new"
        elif now is None and was is not None:
            kind = "removed"
        elif was is not None and now is not None and _differs(was, now):
            kind = "changed"
        else:
            continue
        changes.append(
            ReleaseChange(
                change=kind,
                indicator=key[0],
                area=key[1],
                period=key[2],
                old_value=was.value if was else None,
                new_value=now.value if now else None,
            )
        )
    return changes


def _differs(a: Observation, b: Observation) -> bool:
    return (a.value, a.numerator, a.denominator, a.flags, a.note) != (
        b.value,
        b.numerator,
        b.denominator,
        b.flags,
        b.note,
    )
