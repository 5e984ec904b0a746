"""A poll batch is handled in one transaction, and keeps every guarantee of one event per
transaction (issue 13): each effect exactly once, a poison event dead-lettered alone while the
others of its batch are applied once, redelivered events no-ops, a use case that commits by
itself still served, a poll of types the group ignores acknowledged without a transaction. Real
broker, real database."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text

from services.intake import db as intake_db
from services.intake.settings import Settings as IntakeSettings
from shared.db.uow import UnitOfWork
from shared.events.envelope import CloudEvent, service_source, to_kafka
from shared.events.topics import GRIEVANCE_STATUS, dead_letter_topic
from shared.kafka.consumer import BatchWarmer, EventConsumer, PermanentError
from shared.metrics import EVENT_BATCHES, EVENTS_CONSUMED
from shared.runtime import Infrastructure
from tests.support.kafka import connection, read_events
from tests.support.namespace import Namespace

EVENT_TYPE = "cn.gov.guangming.grievance.batchtest.v1"
NOTICE_TOPIC = "grievance.batchtest.notices"
GROUP = "feedback"  # a group with a dead-letter topic in the catalogue
Handler = Callable[[CloudEvent, UnitOfWork], Awaitable[None]]


def event(subject: str, *, event_type: str = EVENT_TYPE, **data: object) -> CloudEvent:
    # A producer of the status topic: consumers refuse other sources before any handler runs.
    return CloudEvent(
        type=event_type, source=service_source("casework"), subject=subject, data=data, time=datetime.now(UTC)
    )


@pytest.fixture
async def db(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    await conn.execute("CREATE TABLE IF NOT EXISTS public.batch_effect (run text, subject text)")
    try:
        yield conn
    finally:
        await conn.close()


async def produce(namespace: Namespace, events: Sequence[CloudEvent]) -> None:
    """All of them before the consumer starts, so its first polls return them together."""
    producer = AIOKafkaProducer(**connection(namespace.bootstrap), acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for evt in events:
            record = to_kafka(evt)
            await producer.send(
                namespace.topic(GRIEVANCE_STATUS), value=record.value, key=record.key, headers=record.headers
            )
        await producer.flush()
    finally:
        await producer.stop()


def recording(run: str, calls: dict[str, int], *, poison: str | None = None, commits: bool = False) -> Handler:
    """A use case that writes one row and one outbox event per event; ``poison`` can never succeed."""

    async def handle(evt: CloudEvent, uow: UnitOfWork) -> None:
        calls[evt.subject] = calls.get(evt.subject, 0) + 1
        if evt.subject == poison:
            raise PermanentError(f"cannot handle {evt.subject}")
        await uow.session.execute(
            text("INSERT INTO public.batch_effect VALUES (:run, :subject)"), {"run": run, "subject": evt.subject}
        )
        notice = CloudEvent(type=f"{EVENT_TYPE}.notice", source=uow.source, subject=evt.subject, data={"run": run})
        await uow.publish_raw(NOTICE_TOPIC, notice)
        if commits:
            await uow.commit()

    return handle


async def consume_until(
    namespace: Namespace,
    infra: Infrastructure,
    handler: Handler,
    done: Callable[[], Awaitable[bool]],
    *,
    group: str = GROUP,
    handlers: dict[str, Handler] | None = None,
    uow_factory: Callable[[], UnitOfWork] | None = None,
    warm: BatchWarmer | None = None,
) -> None:
    """Run a consumer of ``group`` (``handler`` for EVENT_TYPE unless ``handlers`` are given) until
    ``done``, then stop it as a service stops it."""
    consumer = EventConsumer(
        settings=infra.settings,
        group_id=group,
        topics=[GRIEVANCE_STATUS],
        handlers=handlers if handlers is not None else {EVENT_TYPE: handler},
        uow_factory=uow_factory or infra.uow,
        producer=infra.producer,
        warm=warm,
    )
    task = asyncio.create_task(consumer.run())
    try:
        deadline = asyncio.get_running_loop().time() + 45
        while not await done():
            assert not task.done(), "the consumer stopped"
            assert asyncio.get_running_loop().time() < deadline, "the consumer did not get there in time"
            await asyncio.sleep(0.1)
        # Anything applied twice would show by now: the batch and its replay have both finished.
        await asyncio.sleep(1.0)
    finally:
        await consumer.stop()
        await asyncio.wait_for(task, 30)


async def effects(db: asyncpg.Connection, run: str) -> dict[str, int]:
    rows = await db.fetch("SELECT subject, count(*) AS n FROM public.batch_effect WHERE run = $1 GROUP BY 1", run)
    return {row["subject"]: row["n"] for row in rows}


async def notices(db: asyncpg.Connection, run: str) -> dict[str, int]:
    rows = await db.fetch(
        "SELECT key, count(*) AS n FROM intake.outbox WHERE event_type = $1 AND key LIKE $2 GROUP BY 1",
        f"{EVENT_TYPE}.notice",
        f"{run}-%",
    )
    return {row["key"]: row["n"] for row in rows}


def batches(outcome: str) -> float:
    return float(EVENT_BATCHES.labels(GROUP, outcome)._value.get())


@contextlib.asynccontextmanager
async def started_infra(namespace: Namespace, **settings: object) -> AsyncIterator[Infrastructure]:
    """A service's infrastructure for the namespace, retrying a failing event once, quickly."""
    built = Infrastructure.build(
        namespace.settings(IntakeSettings, consumer_max_retries=1, consumer_retry_backoff_s=0.01, **settings),
        intake_db.TABLES,
    )
    await built.start()
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    async with started_infra(namespace) as built:
        yield built


