"""The ``area_lineage`` table: its migration creates what ``schema.py`` declares,
and a link needs both of its areas (issue 12)."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert
from sqlalchemy.exc import IntegrityError

from sozialmonitor.domain.area import Area
from sozialmonitor.store import schema
from sozialmonitor.store.writes import save_areas


def test_migration_matches_the_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn)
        differences = [
            d
            for d in compare_metadata(context, schema.metadata)
            if "area_lineage" in repr(d)
        ]
    assert differences == []


def test_a_link_needs_both_areas(engine: Engine) -> None:
    """(``connect`` turns SQLite's foreign keys on.)"""
    with engine.begin() as conn:
        save_areas(conn, [Area(code="A1", name="Alt", level="municipality")])
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            insert(schema.area_lineage).values(
                predecessor_id=1,
                successor_id=999,
                kind="merged",
                valid_on=dt.date(2021, 1, 1),
            )
        )
