"""Indicators name the indicators they are linked to (a share's numerator and
denominator, the indicator a change is of), so that the protection of small counts
treats a count published under two of them as one cell; accounts whose new area
scope waits for its patterns are marked pending

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 07:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

LINKS = (
    ("numerator_indicator", 100),
    ("denominator_indicator", 100),
    ("change_of", 100),
    ("change_base", 10),
)


def upgrade() -> None:
    with op.batch_alter_table("indicator") as batch:
        for name, length in LINKS:
            batch.add_column(
                sa.Column(name, sa.String(length), nullable=False, server_default="")
            )
    with op.batch_alter_table("account") as batch:
        batch.add_column(
            sa.Column(
                "scope_pending", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("scope_pending")
    with op.batch_alter_table("indicator") as batch:
        for name, _length in reversed(LINKS):
            batch.drop_column(name)
