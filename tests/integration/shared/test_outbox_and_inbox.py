"""Delivery guarantees on the real broker and database (DESIGN §5):

- a rolled-back transaction leaves no outbox row;
- a relay SIGKILLed after Kafka acked a batch but before marking it sent republishes on restart,
  and a consumer's inbox turns the duplicate into exactly one effect.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from sqlalchemy import text

from services.intake import db as intake_db
from services.intake.settings import Settings as IntakeSettings
from shared.db.uow import UnitOfWork
from shared.events.contracts import GrievanceReceived, GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_RECEIVED
from shared.kafka.consumer import EventConsumer
from shared.metrics import EVENTS_CONSUMED
from shared.runtime import Infrastructure
from tests.integration.intake.conftest import portal_body
from tests.support.kafka import Received, read_events
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port


@pytest.fixture
async def db(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS public.effect (event_id text, grievance_id text)")
    try:
        yield conn
    finally:
        await conn.close()


async def test_rolled_back_transaction_leaves_no_outbox_row(namespace: Namespace, db: asyncpg.Connection) -> None:
    infra = Infrastructure.build(namespace.settings(IntakeSettings), intake_db.TABLES)
    before = await db.fetchval("SELECT count(*) FROM intake.outbox")
    try:
        with pytest.raises(RuntimeError, match="boom"):
            async with infra.uow() as uow:
                await uow.publish(_status("rolled-back"), subject="rolled-back")
                await uow.flush()
                assert await uow.session.scalar(text("SELECT count(*) FROM intake.outbox")) == before + 1
                raise RuntimeError("boom")
        assert await db.fetchval("SELECT count(*) FROM intake.outbox") == before

        async with infra.uow() as uow:
            await uow.publish(_status("committed"), subject="committed")
            await uow.commit()
        assert await db.fetchval("SELECT count(*) FROM intake.outbox") == before + 1
    finally:
        await infra.close()


def _status(grievance_id: str) -> GrievanceStatusChanged:
    from datetime import UTC, datetime

    return GrievanceStatusChanged(
        grievance_id=grievance_id,
        tracking_no="GM-TEST",
        status="received",
        stage="intake",
        message_zh="测试",
        actor="测试",
        occurred_at=datetime.now(UTC),
    )


async def test_relay_killed_after_publish_republishes_and_inbox_applies_once(
    namespace: Namespace, db: asyncpg.Connection
) -> None:
    port = free_port()
    api = ServiceProcess(
        "intake", "api", namespace.env(INTAKE_HTTP_PORT=str(port)), name=f"intake-api-crash-{namespace.name}", port=port
    ).start()
    try:
        await api.wait_ready()
        async with httpx.AsyncClient(base_url=api.base_url) as http:
            accepted = (await http.post("/v1/grievances", json=portal_body())).json()
    finally:
        await api.stop()
    grievance_id = accepted["grievance_id"]
    assert (
        await db.fetchval("SELECT count(*) FROM intake.outbox WHERE key = $1 AND published_at IS NULL", grievance_id)
        == 2
    )

    crashing = ServiceProcess(
        "intake",
        "relay",
        namespace.env(INTAKE_RELAY_FAULT_KILL_AFTER_PUBLISH="true"),
        name=f"intake-relay-crash-{namespace.name}",
    ).start()
    assert await crashing.wait_exit(60) == -signal.SIGKILL
    topic = namespace.topic(GRIEVANCE_RECEIVED)
    first = await read_events(namespace.bootstrap, topic, until=lambda got: _copies(got, grievance_id) >= 1)
    assert _copies(first, grievance_id) == 1, "Kafka has the event although the relay died"
    assert (
        await db.fetchval("SELECT count(*) FROM intake.outbox WHERE key = $1 AND published_at IS NULL", grievance_id)
        == 2
    )

    relay = ServiceProcess("intake", "relay", namespace.env(), name=f"intake-relay-{namespace.name}").start()
    try:
        events = await read_events(namespace.bootstrap, topic, until=lambda got: _copies(got, grievance_id) >= 2)
        assert _copies(events, grievance_id) == 2, "the restarted relay published the row again"
        copies = [e for e in events if e.event.subject == grievance_id]
        assert copies[0].event.id == copies[1].event.id
        await _until(
            lambda: db.fetchval(
                "SELECT count(*) FROM intake.outbox WHERE key = $1 AND published_at IS NULL", grievance_id
            ),
            0,
        )
    finally:
        await relay.stop()

    effects = await _consume_with_inbox(namespace, db, grievance_id)
    assert effects == 1
    assert await db.fetchval("SELECT count(*) FROM intake.processed_event WHERE event_id = $1", copies[0].event.id) == 1


def _copies(events: list[Received], grievance_id: str) -> int:
    return sum(1 for e in events if e.event.subject == grievance_id)


async def _until(probe: Callable[[], Awaitable[object]], expected: object, timeout: float = 20) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (value := await probe()) != expected:
        assert loop.time() < deadline, f"still {value!r}, expected {expected!r}"
        await asyncio.sleep(0.1)


async def _consume_with_inbox(namespace: Namespace, db: asyncpg.Connection, grievance_id: str) -> int:
    """A consumer group with an inbox reads both copies; the effect must happen once."""

    async def record_effect(event: CloudEvent, uow: UnitOfWork) -> None:
        await uow.session.execute(
            text("INSERT INTO public.effect VALUES (:e, :g)"), {"e": event.id, "g": event.subject}
        )

    settings = namespace.settings(IntakeSettings)
    infra = Infrastructure.build(settings, intake_db.TABLES)
    await infra.start()
    consumer = EventConsumer(
        settings=settings,
        group_id="effect-test",
        topics=[GRIEVANCE_RECEIVED],
        handlers={GrievanceReceived.event_type: record_effect},
        uow_factory=infra.uow,
        producer=infra.producer,
    )
    task = asyncio.create_task(consumer.run())
    try:
        duplicates = EVENTS_CONSUMED.labels("effect-test", GrievanceReceived.event_type, "duplicate")

        async def duplicates_seen() -> bool:
            return float(duplicates._value.get()) >= 1

        await _until(duplicates_seen, True)  # the second copy was read, and recognised
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, 30)
        await infra.close()
    count: int = await db.fetchval("SELECT count(*) FROM public.effect WHERE grievance_id = $1", grievance_id)
    return count
