"""intake schema: when a complainant's personal data was purged, and an index to find closed cases

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    # NULL for every row so far: nothing has been purged before this migration.
    # When the retention job (services.intake.handlers.retention) anonymised the complainant.
    op.add_column("complainant", sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True), schema=SCHEMA)
    # The daily purge looks for closed cases by the time of their last status; open cases are
    # never candidates, so they stay out of the index.
    op.create_index(
        "ix_grievance_status_closed_updated_at",
        "grievance_status",
        ["updated_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("closed"),
    )


def downgrade() -> None:
    op.drop_index("ix_grievance_status_closed_updated_at", table_name="grievance_status", schema=SCHEMA)
    op.drop_column("complainant", "purged_at", schema=SCHEMA)
