"""A stand-in for the router, used by the portal browser test ONLY while services/router cannot
run yet: for every grievance.received it publishes a ``classified`` status, as the real router's
first citizen-visible step does. It classifies nothing; its message says it is a stand-in."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.events import topics
from shared.events.contracts import GrievanceReceived, GrievanceStatusChanged
from shared.events.envelope import CloudEvent, from_kafka, service_source, to_kafka
from shared.events.vocabulary import Status
from tests.support.kafka import connection
from tests.support.namespace import Namespace

# It stands in for the router, so it speaks as the router (consumers check ce_source).
SOURCE = service_source("router")


def classified_for(received: GrievanceReceived) -> CloudEvent:
    status = GrievanceStatusChanged(
        grievance_id=received.grievance_id,
        tracking_no=received.tracking_no,
        status=Status.classified,
        stage="routing",
        message_zh="您的诉求已完成分类，正在分派办理单位。（测试替身）",
        actor="光明区信访局",
        occurred_at=datetime.now(UTC),
    )
    return CloudEvent(
        type=status.event_type, source=SOURCE, subject=received.grievance_id, data=status.model_dump(mode="json")
    )


async def run_router_standin(namespace: Namespace, stop: asyncio.Event) -> int:
    """Classify every received grievance until ``stop`` is set; returns how many it handled."""
    consumer = AIOKafkaConsumer(
        namespace.topic(topics.GRIEVANCE_RECEIVED),
        **connection(namespace.bootstrap),
        group_id=f"{namespace.topic_prefix}router-standin",
        auto_offset_reset="earliest",
    )
    producer = AIOKafkaProducer(**connection(namespace.bootstrap), acks="all", enable_idempotence=True)
    await consumer.start()
    await producer.start()
    handled = 0
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    event = from_kafka(record.key, record.value, record.headers)
                    if event.type != GrievanceReceived.event_type:
                        continue
                    outgoing = to_kafka(classified_for(GrievanceReceived.model_validate(event.data)))
                    await producer.send_and_wait(
                        namespace.topic(topics.GRIEVANCE_STATUS),
                        value=outgoing.value,
                        key=outgoing.key,
                        headers=outgoing.headers,
                    )
                    handled += 1
        return handled
    finally:
        await consumer.stop()
        await producer.stop()
