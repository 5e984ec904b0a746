"""router: the taxonomy's category (二级), item (三级) and model version on decisions and examples

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "router"
# Nullable: rows decided before the taxonomy have no category, and stay as they were decided.
COLUMNS = {
    "grievance": ("category", "item", "model_version"),
    "routing_decision": ("category", "model_version"),
    "labelled_example": ("category", "item"),
}
COMMENTS = {
    "category": "二级分类 within area (taxonomy.tsv); null before revision 0003",
    "item": "三级分类 within category, only when confident",
    "model_version": "classifier model behind the decision",
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        for column in columns:
            op.add_column(table, sa.Column(column, sa.Text(), nullable=True, comment=COMMENTS[column]), schema=SCHEMA)
    op.create_index("ix_grievance_area_category", "grievance", ["area", "category"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("ix_grievance_area_category", table_name="grievance", schema=SCHEMA)
    for table, columns in COLUMNS.items():
        for column in columns:
            op.drop_column(table, column, schema=SCHEMA)
