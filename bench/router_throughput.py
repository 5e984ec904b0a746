"""End-to-end events per second through the router against the local stack: produce N
grievance.received events, time until N grievance.routed events are on the topic.

    .venv/bin/python bench/router_throughput.py [--events 500]

Runs ``python -m services.router worker`` and ``relay`` as processes in a fresh namespace (own
database and topic prefix), so it disturbs nobody; needs the local Kafka and PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from services.router.training.artifact import ensure_artifact
from services.router.training.corpus import load_corpus
from shared.events.contracts import ComplainantView, GrievanceReceived
from shared.events.envelope import CloudEvent, service_source, to_kafka
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_ROUTED

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.kafka import connection
from tests.support.namespace import create_namespace, drop_namespace
from tests.support.processes import ServiceProcess, free_port

STREETS = ("光明街道", "公明街道", "新湖街道", "凤凰街道", "玉塘街道", "马田街道")


def events(count: int, *, mix_seed: int | None = None) -> list[CloudEvent]:
    """``count`` grievance.received events from the labelled corpus, in file order, or shuffled by
    ``mix_seed``: the corpus files are grouped by writer and track, so only a shuffled prefix
    carries the corpus's own mix of tracks (petition, mediation, litigation)."""
    corpus = list(load_corpus().records)
    if mix_seed is not None:
        random.Random(mix_seed).shuffle(corpus)
    made = []
    for i in range(count):
        r = corpus[i % len(corpus)]
        gid = str(uuid.uuid4())
        payload = GrievanceReceived(
            grievance_id=gid, tracking_no=f"GM-BENCH-{i:06d}", tracking_token_hash="0" * 64, channel="portal",
            received_at=datetime.now(UTC), title=r.title, content=r.text, street=STREETS[i % len(STREETS)],
            complainant=ComplainantView(name_masked="张*", phone_pseudonym=uuid.uuid4().hex),
        )  # fmt: skip
        made.append(CloudEvent(type=payload.event_type, source=service_source("intake"), subject=gid,
                               data=payload.model_dump(mode="json")))  # fmt: skip
    return made


async def produce(bootstrap: str, topic: str, batch: list[CloudEvent]) -> None:
    """Produce ``batch`` to ``topic`` and wait for every ack."""
    producer = AIOKafkaProducer(**connection(bootstrap), acks="all", enable_idempotence=True, linger_ms=5)
    await producer.start()
    try:
        futures = []
        for event in batch:
            record = to_kafka(event)
            futures.append(await producer.send(topic, value=record.value, key=record.key, headers=record.headers))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def count_routed(bootstrap: str, topic: str, wanted: int, timeout: float) -> tuple[int, float, float]:
    """How many routed events arrived, when the first and when the last of them was seen."""
    consumer = AIOKafkaConsumer(topic, **connection(bootstrap), auto_offset_reset="earliest",
                                enable_auto_commit=False)  # fmt: skip
    await consumer.start()
    seen = 0
    first = 0.0
    deadline = time.perf_counter() + timeout
    try:
        while seen < wanted and time.perf_counter() < deadline:
            batch = await consumer.getmany(timeout_ms=100)
            arrived = sum(len(records) for records in batch.values())
            if arrived and not seen:
                first = time.perf_counter()
            seen += arrived
        return seen, first, time.perf_counter()
    finally:
        await consumer.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    ensure_artifact()
    namespace = await create_namespace(["router"], max_partitions=None)
    processes = [
        ServiceProcess(
            "router", "worker", namespace.env(ROUTER_WORKER_METRICS_PORT=str(free_port())), name="bench-router-worker"
        ),
        ServiceProcess("router", "relay", namespace.env(), name="bench-router-relay"),
    ]
    try:
        for process in processes:
            process.start()
        await asyncio.sleep(8)  # model load and group join
        batch = events(args.events)
        started = time.perf_counter()
        await produce(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED), batch)
        produced = time.perf_counter() - started
        seen, first, finished = await count_routed(namespace.bootstrap, namespace.topic(GRIEVANCE_ROUTED), args.events,
                                            args.timeout)  # fmt: skip
        elapsed = finished - started
        print(f"produced {args.events} received events in {produced:.2f}s")
        print(
            f"routed events seen: {seen}/{args.events} after {elapsed:.2f}s: {seen / elapsed:.0f} events/s end to end"
        )
        if seen > 1 and finished > first:
            steady = (seen - 1) / (finished - first)
            print(f"first routed event after {first - started:.2f}s; from then on {steady:.0f} events/s")
        print("(one worker process and one relay process; consumer group router, 6 partitions)")
    finally:
        for process in processes:
            await process.stop()
        await drop_namespace(namespace)


if __name__ == "__main__":
    asyncio.run(main())
