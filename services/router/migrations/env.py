"""Alembic environment of the router schema (run via ``python -m services.migrate router``)."""

from services.router.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
