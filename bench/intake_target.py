"""The real intake under load: one API process and its relay (publishing to the real Kafka) in a
fresh namespace (own database and topic prefix), dropped again afterwards."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg  # type: ignore[import-untyped]

from tests.support.namespace import Namespace, create_namespace, drop_namespace
from tests.support.processes import ServiceProcess, free_port


@dataclass
class IntakeUnderTest:
    namespace: Namespace
    api: ServiceProcess
    relay: ServiceProcess

    @property
    def submit_url(self) -> str:
        return f"{self.api.base_url}/v1/grievances"

    @property
    def api_pid(self) -> int:
        assert self.api.process is not None
        return self.api.process.pid

    async def stored_and_backlog(self, drain_s: float = 60.0) -> tuple[int, int]:
        """(grievances stored, outbox rows still unpublished after waiting up to ``drain_s``)."""
        conn = await asyncpg.connect(self.namespace.asyncpg_dsn)
        try:
            stored = await conn.fetchval("SELECT count(*) FROM intake.grievance")
            loop = asyncio.get_running_loop()
            deadline = loop.time() + drain_s
            while True:
                backlog = await conn.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL")
                if backlog == 0 or loop.time() > deadline:
                    return int(stored), int(backlog)
                await asyncio.sleep(0.2)
        finally:
            await conn.close()


@asynccontextmanager
async def intake_under_test(prefix: str = "bench-intake") -> AsyncIterator[IntakeUnderTest]:
    namespace = await create_namespace(["intake"], max_partitions=None)
    port = free_port()
    env = namespace.env(
        INTAKE_HTTP_PORT=str(port),
        # All the load comes from one address: this is not a rate-limit test.
        INTAKE_SUBMIT_RATE_LIMIT="1000000/minute",
        GRIEVANCE_LOG_LEVEL="WARNING",
    )
    api = ServiceProcess("intake", "api", env, name=f"{prefix}-api", port=port)
    relay = ServiceProcess("intake", "relay", env, name=f"{prefix}-relay")
    try:
        api.start()
        relay.start()
        await api.wait_ready(timeout=90)
        yield IntakeUnderTest(namespace, api, relay)
    finally:
        await asyncio.gather(api.stop(), relay.stop(), return_exceptions=True)
        await drop_namespace(namespace)
