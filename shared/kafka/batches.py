"""Poll batches: gathering a poll, applying all of it in one unit of work, the lag after it.

This is the runner's fast path (shared.kafka.consumer owns the group, the offsets and the slow,
per-event path). A poll batch is handled in one unit of work: one inbox claim for all its events,
then each partition's events in order, each by its use case, then one commit; the runner then
commits the offsets. Per-event costs (a transaction, a claim, an outbox flush) are paid once per
batch, and ``prepare`` may do a batch's work at once (the router classifies the whole batch in one
call and reads for all of it).

The fast path declines, having applied nothing, whenever the per-event path must decide: a single
record, a record to dead-letter (not a CloudEvent, or from a source its topic does not trust) or
any failure, which rolls the whole batch back. A poll of only event types the group has no handler
for needs no database at all: it is counted and acknowledged without a transaction.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError

from shared.db.uow import UnitOfWorkFactory
from shared.events.envelope import CloudEvent, InvalidEnvelope
from shared.kafka.handling import BatchPreparer, EventHandler
from shared.kafka.sources import UntrustedSource
from shared.logging import correlation_scope, get_logger
from shared.metrics import CONSUMER_LAG, EVENT_BATCHES, EVENT_HANDLING, EVENTS_CONSUMED

log = get_logger(__name__)

# A poll's records per partition, each partition's in offset order.
PollBatch = dict[TopicPartition, list[ConsumerRecord]]
# A record's event if it may be handled; raises InvalidEnvelope or UntrustedSource otherwise.
Admit = Callable[[ConsumerRecord], CloudEvent]


async def poll(consumer: AIOKafkaConsumer, *, size: int, linger_s: float, taken: PollBatch | None = None) -> PollBatch:
    """Up to ``size`` records, starting with those ``taken`` ahead already (shared.kafka.lookahead);
    a poll that finds only a few waits ``linger_s`` once for the records right behind them, so a
    steady trickle is handled a few events per transaction instead of one (a few milliseconds of
    latency against a transaction each)."""
    batch: PollBatch = taken or await consumer.getmany(timeout_ms=500, max_records=size)
    got = sum(len(records) for records in batch.values())
    if not got or got >= size or linger_s <= 0:
        return batch
    await asyncio.sleep(linger_s)
    more = await consumer.getmany(timeout_ms=0, max_records=size - got)
    for tp, records in more.items():
        batch.setdefault(tp, []).extend(records)  # each partition's records stay in order
    return batch


def report_lag(consumer: AIOKafkaConsumer, group_id: str, batch: PollBatch) -> None:
    """How far behind its topics' ends the group is after ``batch``, per topic."""
    lag_by_topic: dict[str, int] = {}
    for tp in batch:
        try:
            highwater = consumer.highwater(tp)
            position = batch[tp][-1].offset + 1
        except (KafkaError, AssertionError):
            continue
        if highwater is not None:
            lag_by_topic[tp.topic] = lag_by_topic.get(tp.topic, 0) + max(0, highwater - position)
    for topic, lag in lag_by_topic.items():
        CONSUMER_LAG.labels(group_id, topic).set(lag)


@dataclass(frozen=True, slots=True)
class _Handled:
    """What one batch transaction did: each event's outcome, and how long it took in all."""

    outcomes: list[tuple[str, str]]
    seconds: float


class BatchApplier:
    """Applies a consumer group's poll batches in one unit of work each, or declines to."""

    def __init__(
        self,
        *,
        group_id: str,
        handlers: Mapping[str, EventHandler],
        uow_factory: UnitOfWorkFactory,
        admit: Admit,
        prepare: BatchPreparer | None,
        enabled: bool,
    ) -> None:
        self._group_id = group_id
        self._handlers = handlers
        self._uow_factory = uow_factory
        self._admit = admit
        self._prepare = prepare
        self.enabled = enabled

    async def apply(
        self, batch: Mapping[TopicPartition, list[ConsumerRecord]], *, committing: asyncio.Event | None = None
    ) -> bool:
        """The whole poll at once; False (nothing applied) when it must be replayed one event per
        transaction: a single record, a record to dead-letter, or any failure. ``committing`` is
        set when the batch's commit starts (shared.kafka.lookahead)."""
        records = [record for partition in batch.values() for record in partition]
        if not self.enabled or len(records) < 2:
            return False
        events = self._decode_all(records)
        if events is None:
            return False
        ours = [(event, handler) for event, handler in events if handler is not None]
        outcomes = [(event.type, "ignored") for event, handler in events if handler is None]
        per_event = 0.0
        # Only other producers' types (a shared topic): no transaction, as for a single ignored
        # record; the runner commits the offsets past them all the same.
        if ours:
            handled = await self._in_one_transaction(ours, records=len(records), committing=committing)
            if handled is None:
                return False
            outcomes.extend(handled.outcomes)
            per_event = handled.seconds / len(ours)
        for event_type, outcome in outcomes:
            EVENTS_CONSUMED.labels(self._group_id, event_type, outcome).inc()
            if outcome != "ignored":
                EVENT_HANDLING.labels(self._group_id).observe(per_event)
        return True

    def _decode_all(self, records: Sequence[ConsumerRecord]) -> list[tuple[CloudEvent, EventHandler | None]] | None:
        """Each record's event and use case; None if any record is to be dead-lettered (the
        per-event path does that, alone, in its place in the partition's order)."""
        decoded = []
        for record in records:
            try:
                event = self._admit(record)
            except (InvalidEnvelope, UntrustedSource):
                return None
            decoded.append((event, self._handlers.get(event.type)))
        return decoded

    async def _in_one_transaction(
        self, ours: Sequence[tuple[CloudEvent, EventHandler]], *, records: int, committing: asyncio.Event | None
    ) -> _Handled | None:
        """Claim, prepare, handle and commit ``ours`` in one unit of work; None if it rolled back."""
        started = time.perf_counter()
        outcomes: list[tuple[str, str]] = []
        try:
            async with self._uow_factory() as uow:
                fresh = await uow.claim_many([event for event, _ in ours], self._group_id)
                claimed = time.perf_counter()
                if self._prepare is not None:
                    await self._prepare([event for event, _ in ours if (event.source, event.id) in fresh], uow)
                prepared = time.perf_counter()
                uow.commit_held = True
                for event, handler in ours:
                    key = (event.source, event.id)
                    if key not in fresh:  # handled before, or earlier in this batch
                        outcomes.append((event.type, "duplicate"))
                        continue
                    fresh.discard(key)
                    with correlation_scope(event.correlation_id):
                        await handler(event, uow)
                    outcomes.append((event.type, "processed"))
                uow.commit_held = False
                handled = time.perf_counter()
                if committing is not None:
                    committing.set()
                await uow.commit()
        except Exception as exc:
            # Rolled back as a whole: nothing of it happened, so replaying it event by event
            # applies each effect exactly once and isolates the event at fault.
            EVENT_BATCHES.labels(self._group_id, "replayed").inc()
            log.warning("batch rolled back, replaying it one event per transaction", records=records, error=repr(exc))
            return None
        EVENT_BATCHES.labels(self._group_id, "committed").inc()
        log.debug(
            "batch committed",
            events=len(ours),
            claim_ms=round((claimed - started) * 1000, 1),
            prepare_ms=round((prepared - claimed) * 1000, 1),
            handle_ms=round((handled - prepared) * 1000, 1),
            commit_ms=round((time.perf_counter() - handled) * 1000, 1),
        )
        return _Handled(outcomes, time.perf_counter() - started)
