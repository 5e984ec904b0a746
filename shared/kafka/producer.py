"""The one way to build a producer: idempotent, acks from all in-sync replicas."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from shared.events.envelope import CloudEvent, to_kafka
from shared.kafka.security import client_kwargs
from shared.settings import ServiceSettings


def create_producer(settings: ServiceSettings, *, linger_ms: int = 5) -> AIOKafkaProducer:
    # enable_idempotence keeps per-partition order and removes duplicates on producer retries.
    return AIOKafkaProducer(
        **client_kwargs(settings),
        client_id=settings.client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
        request_timeout_ms=15000,
        max_batch_size=256 * 1024,
    )


async def send_event(producer: AIOKafkaProducer, topic: str, event: CloudEvent) -> None:
    """Publish one event and wait for the broker's ack (for tools and tests; services use the outbox)."""
    record = to_kafka(event)
    await producer.send_and_wait(topic, value=record.value, key=record.key, headers=record.headers)
