"""The router's schema: a read model of grievances, decision history, the review queue, labelled
examples from reviewers, the staff audit log, and the outbox/inbox."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Float, Index, Integer, Table, Text, func, text
from sqlalchemy.dialects.postgresql import JSONB

from shared.db.audit import audit_table
from shared.db.base import make_metadata
from shared.db.inbox import inbox_table
from shared.db.outbox import outbox_table
from shared.db.uow import SchemaTables

SCHEMA = "router"
metadata = make_metadata(SCHEMA)

# What the router keeps of each grievance it routed: enough to re-route, review, link repeats
# and find group cases without asking intake (services never read each other's tables).
grievance = Table(
    "grievance",
    metadata,
    Column("id", Text, primary_key=True),
    Column("tracking_no", Text, nullable=False),
    Column("received", JSONB, nullable=False, comment="the GrievanceReceived payload, for hand-offs"),
    Column("title", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("street", Text),
    Column("community", Text),
    Column("phone_pseudonym", Text),
    Column("id_card_pseudonym", Text),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("state", Text, nullable=False, comment="routed | under_review"),
    Column("revision", Integer, nullable=False),
    Column("track", Text, nullable=False),
    Column("area", Text, nullable=False),
    Column("category", Text, comment="二级分类 within area (taxonomy.tsv); null before revision 0003"),
    Column("item", Text, comment="三级分类 within category, only when confident"),
    Column("model_version", Text, comment="classifier model behind the decision"),
    Column("decision", JSONB, nullable=False),
    Column("repeat_of", Text),
    Column("cluster_id", Text),
    Column("excluded_departments", JSONB, nullable=False, server_default=text("'[]'::jsonb")),
    Column("alerted_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_grievance_phone_pseudonym", "phone_pseudonym"),
    Index("ix_grievance_id_card_pseudonym", "id_card_pseudonym"),
    Index("ix_grievance_street_area_newest", "street", "area", "received_at", "id"),  # group cases (revision 0006)
    Index("ix_grievance_received_at", "received_at"),  # the statistics window (revision 0002)
    Index("ix_grievance_area_category", "area", "category"),  # statistics by category (revision 0003)
)

# A pseudonym rotation (grievance.pseudonym.v1) read before its grievance was routed (revision 0004).
pending_pseudonym_rotation = Table(
    "pending_pseudonym_rotation",
    metadata,
    Column("grievance_id", Text, primary_key=True),
    Column("key_id", Text, nullable=False),
    Column("phone_pseudonym", Text),
    Column("id_card_pseudonym", Text),
    Column("rotated_at", DateTime(timezone=True), nullable=False),
)

routing_decision = Table(
    "routing_decision",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("grievance_id", Text, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("decided_by", Text, nullable=False),
    Column("decision", JSONB, nullable=False),
    Column("category", Text, comment="二级分类 within area (taxonomy.tsv); null before revision 0003"),
    Column("model_version", Text, comment="classifier model behind the decision"),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("uq_routing_decision_grievance_id_revision", "grievance_id", "revision", unique=True),
)

review_item = Table(
    "review_item",
    metadata,
    Column("id", Text, primary_key=True),
    Column("grievance_id", Text, nullable=False),
    Column("revision", Integer, nullable=False, comment="the routed revision the proposal was published as"),
    Column("reason", Text, nullable=False, comment="low_confidence | returned_by_department | reroute"),
    Column("reason_detail", Text, nullable=False, server_default=text("''")),
    Column("proposed", JSONB, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("urgent", Boolean, nullable=False),
    Column("status", Text, nullable=False, comment="pending | decided | superseded"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Text),
    Column("decision", JSONB),
    Column("comment", Text),
    Index("ix_review_item_status_created_at", "status", "created_at"),
    Index(
        "uq_review_item_pending_grievance",
        "grievance_id",
        unique=True,
        postgresql_where=text("status = 'pending'"),
    ),
)

labelled_example = Table(
    "labelled_example",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("grievance_id", Text, nullable=False),
    Column("review_id", Text, nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("track", Text, nullable=False),
    Column("petition_kind", Text),
    Column("area", Text, nullable=False),
    Column("category", Text, comment="二级分类 within area (taxonomy.tsv); null before revision 0003"),
    Column("item", Text, comment="三级分类 within category, only when confident"),
    Column("urgent", Boolean, nullable=False),
    Column("labelled_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

audit_log = audit_table(metadata)

outbox = outbox_table(metadata)
processed_event = inbox_table(metadata)
TABLES = SchemaTables(outbox=outbox, inbox=processed_event)
