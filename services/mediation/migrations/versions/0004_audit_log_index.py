"""mediation: the staff audit log indexed by mediation case, as in every schema (shared.db.audit)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "mediation"


def upgrade() -> None:
    op.create_index("ix_audit_log_mediation_id", "audit_log", ["mediation_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_audit_log_mediation_id", table_name="audit_log", schema=SCHEMA)
