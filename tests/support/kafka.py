"""Reading and writing the real broker from tests with plain aiokafka clients (no consumer group)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from shared.events.envelope import CloudEvent, InvalidEnvelope, from_kafka, to_kafka


@dataclass(frozen=True)
class Received:
    record: ConsumerRecord
    event: CloudEvent  # for records that are not CloudEvents (dead letters of garbage): see .invalid
    invalid: str | None = None

    @property
    def headers(self) -> dict[str, bytes]:
        return {k: v for k, v in self.record.headers}


def _decode(record: ConsumerRecord) -> Received:
    try:
        return Received(record, from_kafka(record.key, record.value, record.headers))
    except InvalidEnvelope as exc:
        placeholder = CloudEvent(
            type="invalid", source="invalid", subject=(record.key or b"").decode(errors="replace"), data={}
        )
        return Received(record, placeholder, invalid=str(exc))


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The next offset of every partition: compare before and after to prove nothing was written."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        ends = await consumer.end_offsets(tps)
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        await consumer.stop()


async def read_events(
    bootstrap: str,
    topic: str,
    *,
    since: dict[int, int] | None = None,
    until: Callable[[list[Received]], bool] | None = None,
    timeout: float = 20.0,
    settle: float = 0.0,
) -> list[Received]:
    """Read a topic from ``since`` (default: the beginning) until ``until(events)`` holds or the
    timeout passes; then keep reading ``settle`` seconds more to catch unwanted extras."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    received: list[Received] = []
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            await consumer._client.force_metadata_update()
            partitions = consumer.partitions_for_topic(topic) or set()
        tps = [TopicPartition(topic, p) for p in partitions]
        consumer.assign(tps)
        for tp in tps:
            if since and tp.partition in since:
                consumer.seek(tp, since[tp.partition])
            else:
                await consumer.seek_to_beginning(tp)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        satisfied_at: float | None = None
        while loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=200)
            for records in batch.values():
                for record in records:
                    received.append(_decode(record))
            if satisfied_at is None and until is not None and until(received):
                satisfied_at = loop.time()
            if satisfied_at is not None and loop.time() - satisfied_at >= settle:
                break
        return received
    finally:
        await consumer.stop()


async def publish(bootstrap: str, topic: str, event: CloudEvent, *, times: int = 1) -> None:
    """Produce ``event`` (``times`` times, to simulate redelivery) and wait for the acks."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        record = to_kafka(event)
        for _ in range(times):
            await producer.send_and_wait(topic, value=record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


async def publish_raw(
    bootstrap: str, topic: str, *, key: bytes, value: bytes, headers: list[tuple[str, bytes]]
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()
