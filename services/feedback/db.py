"""Feedback's schema: the timeline read model, ratings and review requests, outbound webhook
deliveries, and the outbox/inbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.base import make_metadata
from shared.db.inbox import inbox_table
from shared.db.outbox import outbox_table
from shared.db.rate_limit_store import rate_limit_table
from shared.db.uow import SchemaTables

SCHEMA = "feedback"
# Committing writers NOTIFY this channel; every API process LISTENs and wakes its SSE streams.
TIMELINE_CHANNEL = "feedback_timeline"
metadata = make_metadata(SCHEMA)

grievance = Table(
    "grievance",
    metadata,
    Column("grievance_id", Text, primary_key=True),
    Column("tracking_no", Text, nullable=False, unique=True),
    # NULL until grievance.received arrives: statuses that came first are kept but not shown.
    Column("tracking_token_hash", Text),
    Column("channel", Text),
    Column("external_ref", Text),
    Column("received_at", DateTime(timezone=True)),
    Column("last_seq", Integer, nullable=False, server_default=text("0")),
    Column("current_status", Text),
    Column("status_changed_at", DateTime(timezone=True)),
    Column("answered_at", DateTime(timezone=True)),
    Column("answered_by", Text),
    Column("answer_round", Integer, nullable=False, server_default=text("0")),
    Column("review_decided_at", DateTime(timezone=True)),
    Column("track", Text),
    Column("lead_department", Text),
    Column("repeat_of", Text),
    Column("routing_revision", Integer, nullable=False, server_default=text("0")),
    Column("routed_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

timeline_entry = Table(
    "timeline_entry",
    metadata,
    Column("grievance_id", Text, ForeignKey(grievance.c.grievance_id, ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False, comment="per grievance, 1, 2, 3... in the order consumed"),
    Column("event_source", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("stage", Text, nullable=False),
    Column("message_zh", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("detail", JSONB, nullable=False),
    Column("documents", JSONB, nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("grievance_id", "seq"),
    UniqueConstraint("event_source", "event_id"),
)

rating = Table(
    "rating",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("grievance_id", Text, ForeignKey(grievance.c.grievance_id, ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("rating", Text, nullable=False),
    Column("comment", Text, nullable=False),
    Column("within_window", Boolean, nullable=False),
    Column("reopen_requested", Boolean, nullable=False),
    Column("answered_at", DateTime(timezone=True), nullable=False),
    Column("answered_by", Text),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("grievance_id", "round"),
    Index("ix_rating_submitted_at", "submitted_at"),
)

review_request = Table(
    "review_request",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("grievance_id", Text, ForeignKey(grievance.c.grievance_id, ondelete="CASCADE"), nullable=False),
    Column("level", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("grievance_id", "level"),
)

webhook_delivery = Table(
    "webhook_delivery",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    # Stable across retries: the receiver drops a webhook-id it has already processed.
    Column("webhook_id", Text, nullable=False, unique=True),
    Column("target", Text, nullable=False),
    Column("grievance_id", Text, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True)),
    Column("failed_at", DateTime(timezone=True)),
    Column("last_status", Integer),
    Column("last_error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index(
        "ix_webhook_delivery_pending",
        "next_attempt_at",
        postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL"),
    ),
    Index(
        "ix_webhook_delivery_pending_grievance",
        "grievance_id",
        "id",
        postgresql_where=text("delivered_at IS NULL AND failed_at IS NULL"),
    ),
)

outbox = outbox_table(metadata)
processed_event = inbox_table(metadata)
rate_limit_counter = rate_limit_table(metadata)
TABLES = SchemaTables(outbox=outbox, inbox=processed_event)
