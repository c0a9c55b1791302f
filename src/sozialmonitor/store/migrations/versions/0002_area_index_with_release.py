"""ix_observation_area also holds release_id

The coverage read (which indicator has values for which areas and periods, in the
releases a reader may see) and the profile read then scan this index alone.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 20:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_area")
        batch_op.create_index(
            "ix_observation_area",
            ["area_id", "indicator_id", "period", "release_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_area")
        batch_op.create_index(
            "ix_observation_area", ["area_id", "indicator_id", "period"], unique=False
        )
