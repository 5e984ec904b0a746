"""Alembic environment of the console schema (run via ``python -m services.migrate console``)."""

from services.console.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
