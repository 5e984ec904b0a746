"""router schema: grievance read model, decisions, review queue, labelled examples, audit, outbox/inbox

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

SCHEMA = "router"
JSONB = postgresql.JSONB(astext_type=sa.Text())


def upgrade() -> None:
    op.create_table(
        "grievance",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("tracking_no", sa.Text(), nullable=False),
        sa.Column("received", JSONB, nullable=False, comment="the GrievanceReceived payload, for hand-offs"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=True),
        sa.Column("community", sa.Text(), nullable=True),
        sa.Column("phone_pseudonym", sa.Text(), nullable=True),
        sa.Column("id_card_pseudonym", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.Text(), nullable=False, comment="routed | under_review"),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("track", sa.Text(), nullable=False),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("decision", JSONB, nullable=False),
        sa.Column("repeat_of", sa.Text(), nullable=True),
        sa.Column("cluster_id", sa.Text(), nullable=True),
        sa.Column("excluded_departments", JSONB, server_default=sa.text("'[]'::jsonb"), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_grievance"),
        schema=SCHEMA,
    )
    op.create_index("ix_grievance_phone_pseudonym", "grievance", ["phone_pseudonym"], schema=SCHEMA)
    op.create_index("ix_grievance_id_card_pseudonym", "grievance", ["id_card_pseudonym"], schema=SCHEMA)
    op.create_index(
        "ix_grievance_street_area_received_at", "grievance", ["street", "area", "received_at"], schema=SCHEMA
    )
    op.create_table(
        "routing_decision",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("decided_by", sa.Text(), nullable=False),
        sa.Column("decision", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_routing_decision"),
        schema=SCHEMA,
    )
    op.create_index(
        "uq_routing_decision_grievance_id_revision",
        "routing_decision",
        ["grievance_id", "revision"],
        unique=True,
        schema=SCHEMA,
    )
    op.create_table(
        "review_item",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False,
                  comment="the routed revision the proposal was published as"),
        sa.Column("reason", sa.Text(), nullable=False,
                  comment="low_confidence | returned_by_department | reroute"),
        sa.Column("reason_detail", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("proposed", JSONB, nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False, comment="pending | decided | superseded"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.Text(), nullable=True),
        sa.Column("decision", JSONB, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_review_item"),
        schema=SCHEMA,
    )
    op.create_index("ix_review_item_status_created_at", "review_item", ["status", "created_at"], schema=SCHEMA)
    op.create_index(
        "uq_review_item_pending_grievance",
        "review_item",
        ["grievance_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_table(
        "labelled_example",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("review_id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("track", sa.Text(), nullable=False),
        sa.Column("petition_kind", sa.Text(), nullable=True),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("labelled_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_labelled_example"),
        sa.UniqueConstraint("review_id", name="uq_labelled_example_review_id"),
        schema=SCHEMA,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=True),
        sa.Column("detail", JSONB, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    create_messaging_tables(SCHEMA)


def downgrade() -> None:
    drop_messaging_tables(SCHEMA)
    op.drop_table("audit_log", schema=SCHEMA)
    op.drop_table("labelled_example", schema=SCHEMA)
    op.drop_index("uq_review_item_pending_grievance", table_name="review_item", schema=SCHEMA)
    op.drop_index("ix_review_item_status_created_at", table_name="review_item", schema=SCHEMA)
    op.drop_table("review_item", schema=SCHEMA)
    op.drop_index("uq_routing_decision_grievance_id_revision", table_name="routing_decision", schema=SCHEMA)
    op.drop_table("routing_decision", schema=SCHEMA)
    for index in ("ix_grievance_street_area_received_at", "ix_grievance_id_card_pseudonym", "ix_grievance_phone_pseudonym"):
        op.drop_index(index, table_name="grievance", schema=SCHEMA)
    op.drop_table("grievance", schema=SCHEMA)
