"""Stored values as a read sees them: of the releases it may see, the newest per key."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from sqlalchemy import (
    Connection,
    CursorResult,
    Select,
    String,
    cast,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

from sozialmonitor.domain.indicator import Indicator
from sozialmonitor.domain.observation import Flag, Observation
from sozialmonitor.domain.period import Period
from sozialmonitor.store import schema


@dataclass(frozen=True, kw_only=True)
class ObservationQuery:
    """What a read asks for; None means "all"."""

    indicators: Sequence[str] | None = None
    areas: Sequence[str] | None = None
    level: str | None = None
    period_from: Period | None = None
    period_to: Period | None = None
    periods: Sequence[str] | None = None
    as_of: str | None = None
    computed: bool = True
    """Fill in values of parent areas from their children where none is stored."""


def value_conditions(
    query: ObservationQuery, priorities: dict[int, int], indicator_ids: Iterable[int]
) -> list[ColumnElement[bool]]:
    """The conditions on ``observation`` rows of the releases, indicators and periods
    a read asks for."""
    o = schema.observation
    conditions: list[ColumnElement[bool]] = [
        o.c.release_id.in_(list(priorities)),
        o.c.indicator_id.in_(list(indicator_ids)),
    ]
    if query.period_from is not None:
        conditions.append(o.c.period_end >= query.period_from.start)
    if query.period_to is not None:
        conditions.append(o.c.period_end <= query.period_to.end)
    if query.periods is not None:
        conditions.append(o.c.period.in_(list(query.periods)))
    return conditions


def indicator_codes(conn: Connection, codes: Iterable[str]) -> dict[int, str]:
    """Database id → code of these indicators."""
    ind = schema.indicator
    query = select(ind.c.id, ind.c.code).where(ind.c.code.in_(list(codes)))
    return {row.id: row.code for row in conn.execute(query)}


def release_names(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    """Database id → name of these releases."""
    rel = schema.release
    query = select(rel.c.id, rel.c.name).where(rel.c.id.in_(list(ids)))
    return {row.id: row.name for row in conn.execute(query)}


def stored_rows(
    conn: Connection,
    query: ObservationQuery,
    priorities: dict[int, int],
    indicator_ids: Iterable[int],
    scope: Select[Any] | None,
) -> list[Any]:
    """The stored value with the highest release priority per key, as rows
    ``(indicator_id, area code, period, release_id, value, numerator, denominator,
    flags, note)`` in no particular order; removed values (tombstones) left out."""
    o, a = schema.observation, schema.area
    conditions = value_conditions(query, priorities, indicator_ids)
    sel = select(
        o.c.indicator_id,
        a.c.code,
        o.c.period,
        o.c.release_id,
        o.c.value,
        o.c.numerator,
        o.c.denominator,
        o.c.flags,
        o.c.note,
    ).join(a, o.c.area_id == a.c.id)
    if query.areas is not None and scope is not None:
        # Named areas (a profile, a comparison, the rows of a table page): their
        # values along the area index, "area_id IN (SELECT …)". On the joined
        # area codes SQLite would read every value of the indicator (~100,000
        # at Germany size) and keep 500 of them: 90 ms instead of 0.5 ms.
        sel = sel.where(o.c.area_id.in_(scope))
    elif scope is not None and scope.whereclause is not None:
        # A level: the scope's conditions on the joined areas, not "area_id IN
        # (…)": the planner then reads a map (one indicator and period, all areas)
        # along the primary key.
        sel = sel.where(scope.whereclause)
    rows: Iterable[Any] = chain.from_iterable(
        _plain_batches(conn.execute(sel.where(*conditions)))
    )
    if len(priorities) > 1:  # the newest release wins (one release: one row a key)
        ranked: dict[tuple[int, str, str], tuple[int, Any]] = {}
        for row in rows:
            key = (row[0], row[1], row[2])
            rank = priorities[row[3]]
            held = ranked.get(key)
            if held is None or rank > held[0]:
                ranked[key] = (rank, row)
        rows = (row for _rank, row in ranked.values())
    removed = int(Flag.REMOVED)
    return [row for row in rows if not row[7] & removed]


def _plain_batches(
    result: CursorResult[Any], size: int = 2000
) -> Iterator[Sequence[Any]]:
    """The rows of a result as the driver returns them (plain tuples), in batches.

    No column of :func:`stored_rows` needs a type conversion on either database
    (integers, text, floats), so SQLAlchemy's ``Row`` objects (12 ms for the
    22,000 rows of a change view at Germany size) are skipped. Not for a result
    that streams (``stream_results``, ``yield_per``): SQLAlchemy has read its first
    rows from the cursor already. The caller keeps every row anyway.
    """
    cursor = result.cursor
    try:
        while batch := cursor.fetchmany(size):
            yield batch
    finally:
        result.close()


def stored_values(
    conn: Connection,
    query: ObservationQuery,
    priorities: dict[int, int],
    indicators: dict[str, Indicator],
    scope: Select[Any] | None,
    codes: dict[int, str] | None = None,
) -> list[Observation]:
    """The stored value with the highest release priority, per key (``codes``:
    the indicators' database ids → codes, when the caller has them)."""
    # Codes and names of the few indicators and releases are looked up once here, so
    # that the big query touches only the observation rows and their areas.
    codes = codes if codes is not None else indicator_codes(conn, indicators)
    names = release_names(conn, priorities)
    return [
        row_observation(row, codes, names)
        for row in stored_rows(conn, query, priorities, codes, scope)
    ]


def row_observation(
    row: Sequence[Any], codes: dict[int, str], names: dict[int, str]
) -> Observation:
    """The ``Observation`` of a row of :func:`stored_rows`."""
    (
        indicator_id,
        area,
        period,
        release_id,
        value,
        numerator,
        denominator,
        flags,
        note,
    ) = row
    return _observation(
        {
            "indicator": codes[indicator_id],
            "area": area,
            "period": period,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "flags": flags,
            "note": note,
            "release": names[release_id],
            "missing_children": (),
        }
    )


_OBSERVATION_FIELDS = (
    "indicator",
    "area",
    "period",
    "value",
    "numerator",
    "denominator",
    "flags",
    "note",
    "release",
    "missing_children",
)
_PLAIN_OBSERVATION = (
    tuple(f.name for f in dataclasses.fields(Observation)) == _OBSERVATION_FIELDS
    and not hasattr(Observation, "__post_init__")
    and not hasattr(Observation, "__slots__")
)
"""Whether ``Observation.__init__`` does nothing but set exactly these fields."""


def _observation(fields: dict[str, Any]) -> Observation:
    """An ``Observation`` of stored values, made ~6x faster than by its ``__init__``.

    A frozen dataclass sets each field through ``object.__setattr__``; for the 11,000
    values of a map that is a third of the read. While the class does nothing else in
    ``__init__`` (the same fields, no ``__post_init__``, no slots), filling its
    ``__dict__`` gives the same object; otherwise the constructor is used.
    """
    if not _PLAIN_OBSERVATION:
        return Observation(**fields)
    made: Observation = object.__new__(Observation)
    made.__dict__.update(fields)
    return made


def joined(conn: Connection, column: Any, *, ordered: bool = False) -> Any:
    """Comma-joined values of a group (SQLite ``group_concat``, PostgreSQL
    ``string_agg``); ``ordered`` sorts them on PostgreSQL, SQLite keeps the index's
    order."""
    if conn.dialect.name == "postgresql":
        text = cast(column, String)
        if ordered:
            return func.string_agg(
                text, aggregate_order_by(literal_column("','"), column)
            )
        return func.string_agg(text, ",")
    return func.group_concat(column, ",")
