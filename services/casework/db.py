"""Casework's schema: the case aggregate (JSONB, with the columns queries need), its clocks as
rows for the scheduler and statistics, issued documents, repeat links, idempotency keys, the
staff audit log, and the outbox/inbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from shared.db.base import make_metadata
from shared.db.inbox import inbox_table
from shared.db.outbox import outbox_table
from shared.db.uow import SchemaTables

SCHEMA = "casework"
metadata = make_metadata(SCHEMA)

grievance_case = Table(
    "grievance_case",
    metadata,
    Column("grievance_id", Text, primary_key=True),
    Column("tracking_no", Text, nullable=False),
    Column("track", Text, nullable=False),
    Column("petition_kind", Text),
    Column("state", Text, nullable=False),
    Column("lead_department", Text, nullable=False),
    Column("co_departments", ARRAY(Text), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("confidential", Boolean, nullable=False),
    Column("final", Boolean, nullable=False),
    Column("next_due_at", DateTime(timezone=True)),
    # The day after which an unchallenged reply is closed by the scheduler.
    Column("remedy_window_ends_on", Date),
    Column("aggregate", JSONB, nullable=False, comment="the Case aggregate; the columns above mirror it"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_grievance_case_lead_department_state", "lead_department", "state"),
    Index("ix_grievance_case_co_departments", "co_departments", postgresql_using="gin"),
    Index("ix_grievance_case_remedy_window_ends_on", "remedy_window_ends_on"),
)

deadline = Table(
    "deadline",
    metadata,
    Column("grievance_id", Text, ForeignKey(grievance_case.c.grievance_id, ondelete="CASCADE"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("step", Text, nullable=False),
    Column("owner", Text, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("done_at", DateTime(timezone=True)),
    Column("done_on", Date),
    Column("cancelled", Boolean, nullable=False),
    Column("warned", Boolean, nullable=False),
    Column("supervised", Boolean, nullable=False),
    PrimaryKeyConstraint("grievance_id", "seq"),
    Index("ix_deadline_running_due_on", "due_on", postgresql_where=text("done_at IS NULL AND NOT cancelled")),
    Index("ix_deadline_owner_step", "owner", "step"),
)

document = Table(
    "document",
    metadata,
    Column("id", Text, primary_key=True),
    Column("grievance_id", Text, ForeignKey(grievance_case.c.grievance_id, ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("doc_no", Text, nullable=False),
    Column("issued_by", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_document_grievance_id", "grievance_id"),
)

repeat_link = Table(
    "repeat_link",
    metadata,
    Column("grievance_id", Text, primary_key=True),
    Column("tracking_no", Text, nullable=False),
    Column("open_grievance_id", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("outcome", Text, nullable=False, comment="linked (open case, §19) or refused (after 复核, §36)"),
    Column("linked_at", DateTime(timezone=True), nullable=False),
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("principal", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("grievance_id", Text, nullable=False),
    Column("response", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("principal", "key"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("department", Text),
    Column("action", Text, nullable=False),
    Column("grievance_id", Text),
    Column("detail", JSONB, nullable=False),
    Index("ix_audit_log_grievance_id", "grievance_id"),
)

outbox = outbox_table(metadata)
processed_event = inbox_table(metadata)
TABLES = SchemaTables(outbox=outbox, inbox=processed_event)
