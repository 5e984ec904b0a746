"""feedback schema: rate-limit counters shared by every feedback API process

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from shared.db.migration_ops import create_rate_limit_table, drop_rate_limit_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "feedback"


def upgrade() -> None:
    create_rate_limit_table(SCHEMA)


def downgrade() -> None:
    drop_rate_limit_table(SCHEMA)
