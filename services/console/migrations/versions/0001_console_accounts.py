"""console schema: staff accounts, sessions, pending OIDC sign-ins, account audit

Revision ID: 0001
Revises:
Create Date: 2027-01-12
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "console"


def upgrade() -> None:
    op.create_table(
        "account",
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("username", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("disabled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "oidc_subject", sa.Text(), nullable=True, comment="the provider's sub, bound at the first OIDC sign-in"
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_account"),
        sa.UniqueConstraint("username", name="uq_account_username"),
        sa.UniqueConstraint("oidc_subject", name="uq_account_oidc_subject"),
        schema=SCHEMA,
    )
    op.create_table(
        "staff_session",
        sa.Column("session_hash", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Text(), nullable=False),
        sa.Column("csrf_token", sa.Text(), nullable=False),
        sa.Column("api_token", sa.Text(), nullable=False),
        sa.Column("api_token_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "expires_at", sa.DateTime(timezone=True), nullable=False, comment="absolute end, whatever the activity"
        ),
        sa.Column("ip", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            [f"{SCHEMA}.account.account_id"],
            name="fk_staff_session_account_id_account",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_hash", name="pk_staff_session"),
        schema=SCHEMA,
    )
    op.create_index("ix_staff_session_account_id", "staff_session", ["account_id"], schema=SCHEMA)
    op.create_table(
        "oidc_login",
        sa.Column("state_hash", sa.Text(), nullable=False),
        sa.Column("nonce", sa.Text(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("next_path", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state_hash", name="pk_oidc_login"),
        schema=SCHEMA,
    )
    op.create_table(
        "account_audit",
        sa.Column("audit_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column(
            "action", sa.Text(), nullable=False, comment="sign_in, sign_in_failed, locked, sign_out, created, ..."
        ),
        sa.Column("account_id", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Text(), nullable=True, comment="the admin who acted; NULL when the account holder did"),
        sa.Column("ip", sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
        sa.PrimaryKeyConstraint("audit_id", name="pk_account_audit"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_account_audit_account_id_occurred_at", "account_audit", ["account_id", "occurred_at"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("account_audit", schema=SCHEMA)
    op.drop_table("oidc_login", schema=SCHEMA)
    op.drop_table("staff_session", schema=SCHEMA)
    op.drop_table("account", schema=SCHEMA)
