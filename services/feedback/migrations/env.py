"""Alembic environment of the feedback schema (run via ``python -m services.migrate feedback``)."""

from services.feedback.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
