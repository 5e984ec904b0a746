"""casework documents: the PDF made on first download from the HTML kept at issue

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "casework"


def upgrade() -> None:
    # Notices issued before this revision have their PDF already: their issuer name (the PDF's
    # author, only needed to make a PDF) is not asked for again.
    op.add_column(
        "document",
        sa.Column(
            "issuer_name", sa.Text(), nullable=False, server_default="", comment="as printed on the notice: its PDF's author"
        ),
        schema=SCHEMA,
    )
    op.alter_column("document", "issuer_name", server_default=None, schema=SCHEMA)
    op.alter_column(
        "document", "html", existing_type=sa.Text(), existing_nullable=False, comment="the notice as issued", schema=SCHEMA
    )
    op.alter_column(
        "document",
        "pdf",
        existing_type=sa.LargeBinary(),
        nullable=True,
        comment="made from the html on first download, then kept",
        schema=SCHEMA,
    )


def downgrade() -> None:
    # The older code expects every notice's PDF; deleting the notices without one would lose the
    # record, so going back waits until each has been downloaded once (which makes its PDF).
    missing = op.get_bind().scalar(sa.text(f"SELECT count(*) FROM {SCHEMA}.document WHERE pdf IS NULL"))
    if missing:
        raise RuntimeError(f"{missing} notices have no PDF yet: download each once before downgrading below 0004")
    op.alter_column("document", "pdf", existing_type=sa.LargeBinary(), nullable=False, comment=None, schema=SCHEMA)
    op.alter_column("document", "html", existing_type=sa.Text(), existing_nullable=False, comment=None, schema=SCHEMA)
    op.drop_column("document", "issuer_name", schema=SCHEMA)
