"""Indicators carry their English texts: name, short name, unit, topic and
definition (empty: the English pages show the German text and say so)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ENGLISH: tuple[tuple[str, sa.types.TypeEngine[str]], ...] = (
    ("name_en", sa.String(300)),
    ("short_name_en", sa.String(200)),
    ("unit_en", sa.String(100)),
    ("topic_en", sa.String(200)),
    ("definition_en", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        for name, kind in ENGLISH:
            batch.add_column(sa.Column(name, kind, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        for name, _kind in reversed(ENGLISH):
            batch.drop_column(name)
