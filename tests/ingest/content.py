"""What a database holds: all of it (to show that an import changed nothing), and
its observations by key (to check what an import stored)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from sozialmonitor.store import schema

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(engine: Engine) -> Snapshot:
    """Every row of every table of the schema, in a stable order."""
    with engine.connect() as conn:
        return {
            table.name: [
                tuple(row)
                for row in conn.execute(select(table).order_by(*table.columns))
            ]
            for table in schema.metadata.sorted_tables
        }


def stored(
    engine: Engine, release: str | None = None
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """The stored observations (of one release, or all) by (indicator, area, period),
    with their release's name.

    Fails on a key stored in two releases, which the tests here never expect.
    """
    o, ind, a, rel = schema.observation, schema.indicator, schema.area, schema.release
    sel = (
        select(
            ind.c.code.label("indicator"),
            a.c.code.label("area"),
            o.c.period,
            rel.c.name.label("release"),
            o.c.value,
            o.c.numerator,
            o.c.denominator,
            o.c.flags,
            o.c.note,
        )
        .join(ind, o.c.indicator_id == ind.c.id)
        .join(a, o.c.area_id == a.c.id)
        .join(rel, o.c.release_id == rel.c.id)
    )
    if release is not None:
        sel = sel.where(rel.c.name == release)
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    with engine.connect() as conn:
        for row in conn.execute(sel):
            key = (row.indicator, row.area, row.period)
            assert key not in found, f"{key} is stored in two releases"
            found[key] = dict(row._mapping)
    return found