async def test_a_clean_batch_is_one_transaction_and_each_effect_happens_once(
    namespace: Namespace, infra: Infrastructure, db: asyncpg.Connection
) -> None:
    run = "clean"
    events = [event(f"{run}-{i}") for i in range(40)]
    redelivered = events[7]  # the same event twice in the batch, as after a relay crash
    await produce(namespace, [*events, redelivered])
    calls: dict[str, int] = {}
    committed_before, replayed_before = batches("committed"), batches("replayed")

    async def all_applied() -> bool:
        return len(await effects(db, run)) == len(events)

    await consume_until(namespace, infra, recording(run, calls), all_applied)

    assert await effects(db, run) == {e.subject: 1 for e in events}
    assert await notices(db, run) == {e.subject: 1 for e in events}
    assert calls == {e.subject: 1 for e in events}  # never replayed, the duplicate never applied
    assert batches("replayed") == replayed_before
    assert batches("committed") > committed_before
    # One transaction per batch: the inbox stamps (now() = the transaction's start) are shared.
    stamps = await db.fetchval(
        "SELECT count(DISTINCT processed_at) FROM intake.processed_event WHERE consumer = $1 AND event_id = ANY($2)",
        GROUP,
        [e.id for e in events],
    )
    assert stamps < len(events) / 2


async def test_a_poison_event_is_dead_lettered_alone_and_its_batch_applied_once(
    namespace: Namespace, infra: Infrastructure, db: asyncpg.Connection
) -> None:
    run = "poison"
    events = [event(f"{run}-{i}") for i in range(30)]
    poison = events[12].subject
    await produce(namespace, events)
    calls: dict[str, int] = {}
    replayed_before = batches("replayed")
    dlq = namespace.topic(dead_letter_topic(GROUP))

    async def others_applied() -> bool:
        return len(await effects(db, run)) == len(events) - 1

    await consume_until(namespace, infra, recording(run, calls, poison=poison), others_applied)

    good = {e.subject: 1 for e in events if e.subject != poison}
    assert await effects(db, run) == good
    assert await notices(db, run) == good
    assert batches("replayed") > replayed_before  # the batch was rolled back and replayed
    letters = await read_events(namespace.bootstrap, dlq, until=lambda got: len(got) >= 1, timeout=15)
    ours = [letter for letter in letters if letter.event is not None and letter.event.subject.startswith(run)]
    assert [letter.event.subject for letter in ours if letter.event] == [poison]
    assert b"cannot handle" in ours[0].headers["dlq_error"]
    # A redelivery after the fact changes nothing: every event is claimed (the poison one is not,
    # so it is dead-lettered again rather than lost).
    assert (
        await db.fetchval(
            "SELECT count(*) FROM intake.processed_event WHERE consumer = $1 AND event_id = ANY($2)",
            GROUP,
            [e.id for e in events if e.subject != poison],
        )
        == len(events) - 1
    )


async def test_a_use_case_that_commits_itself_is_served_one_event_per_transaction(
    namespace: Namespace, infra: Infrastructure, db: asyncpg.Connection
) -> None:
    run = "commits"
    events = [event(f"{run}-{i}") for i in range(10)]
    await produce(namespace, events)
    calls: dict[str, int] = {}

    async def all_applied() -> bool:
        return len(await effects(db, run)) == len(events)

    await consume_until(namespace, infra, recording(run, calls, commits=True), all_applied)

    assert await effects(db, run) == {e.subject: 1 for e in events}
    assert await notices(db, run) == {e.subject: 1 for e in events}


async def test_a_poll_of_ignored_types_opens_no_transaction_and_moves_the_offsets_on(
    namespace: Namespace, infra: Infrastructure, db: asyncpg.Connection
) -> None:
    run = "ignored"
    unhandled = f"{EVENT_TYPE}.unhandled"
    events = [event(f"{run}-{i}", event_type=unhandled) for i in range(20)]
    await produce(namespace, events)
    # A group of its own whose first consumer handles none of the topic's types (the other tests'
    # events included), so every one of its polls holds ignored types only.
    group = "mediation"
    units: list[UnitOfWork] = []

    def counting_uow() -> UnitOfWork:
        units.append(infra.uow())
        return units[-1]

    def ignored() -> float:
        return float(EVENTS_CONSUMED.labels(group, unhandled, "ignored")._value.get())

    before = ignored()

    async def all_ignored() -> bool:
        return ignored() - before >= len(events)

    calls: dict[str, int] = {}
    handle = recording(run, calls)
    await consume_until(
        namespace,
        infra,
        handle,
        all_ignored,
        group=group,
        handlers={f"{EVENT_TYPE}.other": handle},
        uow_factory=counting_uow,
    )

    assert ignored() - before == len(events)  # still counted, as consumed and ignored
    assert units == []  # no unit of work, so no transaction, for polls with nothing to handle
    assert calls == {}

    # The offsets moved on: the group's next consumer, which handles that type, starts after them.
    marker = event(f"{run}-marker", event_type=unhandled)
    await produce(namespace, [marker])

    async def marker_applied() -> bool:
        return marker.subject in await effects(db, run)

    handlers = {unhandled: handle, EVENT_TYPE: handle}
    await consume_until(namespace, infra, handle, marker_applied, group=group, handlers=handlers)
    assert calls == {marker.subject: 1}
