"""Intake's schema: the grievance record, the complainant's encrypted identity, idempotency keys,
webhook receipts, the staff audit log, and the outbox/inbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    Sequence,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db.base import make_metadata
from shared.db.inbox import inbox_table
from shared.db.outbox import outbox_table
from shared.db.uow import SchemaTables

SCHEMA = "intake"
metadata = make_metadata(SCHEMA)

tracking_sequence = Sequence("tracking_seq", metadata=metadata, start=1)

grievance = Table(
    "grievance",
    metadata,
    Column("id", UUID(as_uuid=False), primary_key=True),
    Column("tracking_no", Text, nullable=False, unique=True),
    Column("tracking_token_hash", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("street", Text),
    Column("community", Text),
    Column("address_detail", Text),
    Column("respondent", Text),
    Column("desired_outcome", Text),
    Column("attachments", JSONB, nullable=False),
    Column("external_ref", Text),
    Column("registered_by", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("channel", "external_ref"),
)

complainant = Table(
    "complainant",
    metadata,
    Column("grievance_id", UUID(as_uuid=False), ForeignKey(grievance.c.id, ondelete="CASCADE"), primary_key=True),
    # AES-256-GCM ciphertexts (shared.pii.FieldCipher); the key is not in the database.
    Column("name_encrypted", LargeBinary, nullable=False),
    Column("mobile_encrypted", LargeBinary, nullable=False),
    Column("id_card_encrypted", LargeBinary),
    Column("name_masked", Text, nullable=False),
    Column("mobile_masked", Text, nullable=False),
    Column("id_card_masked", Text),
    Column("mobile_pseudonym", Text, nullable=False),
    Column("id_card_pseudonym", Text),
    Column("anonymous", Boolean, nullable=False),
    Index("ix_complainant_mobile_pseudonym", "mobile_pseudonym"),
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("key", Text, primary_key=True),
    Column("request_hash", Text, nullable=False),
    Column("grievance_id", UUID(as_uuid=False)),
    # The 202 body includes the tracking token, so it is kept encrypted for replays.
    Column("response_encrypted", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

webhook_receipt = Table(
    "webhook_receipt",
    metadata,
    Column("webhook_id", Text, primary_key=True),
    Column("source", Text, nullable=False),
    Column("grievance_id", UUID(as_uuid=False)),
    Column("response_encrypted", LargeBinary),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
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
    Column("grievance_id", UUID(as_uuid=False)),
    Column("detail", JSONB, nullable=False),
)

outbox = outbox_table(metadata)
processed_event = inbox_table(metadata)
TABLES = SchemaTables(outbox=outbox, inbox=processed_event)
