"""Casework's schema: the case aggregate (JSONB, with the columns queries need), its clocks as
rows for the scheduler and statistics, issued documents, hearings, repeat links, idempotency keys, the
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

from shared.db.audit import audit_table
from shared.db.base import make_metadata
from shared.db.inbox import inbox_table
from shared.db.outbox import outbox_table
from shared.db.uow import SchemaTables
from shared.idempotency import idempotency_table

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
    Column("paused_at", DateTime(timezone=True), comment="set while a hearing stops the clock (§36)"),
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
    Column("issuer_name", Text, nullable=False, comment="as printed on the notice: its PDF's author"),
    Column("html", Text, nullable=False, comment="the notice as issued"),
    Column("pdf", LargeBinary, comment="made from the html on first download, then kept"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_document_grievance_id", "grievance_id"),
)

hearing = Table(
    "hearing",
    metadata,
    Column("id", Text, primary_key=True),
    Column("grievance_id", Text, ForeignKey(grievance_case.c.grievance_id, ondelete="CASCADE"), nullable=False),
    # Who holds the hearing: the handler (§31(六) hearing) or the 复核 body (§36 hearing).
    Column("body", Text, nullable=False, comment="handler (§31) or re_review (§36)"),
    Column("state", Text, nullable=False),
    Column("opened_by", Text, nullable=False),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True)),
    Column("paused_working_days", Integer),
    Column("published_at", DateTime(timezone=True)),
    Column("public_notice", Text, comment="the 公示 text, personal data masked"),
    Column("aggregate", JSONB, nullable=False, comment="the Hearing"),
    Index("ix_hearing_grievance_id", "grievance_id"),
    Index("ix_hearing_published_at", "published_at", postgresql_where=text("published_at IS NOT NULL")),
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

idempotency_key = idempotency_table(metadata)

audit_log = audit_table(metadata)

# -- recommendations (§40), assistance referrals (§37), key-case evaluation (评查): migration 0003 --

recommendation = Table(
    "recommendation",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("department", Text, nullable=False, comment="the agency that must answer in writing"),
    Column("title", Text, nullable=False),
    Column("reasons", Text, nullable=False),
    Column("grievance_ids", ARRAY(Text), nullable=False),
    Column("due_on", Date, nullable=False),
    Column("state", Text, nullable=False),
    Column("issued_by", Text, nullable=False),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("adoption", Text),
    Column("answer", Text),
    Column("answered_by", Text),
    Column("answered_at", DateTime(timezone=True)),
    Column("answered_on", Date),
    Column("supervised_at", DateTime(timezone=True)),
    Index("ix_recommendation_department_state", "department", "state"),
    Index("ix_recommendation_open_due_on", "due_on", postgresql_where=text("state = 'issued'")),
)

assistance_referral = Table(
    "assistance_referral",
    metadata,
    Column("id", Text, primary_key=True),
    Column("grievance_id", Text, ForeignKey(grievance_case.c.grievance_id, ondelete="CASCADE"), nullable=False),
    Column("department", Text, nullable=False, comment="the handling department that recorded it"),
    Column("kind", Text, nullable=False),
    Column("scheme", Text, nullable=False),
    Column("referred_to", Text, nullable=False),
    Column("hardship", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("outcome_note", Text),
    Column("recorded_by", Text, nullable=False),
    Column("referred_at", DateTime(timezone=True), nullable=False),
    Column("outcome_at", DateTime(timezone=True)),
    Index("ix_assistance_referral_grievance_id", "grievance_id"),
)

evaluation = Table(
    "evaluation",
    metadata,
    Column("id", Text, primary_key=True),
    Column("rule", Text, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("size", Integer, nullable=False),
    Column("closed_since", Date),
    Column("closed_until", Date),
    Column("department", Text),
    Column("evaluator", Text, nullable=False),
    Column("lawyer_id", Text, comment="a 法律顾问 from the lawyer roster, when one evaluates"),
    Column("created_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

evaluation_item = Table(
    "evaluation_item",
    metadata,
    Column("evaluation_id", Text, ForeignKey(evaluation.c.id, ondelete="CASCADE"), nullable=False),
    Column("grievance_id", Text, nullable=False),
    Column("tracking_no", Text, nullable=False),
    Column("department", Text, nullable=False),
    Column("scores", JSONB),
    Column("total", Integer),
    Column("findings", Text),
    Column("scored_at", DateTime(timezone=True)),
    Column("sent_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("evaluation_id", "grievance_id"),
    Index("ix_evaluation_item_department", "department"),
)

outbox = outbox_table(metadata)
processed_event = inbox_table(metadata)
TABLES = SchemaTables(outbox=outbox, inbox=processed_event)
