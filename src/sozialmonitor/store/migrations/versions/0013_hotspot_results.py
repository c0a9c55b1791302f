"""Hot-spot analyses of the large levels, stored per data version

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hotspot_result",
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("audience", sa.String(length=60), nullable=False),
        sa.Column("indicator", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=40), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=100), nullable=False),
        sa.Column("pattern", sa.String(length=64), nullable=False),
        sa.Column("areas", sa.String(length=64), nullable=False),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("moran", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "version",
            "audience",
            "indicator",
            "level",
            "period",
            "method",
            name="pk_hotspot_result",
        ),
    )
    op.create_table(
        "hotspot_areas",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Text(), nullable=False),
        sa.Column("codes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("digest", name="pk_hotspot_areas"),
    )


def downgrade() -> None:
    op.drop_table("hotspot_areas")
    op.drop_table("hotspot_result")
