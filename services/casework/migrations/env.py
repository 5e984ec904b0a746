"""Alembic environment of the casework schema (run via ``python -m services.migrate casework``)."""

from services.casework.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
