"""router: pseudonym rotations that arrived before the grievance they rotate

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "router"


def upgrade() -> None:
    # grievance.pseudonym.v1 and grievance.received.v1 are separate topics: a rotation may be read
    # before the grievance is routed. It waits here and is applied when the grievance arrives.
    op.create_table(
        "pending_pseudonym_rotation",
        sa.Column("grievance_id", sa.Text(), primary_key=True),
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("phone_pseudonym", sa.Text()),
        sa.Column("id_card_pseudonym", sa.Text()),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("pending_pseudonym_rotation", schema=SCHEMA)
