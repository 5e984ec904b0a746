"""Reading and writing the real broker from tests with plain aiokafka clients (no consumer group).

Clients authenticate as the test run's principal (the super user from deploy/local/env.sh).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from shared.events.envelope import CloudEvent, InvalidEnvelope, from_kafka, service_source, to_kafka
from shared.kafka.admin import catalogue
from shared.kafka.security import client_kwargs
from shared.settings import ServiceSettings


def connection(bootstrap: str) -> dict[str, Any]:
    """aiokafka keyword arguments for ``bootstrap`` with the environment's security settings."""
    return client_kwargs(ServiceSettings(kafka_bootstrap_servers=bootstrap))


def producer_source(logical_topic: str) -> str:
    """A ``ce_source`` the topic's consumers believe: its first producer's (see shared.kafka.sources)."""
    [spec] = [spec for spec in catalogue() if spec.name == logical_topic]
    return service_source(spec.producers[0])


def kcat_args(bootstrap: str, *, username: str | None = None, password: str | None = None) -> list[str]:
    """kcat's broker and security options: the environment's principal, or the one given."""
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap)
    args = ["-b", bootstrap, "-X", f"security.protocol={settings.kafka_security_protocol.value}"]
    if settings.kafka_security_protocol.value == "PLAINTEXT":
        return args
    stored = settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else ""
    secret = password if password is not None else stored
    args += [
        "-X",
        f"sasl.mechanisms={settings.kafka_sasl_mechanism}",
        "-X",
        f"sasl.username={username or settings.kafka_sasl_username}",
        "-X",
        f"sasl.password={secret}",
    ]
    if settings.kafka_ssl_cafile:
        args += ["-X", f"ssl.ca.location={settings.kafka_ssl_cafile}"]
    return args


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


async def wait_for_partitions(consumer: AIOKafkaConsumer, topic: str, *, timeout: float = 30.0) -> set[int]:
    """The topic's partitions, refreshing metadata (bounded) until the broker reports them led.

    A topic created a moment ago can be missing from the metadata a client read at start, or
    listed without leaders; reading once then finds "no partitions".
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    delay = 0.05
    while True:
        partitions = consumer.partitions_for_topic(topic) or set()
        leaders = [consumer._client.cluster.leader_for_partition(TopicPartition(topic, p)) for p in partitions]
        if partitions and all(leader is not None and leader >= 0 for leader in leaders):
            return partitions
        if loop.time() > deadline:
            raise AssertionError(f"topic {topic} has no partitions after {timeout:.0f} s")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 1.0)
        await consumer._client.force_metadata_update()


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """The next offset of every partition: compare before and after to prove nothing was written."""
    consumer = AIOKafkaConsumer(**connection(bootstrap), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = await wait_for_partitions(consumer, topic)
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
    consumer = AIOKafkaConsumer(**connection(bootstrap), enable_auto_commit=False)
    await consumer.start()
    received: list[Received] = []
    try:
        partitions = await wait_for_partitions(consumer, topic)
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
    producer = AIOKafkaProducer(**connection(bootstrap), acks="all", enable_idempotence=True)
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
    producer = AIOKafkaProducer(**connection(bootstrap), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=headers)
    finally:
        await producer.stop()
