"""The PostgreSQL rate-limit store on the real server: one budget across engines (processes),
atomic under concurrency, expired windows purged, and the service open when the database is not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from fastapi import Depends, FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.intake.app import create_app
from services.intake.settings import Settings
from shared.db.rate_limit_store import PostgresCounterStore
from shared.ratelimit import RateLimit
from shared.sliding_window import position
from tests.support.namespace import Namespace, create_namespace, drop_namespace

HOUR = 3600.0


@pytest.fixture(scope="module")
async def namespace() -> AsyncIterator[Namespace]:
    ns = await create_namespace(["intake"])
    try:
        yield ns
    finally:
        await drop_namespace(ns)


@pytest.fixture
async def engines(namespace: Namespace) -> AsyncIterator[list[AsyncEngine]]:
    made = [create_async_engine(namespace.database_url, pool_size=5) for _ in range(2)]
    try:
        yield made
    finally:
        for engine in made:
            await engine.dispose()


@pytest.fixture
async def db(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        yield conn
    finally:
        await conn.close()


async def test_the_counter_table_is_unlogged(db: asyncpg.Connection) -> None:
    persistence = await db.fetchval(
        "SELECT relpersistence FROM pg_class WHERE oid = 'intake.rate_limit_counter'::regclass"
    )
    assert persistence == b"u"


async def test_two_app_instances_share_one_budget(namespace: Namespace) -> None:
    """Two apps with their own engines, as two processes: 5 lookups over both, then 429 on either."""
    settings = namespace.settings(Settings, lookup_rate_limit="5/hour")
    apps = [create_app(settings), create_app(settings)]
    assert apps[0].state.infra.engine is not apps[1].state.infra.engine
    try:
        async with client_of(apps[0], "203.0.113.10") as first, client_of(apps[1], "203.0.113.10") as second:
            clients = [first, second]
            statuses = [(await clients[i % 2].get("/v1/grievances/GM-NOPE")).status_code for i in range(5)]
            assert statuses == [404] * 5
            for client in clients:
                refused = await client.get("/v1/grievances/GM-NOPE")
                assert refused.status_code == 429
                assert refused.headers["content-type"].startswith("application/problem+json")
                # The sliding-window counter frees a slot once enough of this hour has slid out:
                # at most the rest of the hour plus a fifth of the next (limit 5), whenever it runs.
                retry_after = int(refused.headers["Retry-After"])
                assert retry_after >= 1
                assert retry_after <= HOUR * 6 / 5 + 1
        async with client_of(apps[1], "203.0.113.11") as someone_else:
            assert (await someone_else.get("/v1/grievances/GM-NOPE")).status_code == 404
    finally:
        for app in apps:
            await app.state.infra.close()


async def test_concurrent_hits_from_two_engines_admit_exactly_the_limit(engines: list[AsyncEngine]) -> None:
    stores = [PostgresCounterStore(engine, schema="intake") for engine in engines]
    at = position(time.time(), HOUR)
    counts = await asyncio.gather(
        *(stores[i % 2].hit(scope="race", client="198.51.100.1", limit=10, at=at) for i in range(30))
    )
    assert sum(count.admitted for count in counts) == 10
    assert max(count.current for count in counts) == 10


async def test_the_previous_window_counts_by_its_remaining_share(engines: list[AsyncEngine]) -> None:
    store = PostgresCounterStore(engines[0], schema="intake")
    start = (time.time() // 60) * 60 - 600  # a past minute, far from the live windows
    for _ in range(10):
        assert (await store.hit(scope="slide", client="c", limit=10, at=position(start + 5, 60))).admitted
    # A quarter into the next minute three quarters of the 10 still count: 7.5 + 1 + 1 + 1 > 10 on the third.
    quarter = position(start + 60 + 15, 60)
    results = [await store.hit(scope="slide", client="c", limit=10, at=quarter) for _ in range(3)]
    assert [r.admitted for r in results] == [True, True, False]
    assert (results[2].previous, results[2].current) == (10, 2)


async def test_expired_windows_are_purged_along_with_a_hit(engines: list[AsyncEngine], db: asyncpg.Connection) -> None:
    old = datetime.now(UTC) - timedelta(hours=5)
    await db.execute(
        "INSERT INTO intake.rate_limit_counter (scope, client, window_start, hits, expires_at)"
        " VALUES ($1, $2, $3, 4, $4)",
        "old",
        "gone",
        old,
        old + timedelta(minutes=2),
    )
    store = PostgresCounterStore(engines[0], schema="intake", purge_every_s=0)
    count = await store.hit(scope="fresh", client="kept", limit=5, at=position(time.time(), 60))
    assert count.admitted
    left = await db.fetch("SELECT scope FROM intake.rate_limit_counter WHERE scope IN ('old', 'fresh')")
    assert [row["scope"] for row in left] == ["fresh"]


async def test_with_the_database_down_requests_pass() -> None:
    """Fail open: nothing listens on port 1, so the store cannot answer and the limit lets requests by."""
    engine = create_async_engine("postgresql+asyncpg://grievance:x@127.0.0.1:1/none")
    try:
        limit = RateLimit("1/hour", scope="down", store=PostgresCounterStore(engine, schema="intake"))
        app = FastAPI()

        @app.get("/", dependencies=[Depends(limit)])
        async def index() -> dict[str, str]:
            return {"ok": "yes"}

        async with client_of(app, "203.0.113.20") as client:
            statuses = [(await client.get("/")).status_code for _ in range(3)]
        assert statuses == [200, 200, 200]
    finally:
        await engine.dispose()


def client_of(app: FastAPI, address: str) -> httpx.AsyncClient:
    """An HTTP client whose requests reach ``app`` from ``address`` (the ASGI peer)."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://test")
