"""casework schema: case aggregate, clocks, documents, repeat links, idempotency, audit, outbox/inbox

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

SCHEMA = "casework"


def upgrade() -> None:
    op.create_table(
        "grievance_case",
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("tracking_no", sa.Text(), nullable=False),
        sa.Column("track", sa.Text(), nullable=False),
        sa.Column("petition_kind", sa.Text(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("lead_department", sa.Text(), nullable=False),
        sa.Column("co_departments", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remedy_window_ends_on", sa.Date(), nullable=True),
        sa.Column(
            "aggregate",
            postgresql.JSONB(astext_type=sa.Text()),
            nullable=False,
            comment="the Case aggregate; the columns above mirror it",
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("grievance_id", name="pk_grievance_case"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_grievance_case_lead_department_state", "grievance_case", ["lead_department", "state"], schema=SCHEMA
    )
    op.create_index(
        "ix_grievance_case_co_departments", "grievance_case", ["co_departments"], schema=SCHEMA,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_grievance_case_remedy_window_ends_on", "grievance_case", ["remedy_window_ends_on"], schema=SCHEMA
    )
    op.create_table(
        "deadline",
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("warned", sa.Boolean(), nullable=False),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grievance_id"], [f"{SCHEMA}.grievance_case.grievance_id"],
            name="fk_deadline_grievance_id_grievance_case", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grievance_id", "seq", name="pk_deadline"),
        schema=SCHEMA,
    )
    op.create_index("ix_deadline_owner_step", "deadline", ["owner", "step"], schema=SCHEMA)
    op.create_index(
        "ix_deadline_running_due_on", "deadline", ["due_on"], schema=SCHEMA,
        postgresql_where=sa.text("done_at IS NULL AND NOT cancelled"),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("doc_no", sa.Text(), nullable=False),
        sa.Column("issued_by", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grievance_id"], [f"{SCHEMA}.grievance_case.grievance_id"],
            name="fk_document_grievance_id_grievance_case", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_document"),
        schema=SCHEMA,
    )
    op.create_index("ix_document_grievance_id", "document", ["grievance_id"], schema=SCHEMA)
    op.create_table(
        "repeat_link",
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("tracking_no", sa.Text(), nullable=False),
        sa.Column("open_grievance_id", sa.Text(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column(
            "outcome", sa.Text(), nullable=False, comment="linked (open case, §19) or refused (after 复核, §36)"
        ),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("grievance_id", name="pk_repeat_link"),
        schema=SCHEMA,
    )
    op.create_table(
        "idempotency_key",
        sa.Column("principal", sa.Text(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("request_hash", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("response", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("principal", "key", name="pk_idempotency_key"),
        schema=SCHEMA,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    op.create_index("ix_audit_log_grievance_id", "audit_log", ["grievance_id"], schema=SCHEMA)
    create_messaging_tables(SCHEMA)


def downgrade() -> None:
    drop_messaging_tables(SCHEMA)
    op.drop_index("ix_audit_log_grievance_id", table_name="audit_log", schema=SCHEMA)
    op.drop_table("audit_log", schema=SCHEMA)
    op.drop_table("idempotency_key", schema=SCHEMA)
    op.drop_table("repeat_link", schema=SCHEMA)
    op.drop_index("ix_document_grievance_id", table_name="document", schema=SCHEMA)
    op.drop_table("document", schema=SCHEMA)
    op.drop_index("ix_deadline_running_due_on", table_name="deadline", schema=SCHEMA)
    op.drop_index("ix_deadline_owner_step", table_name="deadline", schema=SCHEMA)
    op.drop_table("deadline", schema=SCHEMA)
    op.drop_index("ix_grievance_case_remedy_window_ends_on", table_name="grievance_case", schema=SCHEMA)
    op.drop_index("ix_grievance_case_co_departments", table_name="grievance_case", schema=SCHEMA)
    op.drop_index("ix_grievance_case_lead_department_state", table_name="grievance_case", schema=SCHEMA)
    op.drop_table("grievance_case", schema=SCHEMA)
