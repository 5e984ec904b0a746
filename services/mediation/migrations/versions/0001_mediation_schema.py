"""mediation schema: roster, cases, assignments, consent, sessions, documents, re-routes, ratings,
recusals, audit, outbox/inbox

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

SCHEMA = "mediation"


def _case_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["mediation_id"], [f"{SCHEMA}.mediation.id"], name=f"fk_{table}_mediation_id_mediation", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence("agreement_seq", schema=SCHEMA, start=1)))
    op.create_table(
        "mediator",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=False),
        sa.Column("office", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("skills", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("conflict_respondents", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mediator"),
        sa.UniqueConstraint("subject", name="uq_mediator_subject"),
        schema=SCHEMA,
    )
    op.create_table(
        "mediation",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, comment="the routing revision that opened this case"),
        sa.Column("tracking_no", sa.Text(), nullable=False),
        sa.Column("tracking_token_hash", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("street", sa.Text(), nullable=True),
        sa.Column("community", sa.Text(), nullable=True),
        sa.Column("respondent", sa.Text(), nullable=True),
        sa.Column("desired_outcome", sa.Text(), nullable=True),
        sa.Column("applicant_name", sa.Text(), nullable=False, comment="masked, as intake publishes it"),
        sa.Column("area", sa.Text(), nullable=False),
        sa.Column("lead_department", sa.Text(), nullable=False),
        sa.Column("dispute_kind", sa.Text(), nullable=False),
        sa.Column("mediation_type", sa.Text(), nullable=False),
        sa.Column("office", sa.Text(), nullable=False),
        sa.Column("office_name", sa.Text(), nullable=False),
        sa.Column("panel", sa.Boolean(), nullable=False),
        sa.Column("triage", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("supervision_level", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("supervised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column(
            "outcome_detail",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("concluded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("performance_deadline", sa.Date(), nullable=True),
        sa.Column("follow_up_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("performed", sa.Boolean(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopen_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mediation"),
        sa.UniqueConstraint("grievance_id", "revision", name="uq_mediation_grievance_id_revision"),
        schema=SCHEMA,
    )
    op.create_index("ix_mediation_state_due_at", "mediation", ["state", "due_at"], schema=SCHEMA)
    op.create_table(
        "assignment",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("mediator_id", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        _case_fk("assignment"),
        sa.ForeignKeyConstraint(
            ["mediator_id"], [f"{SCHEMA}.mediator.id"], name="fk_assignment_mediator_id_mediator"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assignment"),
        schema=SCHEMA,
    )
    op.create_index("ix_assignment_mediation_id", "assignment", ["mediation_id"], schema=SCHEMA)
    op.create_index(
        "ix_assignment_current",
        "assignment",
        ["mediator_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("released_at IS NULL"),
    )
    op.create_table(
        "consent",
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("consented", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        _case_fk("consent"),
        sa.PrimaryKeyConstraint("mediation_id", "party", name="pk_consent"),
        schema=SCHEMA,
    )
    op.create_table(
        "mediation_session",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reschedule_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attendance", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        _case_fk("mediation_session"),
        sa.PrimaryKeyConstraint("id", name="pk_mediation_session"),
        sa.UniqueConstraint("mediation_id", "number", name="uq_mediation_session_mediation_id_number"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_mediation_session_remind_at",
        "mediation_session",
        ["remind_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("reminded_at IS NULL"),
    )
    op.create_table(
        "document",
        sa.Column("id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False, comment="agreement | termination_notice"),
        sa.Column("number", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _case_fk("document"),
        sa.PrimaryKeyConstraint("id", name="pk_document"),
        schema=SCHEMA,
    )
    op.create_index("ix_document_mediation_id", "document", ["mediation_id"], schema=SCHEMA)
    op.create_table(
        "reroute",
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("to_track", sa.Text(), nullable=False),
        sa.Column("event_id", sa.Text(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        _case_fk("reroute"),
        sa.PrimaryKeyConstraint("mediation_id", name="pk_reroute"),
        schema=SCHEMA,
    )
    op.create_table(
        "rating",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("rating", sa.Text(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("reopen_requested", sa.Boolean(), nullable=False),
        sa.Column("effect", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        _case_fk("rating"),
        sa.PrimaryKeyConstraint("id", name="pk_rating"),
        schema=SCHEMA,
    )
    op.create_table(
        "recusal",
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("mediator_id", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        _case_fk("recusal"),
        sa.ForeignKeyConstraint(["mediator_id"], [f"{SCHEMA}.mediator.id"], name="fk_recusal_mediator_id_mediator"),
        sa.PrimaryKeyConstraint("mediation_id", "mediator_id", name="pk_recusal"),
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
        sa.Column("mediation_id", sa.UUID(as_uuid=False), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    create_messaging_tables(SCHEMA)


def downgrade() -> None:
    drop_messaging_tables(SCHEMA)
    for table in (
        "audit_log",
        "recusal",
        "rating",
        "reroute",
        "document",
        "mediation_session",
        "consent",
        "assignment",
        "mediation",
        "mediator",
    ):
        op.drop_table(table, schema=SCHEMA)
    op.execute(sa.schema.DropSequence(sa.Sequence("agreement_seq", schema=SCHEMA)))
