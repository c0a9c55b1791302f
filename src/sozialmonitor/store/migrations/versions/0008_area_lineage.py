"""Area lineage: which area became which (merged, split, renamed, recoded), when,
and the share of the predecessor's population or area that moved

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "area_lineage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("predecessor_id", sa.Integer(), nullable=False),
        sa.Column("successor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("valid_on", sa.Date(), nullable=False),
        sa.Column("share", sa.Float(), nullable=True),
        sa.Column("basis", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["predecessor_id"],
            ["area.id"],
            name="fk_area_lineage_predecessor_id_area",
        ),
        sa.ForeignKeyConstraint(
            ["successor_id"],
            ["area.id"],
            name="fk_area_lineage_successor_id_area",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_area_lineage"),
        sa.UniqueConstraint(
            "predecessor_id", "successor_id", name="uq_area_lineage_link"
        ),
    )
    op.create_index("ix_area_lineage_successor_id", "area_lineage", ["successor_id"])


def downgrade() -> None:
    op.drop_index("ix_area_lineage_successor_id", table_name="area_lineage")
    op.drop_table("area_lineage")
