"""Warming the records taken ahead of a batch never fails the consumer: records that are not events
its group may handle are left for their turn (where they are dead-lettered), and a warm step that
raises only loses the head start (shared.kafka.lookahead)."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import ConsumerRecord, TopicPartition

from shared.events.envelope import CloudEvent, InvalidEnvelope, from_kafka, service_source, to_kafka
from shared.kafka.lookahead import warm_records

TP = TopicPartition("grievance.received.v1", 0)


def record(offset: int, value: bytes | None = None) -> ConsumerRecord:
    made = to_kafka(CloudEvent(type="t.v1", source=service_source("intake"), subject=f"g-{offset}", data={"n": offset}))
    return ConsumerRecord(
        topic=TP.topic, partition=0, offset=offset, timestamp=0, timestamp_type=0, key=made.key,
        value=made.value if value is None else value, checksum=None, serialized_key_size=0,
        serialized_value_size=0, headers=made.headers if value is None else [],
    )  # fmt: skip


def admit(r: ConsumerRecord) -> CloudEvent:
    return from_kafka(r.key, r.value, r.headers)


def test_only_events_that_may_be_handled_are_warmed() -> None:
    warmed: list[Sequence[CloudEvent]] = []
    warm_records({TP: [record(0), record(1, value=b"not an event"), record(2)]}, warmed.append, admit)
    assert [[e.data["n"] for e in batch] for batch in warmed] == [[0, 2]]


def test_a_warm_step_that_fails_is_not_the_consumers_failure() -> None:
    def broken(events: Sequence[CloudEvent]) -> None:
        raise RuntimeError("model not loaded")

    def unreadable(r: ConsumerRecord) -> CloudEvent:
        if r.offset == 1:
            raise InvalidEnvelope("missing attributes")
        raise ValueError("something unforeseen")

    warm_records({TP: [record(0)]}, broken, admit)  # no exception
    warm_records({TP: [record(0), record(1)]}, lambda events: None, unreadable)
    warm_records({}, broken, admit)  # nothing to warm: the step is not called
