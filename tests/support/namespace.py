"""An isolated namespace on the real Kafka broker and PostgreSQL server for one test module.

Each namespace is a fresh database (every service schema migrated to head) and a unique topic
prefix with every catalogue topic created, so tests never see each other's rows, events or
consumer-group offsets. The infrastructure itself is started by deploy/local (see README).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from dataclasses import dataclass, field
from typing import Any, TypeVar

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from services.migrate import services_with_migrations, settings_class, upgrade
from shared.kafka.admin import delete_topics_with_prefix, ensure_topics
from shared.settings import DEV_DATABASE_URL, ServiceSettings

S = TypeVar("S", bound=ServiceSettings)
TEST_PARTITIONS = 2
# The services' settings prefixes: a process in a namespace inherits none from the test run.
SETTINGS_PREFIXES = ("GRIEVANCE_", "INTAKE_", "ROUTER_", "CASEWORK_", "MEDIATION_", "FEEDBACK_", "CONSOLE_")


def base_database_url() -> str:
    return os.environ.get("GRIEVANCE_DATABASE_URL", DEV_DATABASE_URL)


def bootstrap_servers() -> str:
    return os.environ.get("GRIEVANCE_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092")


# The test run's Kafka principal (deploy/local/env.sh exports the super user's): test processes
# and clients use it; tests of the ACLs make principals of their own.
KAFKA_SECURITY_VARS = {
    "GRIEVANCE_KAFKA_SECURITY_PROTOCOL": "kafka_security_protocol",
    "GRIEVANCE_KAFKA_SASL_MECHANISM": "kafka_sasl_mechanism",
    "GRIEVANCE_KAFKA_SASL_USERNAME": "kafka_sasl_username",
    "GRIEVANCE_KAFKA_SASL_PASSWORD": "kafka_sasl_password",
    "GRIEVANCE_KAFKA_SSL_CAFILE": "kafka_ssl_cafile",
}


def kafka_security() -> dict[str, str]:
    return {name: os.environ[name] for name in KAFKA_SECURITY_VARS if os.environ.get(name)}


@dataclass
class Namespace:
    name: str
    database_url: str
    topic_prefix: str
    bootstrap: str = field(default_factory=bootstrap_servers)
    security: dict[str, str] = field(default_factory=kafka_security)
    # The server's own database, from which this one is created and dropped.
    base_url: str = field(default_factory=base_database_url)

    def env(self, **extra: str) -> dict[str, str]:
        """Environment for a service process living in this namespace."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(SETTINGS_PREFIXES)}
        env.update(
            GRIEVANCE_ENVIRONMENT="test",
            GRIEVANCE_DATABASE_URL=self.database_url,
            GRIEVANCE_KAFKA_BOOTSTRAP_SERVERS=self.bootstrap,
            GRIEVANCE_TOPIC_PREFIX=self.topic_prefix,
            GRIEVANCE_OUTBOX_POLL_INTERVAL_S="0.2",
            # BENCH_LOG_LEVEL=DEBUG shows, e.g., each consumer batch's phases in the process logs.
            GRIEVANCE_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "INFO"),
        )
        env.update(self.security)
        env.update(extra)
        return env

    def settings(self, cls: type[S], **overrides: Any) -> S:
        values: dict[str, Any] = {
            "environment": "test",
            "database_url": self.database_url,
            "kafka_bootstrap_servers": self.bootstrap,
            "topic_prefix": self.topic_prefix,
            "outbox_poll_interval_s": 0.2,
            "consumer_retry_backoff_s": 0.05,
        }
        values.update({KAFKA_SECURITY_VARS[name]: value for name, value in self.security.items()})
        values.update(overrides)
        return cls(**values)

    def topic(self, logical: str) -> str:
        return f"{self.topic_prefix}{logical}"

    @property
    def asyncpg_dsn(self) -> str:
        return self.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def create_namespace(
    services: list[str] | None = None,
    *,
    base_url: str | None = None,
    bootstrap: str | None = None,
    max_partitions: int | None = TEST_PARTITIONS,
) -> Namespace:
    """A namespace on the shared infrastructure, or on another server and broker (``base_url``:
    a database URL on that server, ``bootstrap``: that broker), e.g. a private pair to kill."""
    name = "t" + uuid.uuid4().hex[:10]
    base_url = base_url or base_database_url()
    base = make_url(base_url)
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    database_url = base.set(database=name).render_as_string(hide_password=False)
    namespace = Namespace(
        name=name,
        database_url=database_url,
        topic_prefix=f"{name}.",
        bootstrap=bootstrap or bootstrap_servers(),
        base_url=base_url,
    )
    settings = namespace.settings(ServiceSettings)
    for service in services if services is not None else services_with_migrations():
        service_settings = namespace.settings(settings_class(service))
        await asyncio.to_thread(upgrade, service, "head", service_settings)
    # Two partitions are enough to exercise keying and ordering, and keep one broker serving many
    # test namespaces light; the catalogue's own counts are checked by the admin command's tests.
    await ensure_topics(settings, max_partitions=max_partitions)
    return namespace


async def drop_namespace(namespace: Namespace) -> None:
    """Drop the database and delete the namespace's topics."""
    with contextlib.suppress(Exception):  # best effort: a leftover topic harms nothing
        await delete_topics_with_prefix(namespace.settings(ServiceSettings))
    base = make_url(namespace.base_url)
    conn = await asyncpg.connect(base.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{namespace.name}" WITH (FORCE)')
    finally:
        await conn.close()
