"""Alembic for one schema per service: the body of every service's ``env.py`` and the
configuration for a migrations directory and a service's settings.

Each service keeps its own Alembic environment in ``services/<name>/migrations`` with its version
table inside its own schema, so services migrate independently. Which services there are, and the
command that migrates them all, is the services' own business: ``python -m services.migrate``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.settings import ServiceSettings


def run_alembic_env(metadata: MetaData) -> None:
    """Body of every service's ``env.py``: online migrations over asyncpg, schema-scoped."""
    schema = str(metadata.schema)
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(
            url=url, target_metadata=metadata, version_table_schema=schema, include_schemas=True, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=True,
            include_name=lambda name, type_, _parent: type_ != "schema" or name == schema,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(str(url), poolclass=pool.NullPool, hide_parameters=True)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(do_run)
        finally:
            await engine.dispose()

    asyncio.run(run_async())


def alembic_config(migrations_dir: Path, settings: ServiceSettings) -> Config:
    """Alembic's configuration for the environment in ``migrations_dir`` on ``settings``' database."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    # ConfigParser treats % specially; URLs may contain percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", settings.database_url.get_secret_value().replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, settings: ServiceSettings, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, settings), revision)
