"""Intake's schema: the grievance record, the complainant's encrypted identity, encrypted originals
of masked free text, idempotency keys, webhook receipts, the staff audit log, and the outbox/inbox."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    Sequence,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from shared.db.audit import audit_table
from shared.db.base import make_metadata
from shared.db.inbox import inbox_table
from shared.db.outbox import outbox_table
from shared.db.rate_limit_store import rate_limit_table
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
    # Where the filer put the grievance on a map (Open311 lat/long, WGS-84) and an address id of
    # the filer's own system; plain data, like the street and the address text.
    Column("latitude", Double),
    Column("longitude", Double),
    Column("address_id", Text),
    Column("category_hint", Text),
    UniqueConstraint("channel", "external_ref"),
    Index("ix_grievance_channel_received_at", "channel", "received_at"),
)

complainant = Table(
    "complainant",
    metadata,
    Column("grievance_id", UUID(as_uuid=False), ForeignKey(grievance.c.id, ondelete="CASCADE"), primary_key=True),
    # AES-256-GCM ciphertexts (shared.pii.FieldCipher); the key is not in the database.
    # Name and mobile are NULL when the filer gave none (an Open311 request may carry no contact).
    Column("name_encrypted", LargeBinary),
    Column("mobile_encrypted", LargeBinary),
    Column("id_card_encrypted", LargeBinary),
    Column("email_encrypted", LargeBinary),
    Column("name_masked", Text, nullable=False),
    Column("mobile_masked", Text),
    Column("id_card_masked", Text),
    Column("email_masked", Text),
    Column("mobile_pseudonym", Text),
    Column("id_card_pseudonym", Text),
    # Which pseudonym key made the two pseudonyms (handlers.pseudonyms rotates them).
    Column(
        "pseudonym_key_id",
        Text,
        nullable=False,
        server_default="1",
        comment="id of the HMAC key of mobile_pseudonym/id_card_pseudonym (INTAKE_PII_PSEUDONYM_KEYS)",
    ),
    Column("anonymous", Boolean, nullable=False),
    # Set when the retention job anonymised the row (handlers.retention); NULL until then.
    Column("purged_at", DateTime(timezone=True)),
    Index("ix_complainant_mobile_pseudonym", "mobile_pseudonym"),
    Index("ix_complainant_id_card_pseudonym", "id_card_pseudonym"),
)

# Free text as the citizen typed it, only for fields where masking changed something
# (domain.free_text); AES-256-GCM like the identity, the field name as associated data.
free_text_original = Table(
    "free_text_original",
    metadata,
    Column(
        "grievance_id",
        UUID(as_uuid=False),
        ForeignKey(grievance.c.id, ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("field", Text, primary_key=True),
    Column("original_encrypted", LargeBinary, nullable=False),
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
    # SHA-256 of the signed body: a different body under a used webhook-id is refused, not
    # answered with the first grievance. NULL on receipts from before migration 0005.
    Column("body_fingerprint", Text),
    Column("grievance_id", UUID(as_uuid=False)),
    # The first answer without the tracking token: a replay never hands the token out again.
    Column("response_encrypted", LargeBinary),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

audit_log = audit_table(metadata, subject_type=UUID(as_uuid=False))

# Read model of grievance.status.v1: where each grievance stands now (Open311 GET requests).
grievance_status = Table(
    "grievance_status",
    metadata,
    Column("grievance_id", UUID(as_uuid=False), primary_key=True),
    Column("status", Text, nullable=False),
    Column("closed", Boolean, nullable=False),
    Column("actor", Text, nullable=False),
    Column("message_zh", Text, nullable=False),
    Column("due_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The retention job's scan: closed cases by the time of their last status (migration 0007).
    Index("ix_grievance_status_closed_updated_at", "updated_at", postgresql_where=text("closed")),
)

outbox = outbox_table(metadata)
processed_event = inbox_table(metadata)
rate_limit_counter = rate_limit_table(metadata)
TABLES = SchemaTables(outbox=outbox, inbox=processed_event)
