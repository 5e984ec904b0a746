"""Alembic environment of the casework schema (run via ``python -m shared.db.migrations casework``)."""

from services.casework.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
