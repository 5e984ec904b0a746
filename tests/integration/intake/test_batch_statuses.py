"""A poll batch of status events applied in one transaction (the consumer runner's batch path,
with intake's ``prepare``: the batch's entries read and locked in one statement, written at commit
in one) leaves exactly the read model the same events leave one per transaction: the newest status
of each grievance, an older status changing nothing, a rating keeping a concluded case concluded,
a redelivered event applied once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from sqlalchemy import event as sqlalchemy_event

from services.intake.app import build_infrastructure
from services.intake.consumers import GROUP_ID, bind, prepare
from services.intake.handlers.context import IntakeContext
from services.intake.settings import Settings
from shared.clock import ManualClock
from shared.events import topics
from shared.events.contracts import GrievanceStatusChanged
from shared.events.envelope import CloudEvent, from_kafka
from shared.events.vocabulary import Status
from shared.kafka.batches import BatchApplier
from shared.kafka.handling import EventHandler
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace
from tests.support.polls import Poll, consumer_record, one_partition_poll

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
# Which service publishes a status, and the stage it reports.
SOURCES = {
    "casework": ("/grievance-platform/casework", "casework"),
    "router": ("/grievance-platform/router", "routing"),
}


@pytest.fixture(scope="module")
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    built = build_infrastructure(namespace.settings(Settings))
    await built.start()
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture(scope="module")
def handlers(namespace: Namespace) -> dict[str, EventHandler]:
    return bind(IntakeContext.build(namespace.settings(Settings), ManualClock(T0)))


def status(grievance_id: str, value: Status, minutes: int, service: str = "casework") -> CloudEvent:
    payload = GrievanceStatusChanged(
        grievance_id=grievance_id,
        tracking_no=f"GM{grievance_id[:8]}",
        status=value,
        stage=SOURCES[service][1],
        message_zh=f"状态：{value.value}（{minutes}）",
        actor="光明区信访局",
        due_at=T0 + timedelta(days=60) if value is Status.accepted else None,
        occurred_at=T0 + timedelta(minutes=minutes),
    )
    return CloudEvent(
        type=payload.event_type, source=SOURCES[service][0], subject=grievance_id, data=payload.model_dump(mode="json")
    )


def scenario() -> tuple[list[CloudEvent], list[CloudEvent]]:
    """Statuses known before the batch, and a batch of three grievances' statuses interleaved."""
    known, fresh, closing = (str(uuid.uuid4()) for _ in range(3))
    before = [status(known, Status.accepted, 5), status(closing, Status.assigned, 1, "router")]
    replied = status(fresh, Status.replied, 3)
    batch = [
        status(fresh, Status.received, 0, "router"),
        status(known, Status.received, 0, "router"),  # older than what is stored: changes nothing
        status(closing, Status.closed, 9),
        replied,
        status(fresh, Status.classified, 1, "router"),  # late and older: changes nothing
        replied,  # redelivered within the poll: one effect
        status(known, Status.replied, 8),
        status(closing, Status.rated, 12),  # a rating leaves the concluded case concluded
        status(fresh, Status.accepted, 4),
    ]
    return before, batch


def poll_of(settings: Settings, events: Sequence[CloudEvent]) -> Poll:
    return one_partition_poll(settings.topic(topics.GRIEVANCE_STATUS), events)


async def one_by_one(infra: Infrastructure, handlers: dict[str, EventHandler], events: Sequence[CloudEvent]) -> None:
    """Each event as the runner's per-event path handles it: claim, use case, commit, alone."""
    for event in events:
        async with infra.uow() as uow:
            record = consumer_record(topics.GRIEVANCE_STATUS, 0, event)  # as the consumer decodes it
            if await uow.claim(from_kafka(record.key, record.value, record.headers), GROUP_ID):
                await handlers[event.type](event, uow)
                await uow.commit()


async def snapshot(dsn: str, grievance_ids: list[str]) -> list[dict[str, Any]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT * FROM intake.grievance_status WHERE grievance_id = ANY($1::uuid[]) ORDER BY updated_at",
            grievance_ids,
        )
        order = {grievance_id: position for position, grievance_id in enumerate(grievance_ids)}
        return [{**dict(row), "grievance_id": order[str(row["grievance_id"])]} for row in rows]
    finally:
        await conn.close()


def statements_on_status_table(infra: Infrastructure) -> list[str]:
    """The SQL the engine sends to the read model's table from now on."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "grievance_status" in statement:
            seen.append(statement)

    sqlalchemy_event.listen(infra.engine.sync_engine, "before_cursor_execute", record)
    return seen


def grievances_of(events: Sequence[CloudEvent]) -> list[str]:
    return list(dict.fromkeys(str(event.subject) for event in events))


async def test_a_batch_of_statuses_leaves_what_one_by_one_leaves(
    infra: Infrastructure, handlers: dict[str, EventHandler], namespace: Namespace
) -> None:
    settings = namespace.settings(Settings)
    batches = BatchApplier(
        group_id=GROUP_ID,
        handlers=handlers,
        uow_factory=infra.uow,
        admit=lambda record: from_kafka(record.key, record.value, record.headers),
        prepare=prepare,
        enabled=True,
    )

    before, batch = scenario()
    await one_by_one(infra, handlers, before)
    seen = statements_on_status_table(infra)
    assert await batches.apply(poll_of(settings, batch)), "the batch path declined the poll"
    # Read and locked at once, written at once: not a read and a write per event.
    assert len(seen) == 2, seen
    batched = await snapshot(namespace.asyncpg_dsn, grievances_of(batch))

    before, batch = scenario()  # the same story for three other grievances
    await one_by_one(infra, handlers, before)
    await one_by_one(infra, handlers, batch)
    alone = await snapshot(namespace.asyncpg_dsn, grievances_of(batch))

    assert batched == alone
    # The comparison is about something: each grievance's newest status, the rating kept closed.
    assert [(row["status"], row["closed"]) for row in batched] == [
        ("accepted", False),
        ("replied", False),
        ("rated", True),
    ]
