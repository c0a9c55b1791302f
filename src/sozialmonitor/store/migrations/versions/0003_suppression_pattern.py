"""Suppression patterns: which cells of which release the public may not see

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "suppression_slice",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("hidden", sa.Integer(), nullable=False),
        sa.Column("exposed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "indicator_id", "period", "release_id", name="pk_suppression_slice"
        ),
    )
    op.create_table(
        "suppressed_cell",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint(
            "indicator_id", "period", "area_id", "release_id", name="pk_suppressed_cell"
        ),
    )
    op.create_index(
        "ix_suppressed_cell_area", "suppressed_cell", ["area_id", "indicator_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_suppressed_cell_area", table_name="suppressed_cell")
    op.drop_table("suppressed_cell")
    op.drop_table("suppression_slice")
