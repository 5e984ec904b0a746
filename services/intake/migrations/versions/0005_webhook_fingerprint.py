"""intake schema: the fingerprint of the signed body with each 民意速办 webhook receipt

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    # Nullable: receipts already stored have no fingerprint and are answered as replays.
    op.add_column("webhook_receipt", sa.Column("body_fingerprint", sa.Text(), nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("webhook_receipt", "body_fingerprint", schema=SCHEMA)
