"""Operator tool for dead letters: list them, and replay them onto their original topic.

    python -m shared.kafka.dlq list --group router
    python -m shared.kafka.dlq replay --group router --offset 12     # one record
    python -m shared.kafka.dlq replay --group router --all           # every record not yet replayed

Replaying is safe after the cause is fixed: the consumer's inbox turns a second delivery of an
already-applied event into a no-op. ``--all`` remembers its position in the consumer group
``<group>.dlq-replay`` so records are not replayed twice.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from shared.events.envelope import header_value
from shared.events.topics import dead_letter_topic
from shared.kafka.producer import create_producer
from shared.kafka.security import client_kwargs
from shared.settings import ServiceSettings


@dataclass(frozen=True, slots=True)
class DeadLetter:
    partition: int
    offset: int
    original_topic: str
    event_type: str
    error: str
    record: ConsumerRecord

    @property
    def replay_headers(self) -> list[tuple[str, bytes]]:
        return [(k, v) for k, v in self.record.headers if not k.startswith("dlq_")]


def _as_dead_letter(record: ConsumerRecord) -> DeadLetter:
    headers = list(record.headers or [])
    return DeadLetter(
        partition=record.partition,
        offset=record.offset,
        original_topic=header_value(headers, "dlq_original_topic") or "",
        event_type=header_value(headers, "ce_type") or "?",
        error=header_value(headers, "dlq_error") or "",
        record=record,
    )


async def read_dead_letters(
    settings: ServiceSettings,
    group: str,
    *,
    replay_group: str | None = None,
) -> tuple[AIOKafkaConsumer, list[DeadLetter]]:
    """Everything in the group's dead-letter topic (after the replay group's position, if given)."""
    topic = settings.topic(dead_letter_topic(group))
    consumer = AIOKafkaConsumer(
        **client_kwargs(settings),
        group_id=replay_group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or set())]
    if not partitions:
        await consumer._client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in (consumer.partitions_for_topic(topic) or set())]
    consumer.assign(partitions)
    if replay_group is None:
        await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(partitions)
    letters: list[DeadLetter] = []

    async def behind() -> bool:
        return any([await consumer.position(tp) < ends[tp] for tp in partitions])

    while await behind():
        batch = await consumer.getmany(timeout_ms=1000)
        for records in batch.values():
            letters.extend(_as_dead_letter(r) for r in records if r.offset < ends[TopicPartition(r.topic, r.partition)])
    return consumer, letters


async def replay(settings: ServiceSettings, group: str, *, offset: int | None) -> list[DeadLetter]:
    replay_group = None if offset is not None else f"{settings.topic_prefix}{group}.dlq-replay"
    consumer, letters = await read_dead_letters(settings, group, replay_group=replay_group)
    chosen = [d for d in letters if offset is None or d.offset == offset]
    producer = create_producer(settings)
    await producer.start()
    try:
        for letter in chosen:
            await producer.send_and_wait(
                letter.original_topic, value=letter.record.value, key=letter.record.key, headers=letter.replay_headers
            )
        if replay_group is not None and chosen:
            last: dict[TopicPartition, int] = {}
            for letter in chosen:
                tp = TopicPartition(letter.record.topic, letter.partition)
                last[tp] = max(last.get(tp, -1), letter.offset + 1)
            await consumer.commit(last)
    finally:
        await producer.stop()
        await consumer.stop()
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shared.kafka.dlq", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["list", "replay"])
    parser.add_argument("--group", required=True, help="consumer group, e.g. router")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--offset", type=int, help="replay only the dead letter at this offset")
    which.add_argument("--all", action="store_true", help="replay every dead letter not replayed yet")
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    if args.command == "list":

        async def listing() -> list[DeadLetter]:
            consumer, letters = await read_dead_letters(settings, args.group)
            await consumer.stop()
            return letters

        for d in asyncio.run(listing()):
            print(f"{d.partition}:{d.offset}\t{d.original_topic}\t{d.event_type}\t{d.error.splitlines()[0][:160]}")
        return 0
    if args.offset is None and not args.all:
        parser.error("replay needs --offset N or --all")
    replayed = asyncio.run(replay(settings, args.group, offset=args.offset))
    print(f"replayed {len(replayed)} dead letters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
