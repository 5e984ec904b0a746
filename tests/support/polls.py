"""Consumer records and polls made from events, as the consumer runner receives them from Kafka:
for tests that drive the batch path (shared.kafka.batches.BatchApplier) without a broker."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import ConsumerRecord, TopicPartition

from shared.events.envelope import CloudEvent, to_kafka

Poll = dict[TopicPartition, list[ConsumerRecord[bytes, bytes]]]


def consumer_record(topic: str, offset: int, event: CloudEvent) -> ConsumerRecord[bytes, bytes]:
    """``event`` as the record at ``offset`` of partition 0 of ``topic``."""
    kafka = to_kafka(event)
    return ConsumerRecord(
        topic, 0, offset, 0, 0, kafka.key, kafka.value, None, len(kafka.key), len(kafka.value), kafka.headers
    )


def one_partition_poll(topic: str, events: Sequence[CloudEvent]) -> Poll:
    """The events as one poll of one partition would bring them, in this order."""
    return {TopicPartition(topic, 0): [consumer_record(topic, offset, event) for offset, event in enumerate(events)]}
