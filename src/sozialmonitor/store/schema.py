"""The tables. Changing them needs an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

area_level = Table(
    "area_level",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("label", String(200), nullable=False),
    Column("rank", Integer, nullable=False, unique=True),
)

area = Table(
    "area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(40), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("level_id", Integer, ForeignKey("area_level.id"), nullable=False),
    Column("parent_id", Integer, ForeignKey("area.id"), nullable=True, index=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("successor_code", String(40), nullable=True),
    Column("geometry", Text, nullable=True),
)

indicator = Table(
    "indicator",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(100), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("short_name", String(200), nullable=False),
    Column("unit", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("definition", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("numerator", Text, nullable=False),
    Column("denominator", Text, nullable=False),
    Column("multiplier", Float, nullable=False),
    Column("decimals", SmallInteger, nullable=False),
    Column("polarity", String(20), nullable=False),
    Column("source", Text, nullable=False),
    Column("licence", Text, nullable=False),
    Column("update_cycle", String(100), nullable=False),
    Column("visibility", String(20), nullable=False),
    Column("min_count", Integer, nullable=False),
    Column("first_period", String(10), nullable=False),
    Column("last_period", String(10), nullable=False),
    Column("keywords", Text, nullable=False),
)

release = Table(
    "release",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
    Column("withdrawn_at", DateTime(timezone=True), nullable=True),
    Column("sequence", Integer, nullable=True, unique=True),
    Column("note", Text, nullable=False, default=""),
)

observation = Table(
    "observation",
    metadata,
    # No foreign keys here: checked row by row they cost more than the whole write of
    # a Germany-size import on PostgreSQL (bench/germany.py). The importers resolve
    # every code before writing, and nothing deletes areas, indicators or releases.
    Column("indicator_id", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("area_id", Integer, nullable=False),
    Column("release_id", Integer, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("value", Float, nullable=True),
    Column("numerator", Float, nullable=True),
    Column("denominator", Float, nullable=True),
    Column("flags", SmallInteger, nullable=False, default=0),
    Column("note", Text, nullable=True),
    # The key serves the map read (one indicator, one period, all areas) ...
    PrimaryKeyConstraint("indicator_id", "period", "area_id", "release_id"),
    # ... this index the profile read (one area, all indicators and periods) and the
    # coverage read (which areas have which periods, per release) without the table.
    Index("ix_observation_area", "area_id", "indicator_id", "period", "release_id"),
)

suppression_slice = Table(
    "suppression_slice",
    metadata,
    # A release computed the suppression pattern of this indicator and period (the
    # state "as of" it); a read applies the pattern of the newest such release it may
    # see. A slice with nothing hidden has a row here and none in suppressed_cell.
    Column("release_id", Integer, nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("method", String(40), nullable=False),
    Column("hidden", Integer, nullable=False),
    Column("exposed", Integer, nullable=False),
    PrimaryKeyConstraint("indicator_id", "period", "release_id"),
)

suppressed_cell = Table(
    "suppressed_cell",
    metadata,
    Column("release_id", Integer, nullable=False),
    Column("indicator_id", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("area_id", Integer, nullable=False),
    Column("reason", String(20), nullable=False),
    PrimaryKeyConstraint("indicator_id", "period", "area_id", "release_id"),
    Index("ix_suppressed_cell_area", "area_id", "indicator_id"),
)

import_log = Table(
    "import_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("release.id"), nullable=True),
    Column("kind", String(20), nullable=False),
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_written", Integer, nullable=False),
    Column("imported_at", DateTime(timezone=True), nullable=False),
)

__all__ = [
    "area",
    "area_level",
    "import_log",
    "indicator",
    "metadata",
    "observation",
    "release",
    "suppressed_cell",
    "suppression_slice",
]
