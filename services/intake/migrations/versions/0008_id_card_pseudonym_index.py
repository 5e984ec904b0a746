"""intake schema: an index on the ID-card pseudonym, for the registrar's repeat check

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    # The registrar looks up a complainant's earlier grievances by ID-card pseudonym before saving
    # (lookups.complainant_grievances); without an index every look-up scans the table.
    op.create_index("ix_complainant_id_card_pseudonym", "complainant", ["id_card_pseudonym"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_complainant_id_card_pseudonym", table_name="complainant", schema=SCHEMA)
