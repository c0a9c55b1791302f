"""Sign-in through OpenID Connect: started sign-ins, accounts linked to an identity

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 01:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oidc_login",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("binding_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("next_url", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name="pk_oidc_login"),
    )
    op.create_index("ix_oidc_login_created_at", "oidc_login", ["created_at"])
    # Batch mode: SQLite adds a unique constraint only by rebuilding the table.
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("oidc_issuer", sa.String(length=400), nullable=True))
        batch.add_column(
            sa.Column("oidc_subject", sa.String(length=255), nullable=True)
        )
        batch.create_unique_constraint(
            "uq_account_oidc_identity", ["oidc_issuer", "oidc_subject"]
        )


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_constraint("uq_account_oidc_identity", type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
    op.drop_index("ix_oidc_login_created_at", table_name="oidc_login")
    op.drop_table("oidc_login")
