"""Alembic operations for tables every service schema may need: the outbox and the inbox
(processed_event), the rate-limit counters and the staff audit log.

Kept here so the tables are the same in every schema, matching shared.db.outbox/inbox,
shared.db.rate_limit_store and shared.db.audit.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def create_messaging_tables(schema: str) -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.Text(), nullable=False, comment="logical topic; the relay adds the prefix"),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("event_id", name="uq_outbox_event_id"),
        schema=schema,
    )
    op.create_index(
        "ix_outbox_pending", "outbox", ["id"], schema=schema, postgresql_where=sa.text("published_at IS NULL")
    )
    op.create_index(
        "ix_outbox_pending_key",
        "outbox",
        ["key", "id"],
        schema=schema,
        postgresql_where=sa.text("published_at IS NULL"),
    )
    # NOTIFY is transactional: the relay wakes when a writer commits, at no cost to the writer.
    op.execute(
        f"""CREATE FUNCTION "{schema}".outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{schema}_outbox', '');
            RETURN NULL;
        END $$"""
    )
    op.execute(
        f"""CREATE TRIGGER outbox_notify AFTER INSERT ON "{schema}".outbox
        FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".outbox_notify()"""
    )
    op.create_table(
        "processed_event",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id", "consumer", name="pk_processed_event"),
        schema=schema,
    )


def drop_messaging_tables(schema: str) -> None:
    op.drop_table("processed_event", schema=schema)
    op.execute(f'DROP TRIGGER IF EXISTS outbox_notify ON "{schema}".outbox')
    op.execute(f'DROP FUNCTION IF EXISTS "{schema}".outbox_notify()')
    op.drop_index("ix_outbox_pending_key", table_name="outbox", schema=schema)
    op.drop_index("ix_outbox_pending", table_name="outbox", schema=schema)
    op.drop_table("outbox", schema=schema)


def create_rate_limit_table(schema: str) -> None:
    # UNLOGGED: no WAL for a row updated on every request; a crash empties the table, which only
    # forgives the current minute's counts.
    op.create_table(
        "rate_limit_counter",
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("client", sa.Text(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "client", "window_start", name="pk_rate_limit_counter"),
        schema=schema,
        prefixes=["UNLOGGED"],
    )
    # Room on each page lets the counter updates stay heap-only (HOT), without index writes.
    op.execute(f'ALTER TABLE "{schema}".rate_limit_counter SET (fillfactor = 70)')


def drop_rate_limit_table(schema: str) -> None:
    op.drop_table("rate_limit_counter", schema=schema)


def create_audit_table(schema: str, *, subject: str = "grievance_id", subject_type: Any = None) -> None:
    """The staff audit log of shared.db.audit.audit_table, for a new schema."""
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column(subject, subject_type if subject_type is not None else sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=schema,
    )
    op.create_index(f"ix_audit_log_{subject}", "audit_log", [subject], schema=schema)


def drop_audit_table(schema: str, *, subject: str = "grievance_id") -> None:
    op.drop_index(f"ix_audit_log_{subject}", table_name="audit_log", schema=schema)
    op.drop_table("audit_log", schema=schema)
