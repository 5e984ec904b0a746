"""Alembic environment of the mediation schema (run via ``python -m services.migrate mediation``)."""

from services.mediation.db import metadata
from shared.db.migrations import run_alembic_env

run_alembic_env(metadata)
