"""router: the staff audit log gets the actor's department and a grievance index, the shape every
schema shares (shared.db.audit)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "router"


def upgrade() -> None:
    # Nullable: rows written before this revision did not record it.
    op.add_column("audit_log", sa.Column("department", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_index("ix_audit_log_grievance_id", "audit_log", ["grievance_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_audit_log_grievance_id", table_name="audit_log", schema=SCHEMA)
    op.drop_column("audit_log", "department", schema=SCHEMA)
