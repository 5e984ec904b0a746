"""intake schema: grievance, encrypted complainant identity, idempotency, webhooks, audit, outbox/inbox

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.db.migration_ops import create_messaging_tables, drop_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("tracking_seq", schema=SCHEMA, start=1)))
    op.create_table(
        "grievance",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("tracking_no", sa.Text(), nullable=False),
        sa.Column("tracking_token_hash", sa.Text(), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=True),
        sa.Column("community", sa.Text(), nullable=True),
        sa.Column("address_detail", sa.Text(), nullable=True),
        sa.Column("respondent", sa.Text(), nullable=True),
        sa.Column("desired_outcome", sa.Text(), nullable=True),
        sa.Column("attachments", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("external_ref", sa.Text(), nullable=True),
        sa.Column("registered_by", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_grievance"),
        sa.UniqueConstraint("channel", "external_ref", name="uq_grievance_channel_external_ref"),
        sa.UniqueConstraint("tracking_no", name="uq_grievance_tracking_no"),
        schema=SCHEMA,
    )
    op.create_table(
        "complainant",
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("name_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("mobile_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("id_card_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("name_masked", sa.Text(), nullable=False),
        sa.Column("mobile_masked", sa.Text(), nullable=False),
        sa.Column("id_card_masked", sa.Text(), nullable=True),
        sa.Column("mobile_pseudonym", sa.Text(), nullable=False),
        sa.Column("id_card_pseudonym", sa.Text(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], [f"{SCHEMA}.grievance.id"],
                                name="fk_complainant_grievance_id_grievance", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("grievance_id", name="pk_complainant"),
        schema=SCHEMA,
    )
    op.create_index("ix_complainant_mobile_pseudonym", "complainant", ["mobile_pseudonym"], schema=SCHEMA)
    op.create_table(
        "idempotency_key",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("response_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_idempotency_key"),
        schema=SCHEMA,
    )
    op.create_table(
        "webhook_receipt",
        sa.Column("webhook_id", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("response_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("webhook_id", name="pk_webhook_receipt"),
        schema=SCHEMA,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    create_messaging_tables(SCHEMA)


def downgrade() -> None:
    drop_messaging_tables(SCHEMA)
    for table in ("audit_log", "webhook_receipt", "idempotency_key", "complainant", "grievance"):
        op.drop_table(table, schema=SCHEMA)
    op.execute(sa.schema.DropSequence(sa.Sequence("tracking_seq", schema=SCHEMA)))
