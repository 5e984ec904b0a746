"""mediation: hardship and assistance referrals (《信访工作条例》第三十七条); the panel's legal adviser

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

SCHEMA = "mediation"


def upgrade() -> None:
    op.create_table(
        "assistance_referral",
        sa.Column("id", postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column("mediation_id", postgresql.UUID(as_uuid=False), nullable=False),
        sa.Column("office", sa.Text(), nullable=False, comment="the mediation office that referred"),
        sa.Column("kind", sa.Text(), nullable=False, comment="social | judicial (shared/assistance.py)"),
        sa.Column("scheme", sa.Text(), nullable=False),
        sa.Column("referred_to", sa.Text(), nullable=False, comment="department code from the catalogue"),
        sa.Column("hardship", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("outcome_note", sa.Text()),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("referred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_assistance_referral"),
        sa.ForeignKeyConstraint(
            ["mediation_id"],
            [f"{SCHEMA}.mediation.id"],
            name="fk_assistance_referral_mediation_id_mediation",
            ondelete="CASCADE",
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_assistance_referral_mediation_id", "assistance_referral", ["mediation_id"], schema=SCHEMA)
    # The lawyer from shared/catalog/lawyers.yaml advising the panel (法律顾问), when there is one.
    op.add_column("mediation", sa.Column("legal_adviser", postgresql.JSONB(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("mediation", "legal_adviser", schema=SCHEMA)
    op.drop_index("ix_assistance_referral_mediation_id", table_name="assistance_referral", schema=SCHEMA)
    op.drop_table("assistance_referral", schema=SCHEMA)
