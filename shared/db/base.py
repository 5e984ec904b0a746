"""Metadata with a naming convention, one schema per service, and the async engine factory."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from shared.settings import ServiceSettings

# Stable constraint names make Alembic migrations reviewable and reversible.
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata(schema: str) -> MetaData:
    """Metadata for one service: every table lives in that service's own schema."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def create_engine(settings: ServiceSettings, **overrides: Any) -> AsyncEngine:
    options: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_pre_ping": False,
        # Statement parameters are personal data (free text, ciphertexts): keep them out of
        # exception messages and therefore out of logs and dead letters.
        "hide_parameters": True,
        "connect_args": {"server_settings": server_settings(settings)},
    }
    options.update(overrides)
    return create_async_engine(settings.database_url.get_secret_value(), **options)


def server_settings(settings: ServiceSettings) -> dict[str, str]:
    """What every connection of the service sets on the server when it opens."""
    found = {"application_name": f"grievance-{settings.service_name}"}
    if settings.db_toast_compression:
        found["default_toast_compression"] = settings.db_toast_compression
    return found


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def asyncpg_dsn(sqlalchemy_url: str) -> str:
    """The libpq-style DSN asyncpg wants, from a SQLAlchemy URL."""
    return sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)
