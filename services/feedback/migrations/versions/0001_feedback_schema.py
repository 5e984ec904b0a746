"""feedback schema: timeline read model, ratings, review requests, webhook deliveries, outbox/inbox

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

SCHEMA = "feedback"
PENDING = sa.text("delivered_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "grievance",
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("tracking_no", sa.Text(), nullable=False),
        sa.Column("tracking_token_hash", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=True),
        sa.Column("external_ref", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seq", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("current_status", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Text(), nullable=True),
        sa.Column("answer_round", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("review_decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("track", sa.Text(), nullable=True),
        sa.Column("lead_department", sa.Text(), nullable=True),
        sa.Column("repeat_of", sa.Text(), nullable=True),
        sa.Column("routing_revision", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("routed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("grievance_id", name="pk_grievance"),
        sa.UniqueConstraint("tracking_no", name="uq_grievance_tracking_no"),
        schema=SCHEMA,
    )
    op.create_table(
        "timeline_entry",
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False, comment="per grievance, 1, 2, 3... in the order consumed"),
        sa.Column("event_source", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("stage", sa.Text(), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("documents", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], [f"{SCHEMA}.grievance.grievance_id"],
                                name="fk_timeline_entry_grievance_id_grievance", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("grievance_id", "seq", name="pk_timeline_entry"),
        sa.UniqueConstraint("event_source", "event_id", name="uq_timeline_entry_event_source_event_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "rating",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("within_window", sa.Boolean(), nullable=False),
        sa.Column("reopen_requested", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], [f"{SCHEMA}.grievance.grievance_id"],
                                name="fk_rating_grievance_id_grievance", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_rating"),
        sa.UniqueConstraint("grievance_id", "round", name="uq_rating_grievance_id_round"),
        schema=SCHEMA,
    )
    op.create_index("ix_rating_submitted_at", "rating", ["submitted_at"], schema=SCHEMA)
    op.create_table(
        "review_request",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("level", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], [f"{SCHEMA}.grievance.grievance_id"],
                                name="fk_review_request_grievance_id_grievance", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_review_request"),
        sa.UniqueConstraint("grievance_id", "level", name="uq_review_request_grievance_id_level"),
        schema=SCHEMA,
    )
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("webhook_id", sa.Text(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_webhook_delivery"),
        sa.UniqueConstraint("webhook_id", name="uq_webhook_delivery_webhook_id"),
        schema=SCHEMA,
    )
    op.create_index("ix_webhook_delivery_pending", "webhook_delivery", ["next_attempt_at"], schema=SCHEMA,
                    postgresql_where=PENDING)
    op.create_index("ix_webhook_delivery_pending_grievance", "webhook_delivery", ["grievance_id", "id"],
                    schema=SCHEMA, postgresql_where=PENDING)
    create_messaging_tables(SCHEMA)


def downgrade() -> None:
    drop_messaging_tables(SCHEMA)
    op.drop_index("ix_webhook_delivery_pending_grievance", table_name="webhook_delivery", schema=SCHEMA)
    op.drop_index("ix_webhook_delivery_pending", table_name="webhook_delivery", schema=SCHEMA)
    op.drop_index("ix_rating_submitted_at", table_name="rating", schema=SCHEMA)
    for table in ("webhook_delivery", "review_request", "rating", "timeline_entry", "grievance"):
        op.drop_table(table, schema=SCHEMA)
