"""Which polls the batch path takes on and which it leaves to the per-event path, decided before
any database work (shared.kafka.batches). No broker, no database: a unit of work asked for fails
the test."""

from __future__ import annotations

import pytest
from aiokafka import ConsumerRecord, TopicPartition

from shared.db.uow import UnitOfWork
from shared.events.envelope import CloudEvent, from_kafka, service_source, to_kafka
from shared.events.topics import GRIEVANCE_STATUS
from shared.kafka.admin import catalogue
from shared.kafka.batches import BatchApplier
from shared.kafka.sources import check_source, trusted_sources
from shared.metrics import EVENT_BATCHES, EVENTS_CONSUMED

GROUP = "feedback"
HANDLED = "cn.gov.guangming.grievance.polltest.handled.v1"
IGNORED = "cn.gov.guangming.grievance.polltest.ignored.v1"
PARTITION = TopicPartition(GRIEVANCE_STATUS, 0)
TRUSTED = trusted_sources(catalogue(), [GRIEVANCE_STATUS])


def admit(record: ConsumerRecord[bytes, bytes]) -> CloudEvent:
    event = from_kafka(record.key, record.value, record.headers)
    check_source(TRUSTED, record.topic, event.source)
    return event


def record(offset: int, *, event_type: str = IGNORED, source: str = "casework") -> ConsumerRecord[bytes, bytes]:
    event = CloudEvent(type=event_type, source=service_source(source), subject=f"g-{offset}", data={})
    kafka = to_kafka(event)
    return raw(offset, kafka.key, kafka.value, kafka.headers)


def raw(offset: int, key: bytes, value: bytes, headers: list[tuple[str, bytes]]) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(GRIEVANCE_STATUS, 0, offset, 0, 0, key, value, None, len(key), len(value), headers)


def no_database() -> UnitOfWork:
    raise AssertionError("a unit of work was asked for")


async def handle(event: CloudEvent, uow: UnitOfWork) -> None:
    raise AssertionError("an ignored event was handled")


def applier(*, enabled: bool = True) -> BatchApplier:
    return BatchApplier(
        group_id=GROUP,
        handlers={HANDLED: handle},
        uow_factory=no_database,
        admit=admit,
        prepare=None,
        enabled=enabled,
    )


def consumed(event_type: str, outcome: str) -> float:
    return float(EVENTS_CONSUMED.labels(GROUP, event_type, outcome)._value.get())


def batches(outcome: str) -> float:
    return float(EVENT_BATCHES.labels(GROUP, outcome)._value.get())


async def test_a_poll_of_ignored_types_is_taken_without_a_transaction_and_counted_as_ignored() -> None:
    before = consumed(IGNORED, "ignored")
    committed, replayed = batches("committed"), batches("replayed")

    assert await applier().apply({PARTITION: [record(offset) for offset in range(5)]})

    assert consumed(IGNORED, "ignored") - before == 5
    # No transaction was committed or rolled back for it.
    assert (batches("committed"), batches("replayed")) == (committed, replayed)


@pytest.mark.parametrize(
    "odd_one",
    [
        record(3, source="forger"),  # not a producer of the status topic: dead-letter it
        raw(3, b"g-3", b"not a cloudevent", []),
    ],
    ids=["untrusted source", "not a CloudEvent"],
)
async def test_a_record_to_dead_letter_among_ignored_ones_is_left_to_the_per_event_path(
    odd_one: ConsumerRecord[bytes, bytes],
) -> None:
    before = consumed(IGNORED, "ignored")

    assert not await applier().apply({PARTITION: [record(1), record(2), odd_one, record(4)]})

    assert consumed(IGNORED, "ignored") == before  # the per-event path counts them, once


async def test_a_single_record_and_batching_turned_off_are_left_to_the_per_event_path() -> None:
    assert not await applier().apply({PARTITION: [record(1)]})
    assert not await applier(enabled=False).apply({PARTITION: [record(1), record(2)]})
