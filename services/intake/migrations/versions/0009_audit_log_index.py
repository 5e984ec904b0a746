"""intake schema: the staff audit log indexed by grievance, as in every schema (shared.db.audit)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    op.create_index("ix_audit_log_grievance_id", "audit_log", ["grievance_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_audit_log_grievance_id", table_name="audit_log", schema=SCHEMA)
