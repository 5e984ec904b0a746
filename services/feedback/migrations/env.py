"""Alembic environment of the feedback schema (run via ``python -m shared.db.migrations feedback``)."""

from services.feedback.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
