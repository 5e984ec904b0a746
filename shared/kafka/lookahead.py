"""Looking ahead: the next poll's CPU work done while this batch waits for its commit.

A batch's commit is mostly the database's work (a busy router's batch waits about 80 ms for it),
and the process has nothing to do meanwhile. A group with a ``warm`` step (the router: classify the
texts) takes the records already fetched behind the batch as soon as the batch starts to commit,
and warms them: work that needs no database and changes nothing, so doing it early for records
that are then handled later, or never by this process, costs nothing but the work.

The records taken ahead are the next batch. When the batch is not applied (the runner replays it
one event per transaction, which may seek back in a partition), they are given back by seeking
their partitions to them, so every partition is still handled strictly in order.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka import AIOKafkaConsumer
from aiokafka.errors import KafkaError

from shared.events.envelope import CloudEvent, InvalidEnvelope
from shared.kafka.batches import Admit, BatchApplier, PollBatch
from shared.kafka.handling import BatchWarmer
from shared.kafka.sources import UntrustedSource
from shared.logging import get_logger

log = get_logger(__name__)


async def apply_looking_ahead(
    applier: BatchApplier,
    consumer: AIOKafkaConsumer,
    batch: PollBatch,
    *,
    size: int,
    warm: BatchWarmer,
    admit: Admit,
) -> tuple[bool, PollBatch]:
    """``applier.apply(batch)``, and the records fetched behind it, warmed while it committed
    (empty when it finished before committing, e.g. declined)."""
    committing = asyncio.Event()
    applying = asyncio.create_task(applier.apply(batch, committing=committing))
    waiting = asyncio.create_task(committing.wait())
    try:
        await asyncio.wait({applying, waiting}, return_when=asyncio.FIRST_COMPLETED)
        ahead: PollBatch = {}
        if not applying.done():
            with contextlib.suppress(KafkaError):  # the next poll meets it (and the runner its rules)
                ahead = await consumer.getmany(timeout_ms=0, max_records=size)
            warm_records(ahead, warm, admit)
        return await applying, ahead
    finally:
        waiting.cancel()
        if not applying.done():  # cancelled from outside: the batch's transaction rolls back
            applying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await applying


def warm_records(batch: PollBatch, warm: BatchWarmer, admit: Admit) -> None:
    """Warm the events of ``batch`` that may be handled; a failure here only loses the head start
    (the batch does the same work again, and fails there if it must)."""
    try:
        events: list[CloudEvent] = []
        for records in batch.values():
            for record in records:
                with contextlib.suppress(InvalidEnvelope, UntrustedSource):  # dead-lettered in its turn
                    events.append(admit(record))
        if events:
            warm(events)
    except Exception as exc:
        log.debug("warming the next batch failed", records=sum(len(r) for r in batch.values()), error=repr(exc))


def give_back(consumer: AIOKafkaConsumer, batch: PollBatch) -> None:
    """Seek each partition of ``batch`` back to its first record: the next polls return them again."""
    for tp, records in batch.items():
        if records:
            with contextlib.suppress(KafkaError, AssertionError):  # revoked meanwhile: not ours to read
                consumer.seek(tp, records[0].offset)
    if batch:
        log.info("records taken ahead given back", records=sum(len(records) for records in batch.values()))


def still_assigned(consumer: AIOKafkaConsumer, batch: PollBatch) -> PollBatch:
    """``batch`` without the partitions a rebalance took away while it was held."""
    assigned = consumer.assignment()
    return {tp: records for tp, records in batch.items() if tp in assigned}
