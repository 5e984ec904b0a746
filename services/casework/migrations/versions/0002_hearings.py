"""casework hearings (听证): hearing, its panel and participants, the record and the public notice

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "casework"


def upgrade() -> None:
    op.add_column(
        "deadline",
        sa.Column(
            "paused_at", sa.DateTime(timezone=True), nullable=True, comment="set while a hearing stops the clock (§36)"
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "hearing",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("grievance_id", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="handler (§31) or re_review (§36)"),
        sa.Column("state", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.Text(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_working_days", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("public_notice", sa.Text(), nullable=True, comment="the 公示 text, personal data masked"),
        sa.Column("aggregate", postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment="the Hearing"),
        sa.ForeignKeyConstraint(
            ["grievance_id"], [f"{SCHEMA}.grievance_case.grievance_id"],
            name="fk_hearing_grievance_id_grievance_case", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_hearing"),
        schema=SCHEMA,
    )
    op.create_index("ix_hearing_grievance_id", "hearing", ["grievance_id"], schema=SCHEMA)
    op.create_index(
        "ix_hearing_published_at", "hearing", ["published_at"], schema=SCHEMA,
        postgresql_where=sa.text("published_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_hearing_published_at", table_name="hearing", schema=SCHEMA)
    op.drop_index("ix_hearing_grievance_id", table_name="hearing", schema=SCHEMA)
    op.drop_table("hearing", schema=SCHEMA)
    op.drop_column("deadline", "paused_at", schema=SCHEMA)
