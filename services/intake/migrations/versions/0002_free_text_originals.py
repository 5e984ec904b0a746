"""intake: encrypted originals of free text in which personal numbers were masked

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "free_text_original",
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("original_encrypted", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grievance_id"],
            [f"{SCHEMA}.grievance.id"],
            name="fk_free_text_original_grievance_id_grievance",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("grievance_id", "field", name="pk_free_text_original"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("free_text_original", schema=SCHEMA)
