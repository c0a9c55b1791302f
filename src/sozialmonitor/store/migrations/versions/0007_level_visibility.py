"""Area levels get a visibility: values of an internal level (e.g. blocks) are read
by the signed-in administration only

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("area_level") as batch:
        batch.add_column(
            sa.Column(
                "visibility",
                sa.String(length=20),
                nullable=False,
                server_default="public",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("area_level") as batch:
        batch.drop_column("visibility")
