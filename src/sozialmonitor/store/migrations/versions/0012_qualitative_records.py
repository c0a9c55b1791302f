"""Qualitative records: findings and recommendations, their links, and the
append-only status history of recommendations

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# The status history is append-only: the database itself refuses to change or
# remove an entry (as for the audit log, migration 0004).
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER recommendation_status_no_{verb.lower()}
    BEFORE {verb} ON recommendation_status
    BEGIN SELECT RAISE(ABORT, 'the status history is append-only'); END"""
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGER = [
    # OR REPLACE: a restore drops the tables (and so the triggers) but not the function.
    """CREATE OR REPLACE FUNCTION recommendation_status_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the status history is append-only'; END $$""",
    """CREATE TRIGGER recommendation_status_append_only
    BEFORE UPDATE OR DELETE ON recommendation_status
    FOR EACH ROW EXECUTE FUNCTION recommendation_status_append_only()""",
    """CREATE TRIGGER recommendation_status_no_truncate
    BEFORE TRUNCATE ON recommendation_status
    FOR EACH STATEMENT EXECUTE FUNCTION recommendation_status_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "qualitative_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("visibility", sa.String(length=20), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("period", sa.String(length=10), nullable=False, server_default=""),
        sa.Column(
            "source_kind", sa.String(length=20), nullable=False, server_default=""
        ),
        sa.Column(
            "source_group", sa.String(length=200), nullable=False, server_default=""
        ),
        sa.Column("source_date", sa.Date(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("rationale", sa.Text(), nullable=False, server_default=""),
        sa.Column("addressee", sa.String(length=20), nullable=False, server_default=""),
        sa.Column(
            "responsible_unit",
            sa.String(length=200),
            nullable=False,
            server_default="",
        ),
        sa.Column("estimated_cost", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_qualitative_record"),
        sa.UniqueConstraint("code", name="uq_qualitative_record_code"),
    )
    op.create_table(
        "qualitative_link",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["qualitative_record.id"],
            name="fk_qualitative_link_record_id_qualitative_record",
        ),
        sa.PrimaryKeyConstraint(
            "record_id", "role", "target", name="pk_qualitative_link"
        ),
    )
    op.create_index(
        "ix_qualitative_link_target", "qualitative_link", ["role", "target"]
    )
    op.create_table(
        "recommendation_status",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["qualitative_record.id"],
            name="fk_recommendation_status_record_id_qualitative_record",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_recommendation_status"),
    )
    op.create_index(
        "ix_recommendation_status_record_id",
        "recommendation_status",
        ["record_id"],
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    elif dialect == "postgresql":
        for statement in POSTGRES_TRIGGER:
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index(
        "ix_recommendation_status_record_id", table_name="recommendation_status"
    )
    op.drop_table("recommendation_status")  # drops its triggers with it
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS recommendation_status_append_only()")
    op.drop_index("ix_qualitative_link_target", table_name="qualitative_link")
    op.drop_table("qualitative_link")
    op.drop_table("qualitative_record")
