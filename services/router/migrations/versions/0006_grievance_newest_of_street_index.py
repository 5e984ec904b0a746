"""router: a street's newest grievances of an area in the order group-case matching reads them

The group-case question reads a street's and area's newest hundred, newest first, ties in time by
id. On (street, area, received_at) PostgreSQL read every row of the window and sorted them before
keeping a hundred (240 rows per question in bench/router_throughput.py, growing with the window);
with id in the index it reads the hundred in order and stops.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "router"


def upgrade() -> None:
    op.create_index(
        "ix_grievance_street_area_newest", "grievance", ["street", "area", "received_at", "id"], schema=SCHEMA
    )
    op.drop_index("ix_grievance_street_area_received_at", table_name="grievance", schema=SCHEMA)


def downgrade() -> None:
    op.create_index(
        "ix_grievance_street_area_received_at", "grievance", ["street", "area", "received_at"], schema=SCHEMA
    )
    op.drop_index("ix_grievance_street_area_newest", table_name="grievance", schema=SCHEMA)
