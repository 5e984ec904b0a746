"""mediation: the routing decision's category (二级) and item (三级) beside its area

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "mediation"


def upgrade() -> None:
    # Nullable: cases opened before the taxonomy have an area only.
    op.add_column(
        "mediation",
        sa.Column("category", sa.Text(), nullable=True, comment="二级分类 within area (taxonomy)"),
        schema=SCHEMA,
    )
    op.add_column(
        "mediation",
        sa.Column("item", sa.Text(), nullable=True, comment="三级分类 within category, when the router was confident"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("mediation", "item", schema=SCHEMA)
    op.drop_column("mediation", "category", schema=SCHEMA)
