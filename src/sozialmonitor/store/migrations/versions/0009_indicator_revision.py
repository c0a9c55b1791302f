"""Indicators get a revision, counted up by every change of their metadata: part of
the data version, so that the portal's caches read an edited indicator anew

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 04:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.add_column(
            sa.Column("revision", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        batch.drop_column("revision")
