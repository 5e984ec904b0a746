"""Alembic environment of the intake schema (run via ``python -m services.migrate intake``)."""

from services.intake.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
