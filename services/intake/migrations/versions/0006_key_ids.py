"""intake schema: the id of the pseudonym key behind each complainant's stored pseudonyms

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    # Every pseudonym stored so far was made with the single pre-rotation key, which the settings
    # accept as key id "1"; a constant default adds the column without rewriting the table.
    op.add_column(
        "complainant",
        sa.Column(
            "pseudonym_key_id",
            sa.Text(),
            nullable=False,
            server_default="1",
            comment="id of the HMAC key of mobile_pseudonym/id_card_pseudonym (INTAKE_PII_PSEUDONYM_KEYS)",
        ),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("complainant", "pseudonym_key_id", schema=SCHEMA)
