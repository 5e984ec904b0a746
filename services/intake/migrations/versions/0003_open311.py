"""intake: Open311 location fields, optional name and mobile, e-mail, grievance status read model

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

Downgrading makes name and mobile required again, so it fails while grievances filed without a
name or number (Open311) exist; delete or complete those first.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "intake"
OPTIONAL_CONTACT = (
    ("name_encrypted", sa.LargeBinary()),
    ("mobile_encrypted", sa.LargeBinary()),
    ("mobile_masked", sa.Text()),
    ("mobile_pseudonym", sa.Text()),
)


def upgrade() -> None:
    op.add_column("grievance", sa.Column("latitude", sa.Double(), nullable=True), schema=SCHEMA)
    op.add_column("grievance", sa.Column("longitude", sa.Double(), nullable=True), schema=SCHEMA)
    op.add_column("grievance", sa.Column("address_id", sa.Text(), nullable=True), schema=SCHEMA)
    op.add_column("grievance", sa.Column("category_hint", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_index("ix_grievance_channel_received_at", "grievance", ["channel", "received_at"], schema=SCHEMA)
    for column, type_ in OPTIONAL_CONTACT:
        op.alter_column("complainant", column, existing_type=type_, nullable=True, schema=SCHEMA)
    op.add_column("complainant", sa.Column("email_encrypted", sa.LargeBinary(), nullable=True), schema=SCHEMA)
    op.add_column("complainant", sa.Column("email_masked", sa.Text(), nullable=True), schema=SCHEMA)
    op.create_table(
        "grievance_status",
        sa.Column("grievance_id", sa.UUID(as_uuid=False), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("message_zh", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("grievance_id", name="pk_grievance_status"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("grievance_status", schema=SCHEMA)
    op.drop_column("complainant", "email_masked", schema=SCHEMA)
    op.drop_column("complainant", "email_encrypted", schema=SCHEMA)
    for column, type_ in OPTIONAL_CONTACT:
        op.alter_column("complainant", column, existing_type=type_, nullable=False, schema=SCHEMA)
    op.drop_index("ix_grievance_channel_received_at", table_name="grievance", schema=SCHEMA)
    for column in ("category_hint", "address_id", "longitude", "latitude"):
        op.drop_column("grievance", column, schema=SCHEMA)
