"""A consumer that keeps failing on a poison event sends it to the dead-letter topic after the
configured retries, with the error, and goes on with the next event; an operator can replay it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text

from services.intake import db as intake_db
from services.intake.settings import Settings as IntakeSettings
from shared.db.uow import UnitOfWork
from shared.events.envelope import CloudEvent, service_source
from shared.events.topics import GRIEVANCE_STATUS, dead_letter_topic
from shared.kafka.consumer import EventConsumer
from shared.kafka.dlq import replay
from shared.runtime import Infrastructure
from tests.support.kafka import publish, publish_raw, read_events
from tests.support.namespace import Namespace

EVENT_TYPE = "cn.gov.guangming.grievance.test.v1"
GROUP = "feedback"  # a group with a dead-letter topic in the catalogue


def event(subject: str, *, poison: bool) -> CloudEvent:
    # A producer of the status topic: consumers refuse other sources before any handler runs.
    source = service_source("casework")
    return CloudEvent(type=EVENT_TYPE, source=source, subject=subject, data={"poison": poison}, time=datetime.now(UTC))


async def test_poison_event_goes_to_the_dead_letter_topic_and_the_consumer_goes_on(namespace: Namespace) -> None:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS public.handled (subject text, attempt int)")
    attempts: dict[str, int] = {}
    healed = False

    async def handler(evt: CloudEvent, uow: UnitOfWork) -> None:
        attempts[evt.subject] = attempts.get(evt.subject, 0) + 1
        if evt.data["poison"] and not healed:
            raise ValueError(f"cannot handle {evt.subject}")
        await uow.session.execute(
            text("INSERT INTO public.handled VALUES (:s, :a)"), {"s": evt.subject, "a": attempts[evt.subject]}
        )

    settings = namespace.settings(IntakeSettings, consumer_max_retries=2, consumer_retry_backoff_s=0.01)
    infra = Infrastructure.build(settings, intake_db.TABLES)
    await infra.start()
    topic = namespace.topic(GRIEVANCE_STATUS)
    # All three share a key, so they share a partition and order: good comes after poison.
    await publish(namespace.bootstrap, topic, event("g-1", poison=True))
    await publish_raw(namespace.bootstrap, topic, key=b"g-1", value=b"{not json", headers=[("ce_id", b"x")])
    good = event("g-1", poison=False)
    good = CloudEvent(type=good.type, source=good.source, subject="g-1-good", data=good.data)
    await publish(namespace.bootstrap, topic, good)

    consumer = EventConsumer(
        settings=settings,
        group_id=GROUP,
        topics=[GRIEVANCE_STATUS],
        handlers={EVENT_TYPE: handler},
        uow_factory=infra.uow,
        producer=infra.producer,
    )
    task = asyncio.create_task(consumer.run())
    try:
        dlq = namespace.topic(dead_letter_topic(GROUP))
        letters = await read_events(namespace.bootstrap, dlq, until=lambda got: len(got) >= 2, timeout=30)
        deadline = asyncio.get_running_loop().time() + 20
        while not await conn.fetchval("SELECT count(*) FROM public.handled WHERE subject = 'g-1-good'"):
            assert asyncio.get_running_loop().time() < deadline, "consumer stopped after the poison event"
            await asyncio.sleep(0.1)
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, 30)

    assert attempts["g-1"] == 3  # first try + 2 retries
    assert await conn.fetchval("SELECT count(*) FROM public.handled WHERE subject = 'g-1'") == 0
    poisoned, garbage = letters[0], letters[1]
    assert poisoned.event.subject == "g-1"
    assert b"cannot handle g-1" in poisoned.headers["dlq_error"]
    assert poisoned.headers["dlq_attempts"] == b"3"
    assert poisoned.headers["dlq_original_topic"] == topic.encode()
    # The malformed record (not a CloudEvent) is dead-lettered too, at once and with the reason.
    assert garbage.invalid is not None
    assert garbage.headers["dlq_attempts"] == b"1"
    assert b"InvalidEnvelope" in garbage.headers["dlq_error"]

    # After the cause is fixed, the operator replays the dead letter and it is applied once.
    healed = True
    replayed = await replay(settings, GROUP, offset=poisoned.record.offset)
    assert len(replayed) == 1
    consumer = EventConsumer(
        settings=settings,
        group_id=GROUP,
        topics=[GRIEVANCE_STATUS],
        handlers={EVENT_TYPE: handler},
        uow_factory=infra.uow,
        producer=infra.producer,
    )
    task = asyncio.create_task(consumer.run())
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while not await conn.fetchval("SELECT count(*) FROM public.handled WHERE subject = 'g-1'"):
            assert asyncio.get_running_loop().time() < deadline, "replayed event was not handled"
            await asyncio.sleep(0.1)
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, 30)
        await infra.close()
        await conn.close()
