"""Alembic for one schema per service, and the one command that migrates them all:

    python -m shared.db.migrations                  # every service, to head
    python -m shared.db.migrations intake router    # some of them

Each service keeps its own Alembic environment in ``services/<name>/migrations`` with its version
table inside its own schema, so services migrate independently.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.settings import ServiceSettings

SERVICES_DIR = Path(__file__).resolve().parents[2] / "services"


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


def services_with_migrations() -> list[str]:
    return sorted(p.parent.parent.name for p in SERVICES_DIR.glob("*/migrations/env.py"))


def alembic_config(service: str, settings: ServiceSettings | None = None) -> Config:
    if settings is None:
        settings = load_settings(service)
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    # ConfigParser treats % specially; URLs may contain percent-encoded passwords.
    config.set_main_option("sqlalchemy.url", settings.database_url.get_secret_value().replace("%", "%%"))
    return config


def load_settings(service: str) -> ServiceSettings:
    module = importlib.import_module(f"services.{service}.settings")
    settings_cls = module.Settings
    settings: ServiceSettings = settings_cls()
    return settings


def upgrade(service: str, revision: str = "head", settings: ServiceSettings | None = None) -> None:
    command.upgrade(alembic_config(service, settings), revision)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.db.migrations", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("services", nargs="*", help="services to migrate (default: all)")
    parser.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    for service in args.services or services_with_migrations():
        upgrade(service, args.revision)
        print(f"{service}: migrated to {args.revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
