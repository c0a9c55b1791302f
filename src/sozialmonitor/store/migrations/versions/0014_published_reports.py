"""Reports published as pages, stored as rendered

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_report",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("template", sa.String(length=100), nullable=False),
        sa.Column("area", sa.String(length=40), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=True),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("release_name", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=100), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_published_report"),
    )


def downgrade() -> None:
    op.drop_table("published_report")
