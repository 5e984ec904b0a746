"""casework recommendations (§40), assistance referrals (§37) and key-case evaluations (评查)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "casework"


def upgrade() -> None:
    op.create_table(
        "recommendation",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=False, comment="the agency that must answer in writing"),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("grievance_ids", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("issued_by", sa.Text(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("adoption", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("supervised_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_recommendation"),
        schema=SCHEMA,
    )
    op.create_index("ix_recommendation_department_state", "recommendation", ["department", "state"], schema=SCHEMA)
    op.create_index(
        "ix_recommendation_open_due_on",
        "recommendation",
        ["due_on"],
        schema=SCHEMA,
        postgresql_where=sa.text("state = 'issued'"),
    )
    op.create_table(
        "assistance_referral",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=False, comment="the handling department that recorded it"),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("scheme", sa.Text(), nullable=False),
        sa.Column("referred_to", sa.Text(), nullable=False),
        sa.Column("hardship", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("outcome_note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["grievance_id"],
            [f"{SCHEMA}.grievance_case.grievance_id"],
            name="fk_assistance_referral_grievance_id_grievance_case",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_assistance_referral"),
        schema=SCHEMA,
    )
    op.create_index("ix_assistance_referral_grievance_id", "assistance_referral", ["grievance_id"], schema=SCHEMA)
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("closed_since", sa.Date(), nullable=True),
        sa.Column("closed_until", sa.Date(), nullable=True),
        sa.Column("department", sa.Text(), nullable=True),
        sa.Column("evaluator", sa.Text(), nullable=False),
        sa.Column(
            "lawyer_id", sa.Text(), nullable=True, comment="a 法律顾问 from the lawyer roster, when one evaluates"
        ),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evaluation"),
        schema=SCHEMA,
    )
    op.create_table(
        "evaluation_item",
        sa.Column("evaluation_id", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("tracking_no", sa.Text(), nullable=False),
        sa.Column("department", sa.Text(), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["evaluation_id"],
            [f"{SCHEMA}.evaluation.id"],
            name="fk_evaluation_item_evaluation_id_evaluation",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("evaluation_id", "grievance_id", name="pk_evaluation_item"),
        schema=SCHEMA,
    )
    op.create_index("ix_evaluation_item_department", "evaluation_item", ["department"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_evaluation_item_department", table_name="evaluation_item", schema=SCHEMA)
    op.drop_table("evaluation_item", schema=SCHEMA)
    op.drop_table("evaluation", schema=SCHEMA)
    op.drop_index("ix_assistance_referral_grievance_id", table_name="assistance_referral", schema=SCHEMA)
    op.drop_table("assistance_referral", schema=SCHEMA)
    op.drop_index("ix_recommendation_open_due_on", table_name="recommendation", schema=SCHEMA)
    op.drop_index("ix_recommendation_department_state", table_name="recommendation", schema=SCHEMA)
    op.drop_table("recommendation", schema=SCHEMA)
