"""router: index grievance.received_at for the statistics window

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "router"


def upgrade() -> None:
    op.create_index("ix_grievance_received_at", "grievance", ["received_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_grievance_received_at", table_name="grievance", schema=SCHEMA)
