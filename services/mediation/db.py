"""Mediation's schema: the roster, cases and their mediators, consent, sessions, documents,
re-routes, ratings, recusals, assistance referrals, the staff audit log, and the outbox/inbox."""

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
    PrimaryKeyConstraint,
    Sequence,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from shared.db.audit import audit_table
from shared.db.base import make_metadata
from shared.db.inbox import inbox_table
from shared.db.outbox import outbox_table
from shared.db.uow import SchemaTables

SCHEMA = "mediation"
metadata = make_metadata(SCHEMA)

agreement_sequence = Sequence("agreement_seq", metadata=metadata, start=1)

mediator = Table(
    "mediator",
    metadata,
    Column("id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("street", Text, nullable=False),
    Column("office", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("skills", ARRAY(Text), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("subject", Text, unique=True),
    Column("conflict_respondents", ARRAY(Text), nullable=False),
    # Entries that left the roster file stay (their cases reference them) but are never picked.
    Column("active", Boolean, nullable=False),
    Column("synced_at", DateTime(timezone=True), nullable=False),
)

mediation = Table(
    "mediation",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("grievance_id", UUID(as_uuid=False), nullable=False),
    Column("revision", Integer, nullable=False, comment="the routing revision that opened this case"),
    Column("tracking_no", Text, nullable=False),
    Column("tracking_token_hash", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("facts", Text, nullable=False),
    Column("street", Text),
    Column("community", Text),
    Column("respondent", Text),
    Column("desired_outcome", Text),
    Column("applicant_name", Text, nullable=False, comment="masked, as intake publishes it"),
    Column("area", Text, nullable=False),
    Column("category", Text, comment="二级分类 within area (taxonomy)"),
    Column("item", Text, comment="三级分类 within category, when the router was confident"),
    Column("lead_department", Text, nullable=False),
    Column("dispute_kind", Text, nullable=False),
    Column("mediation_type", Text, nullable=False),
    Column("office", Text, nullable=False),
    Column("office_name", Text, nullable=False),
    Column("panel", Boolean, nullable=False),
    Column("triage", JSONB, nullable=False),
    Column("state", Text, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True)),
    Column("supervision_level", Integer, nullable=False, server_default=text("0")),
    Column("supervised_at", DateTime(timezone=True)),
    Column("outcome", Text),
    Column("outcome_detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("concluded_at", DateTime(timezone=True)),
    Column("performance_deadline", Date),
    Column("follow_up_due_at", DateTime(timezone=True)),
    Column("follow_up_notified_at", DateTime(timezone=True)),
    Column("performed", Boolean),
    Column("closed_at", DateTime(timezone=True)),
    Column("reopen_count", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The lawyer from shared/catalog/lawyers.yaml advising the panel (法律顾问), when there is one.
    Column("legal_adviser", JSONB),
    UniqueConstraint("grievance_id", "revision"),
    Index("ix_mediation_state_due_at", "state", "due_at"),
)

assignment = Table(
    "assignment",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), nullable=False),
    Column("mediator_id", Text, ForeignKey(mediator.c.id), nullable=False),
    Column("role", Text, nullable=False),
    Column("assigned_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True)),
    Column("release_reason", Text),
    Index("ix_assignment_mediation_id", "mediation_id"),
    Index("ix_assignment_current", "mediator_id", postgresql_where=text("released_at IS NULL")),
)

consent = Table(
    "consent",
    metadata,
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), nullable=False),
    Column("party", Text, nullable=False),
    Column("consented", Boolean, nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("recorded_by", Text, nullable=False),
    PrimaryKeyConstraint("mediation_id", "party"),
)

mediation_session = Table(
    "mediation_session",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("state", Text, nullable=False),
    Column("scheduled_for", DateTime(timezone=True), nullable=False),
    Column("location", Text, nullable=False),
    Column("scheduled_at", DateTime(timezone=True), nullable=False),
    Column("reschedule_count", Integer, nullable=False, server_default=text("0")),
    Column("remind_at", DateTime(timezone=True)),
    Column("reminded_at", DateTime(timezone=True)),
    Column("held_at", DateTime(timezone=True)),
    Column("attendance", JSONB),
    Column("minutes", Text),
    UniqueConstraint("mediation_id", "number"),
    Index("ix_mediation_session_remind_at", "remind_at", postgresql_where=text("reminded_at IS NULL")),
)

document = Table(
    "document",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False, comment="agreement | termination_notice"),
    Column("number", Text),
    Column("title", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_document_mediation_id", "mediation_id"),
)

# One row per case that went back to the router: the primary key is what makes it exactly once.
reroute = Table(
    "reroute",
    metadata,
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), primary_key=True),
    Column("grievance_id", UUID(as_uuid=False), nullable=False),
    Column("reason", Text, nullable=False),
    Column("to_track", Text, nullable=False),
    Column("event_id", Text, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
)

rating = Table(
    "rating",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), nullable=False),
    Column("rating", Text, nullable=False),
    Column("comment", Text, nullable=False),
    Column("reopen_requested", Boolean, nullable=False),
    Column("effect", Text, nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
)

recusal = Table(
    "recusal",
    metadata,
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), nullable=False),
    Column("mediator_id", Text, ForeignKey(mediator.c.id), nullable=False),
    Column("reason", Text, nullable=False),
    Column("declared_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("mediation_id", "mediator_id"),
)

# Hardship and referrals to 社会救助 / 司法救助 (《信访工作条例》第三十七条): migration 0003.
assistance_referral = Table(
    "assistance_referral",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("mediation_id", UUID(as_uuid=False), ForeignKey(mediation.c.id, ondelete="CASCADE"), nullable=False),
    Column("office", Text, nullable=False, comment="the mediation office that referred"),
    Column("kind", Text, nullable=False, comment="social | judicial (shared/assistance.py)"),
    Column("scheme", Text, nullable=False),
    Column("referred_to", Text, nullable=False, comment="department code from the catalogue"),
    Column("hardship", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("outcome_note", Text),
    Column("recorded_by", Text, nullable=False),
    Column("referred_at", DateTime(timezone=True), nullable=False),
    Column("outcome_at", DateTime(timezone=True)),
    Index("ix_assistance_referral_mediation_id", "mediation_id"),
)

audit_log = audit_table(metadata, subject="mediation_id", subject_type=UUID(as_uuid=False))

outbox = outbox_table(metadata)
processed_event = inbox_table(metadata)
TABLES = SchemaTables(outbox=outbox, inbox=processed_event)
