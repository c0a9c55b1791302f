"""The release digest, stored per release and audience when a release is published

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "release_digest",
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=60), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("release_id", "audience", name="pk_release_digest"),
    )


def downgrade() -> None:
    op.drop_table("release_digest")
