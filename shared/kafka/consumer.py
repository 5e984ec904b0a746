"""Consumer runner: a consumer group whose offsets move only after the effect is committed.

A poll batch is handled in one unit of work: one inbox claim for all its events, then each
partition's events in order, each by its use case, then one commit, then the offsets. Per-event
costs (a transaction, a claim, an outbox flush) are paid once per batch, and ``prepare`` may do a
batch's work at once (the router classifies the whole batch in one call and reads for all of it).

Any failure in the batch rolls all of it back, and the batch is replayed one event per
transaction (the path below), which keeps every guarantee for the rare batch that needs it: a
failing use case is retried with exponential backoff a bounded number of times, then the record
goes to the group's dead-letter topic with the error while the others are applied exactly once;
partitions concurrently, records within a partition strictly in order. An event whose
``ce_source`` is not a producer of its topic in the catalogue is dead-lettered at once, unhandled
(shared.kafka.sources); so is a record that is not a CloudEvent.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from shared.db.uow import UnitOfWork, UnitOfWorkFactory
from shared.events.envelope import CloudEvent, InvalidEnvelope, from_kafka
from shared.events.topics import dead_letter_topic
from shared.kafka.admin import catalogue
from shared.kafka.security import client_kwargs
from shared.kafka.sources import UntrustedSource, check_source, trusted_sources
from shared.logging import correlation_scope, get_logger
from shared.metrics import CONSUMER_LAG, DEAD_LETTERS, EVENT_BATCHES, EVENT_HANDLING, EVENTS_CONSUMED
from shared.outages import is_infrastructure_outage
from shared.settings import ServiceSettings

log = get_logger(__name__)

EventHandler = Callable[[CloudEvent, UnitOfWork], Awaitable[None]]
# Work for a whole batch at once, in its unit of work, before its events are handled one by one:
# called with the events seen for the first time (e.g. classify them all, read for all of them).
BatchPreparer = Callable[[Sequence[CloudEvent], UnitOfWork], Awaitable[None]]
U = TypeVar("U", bound=UnitOfWork)
C = TypeVar("C")


def bind_context(
    handlers: Mapping[str, Callable[[CloudEvent, U, C], Awaitable[None]]], ctx: C, unit_of_work: type[U]
) -> dict[str, EventHandler]:
    """A service's handler table, ``(event, its own unit of work, its context)``, in the shape the
    runner calls: the context filled in, the runner's unit of work narrowed to the service's."""

    def bound(handler: Callable[[CloudEvent, U, C], Awaitable[None]]) -> EventHandler:
        async def handle(event: CloudEvent, uow: UnitOfWork) -> None:
            await handler(event, unit_of_work.of(uow), ctx)

        return handle

    return {event_type: bound(handler) for event_type, handler in handlers.items()}


class PermanentError(Exception):
    """The event can never succeed (bad payload, impossible transition): dead-letter it at once."""


class EventConsumer:
    def __init__(
        self,
        *,
        settings: ServiceSettings,
        group_id: str,
        topics: Sequence[str],
        handlers: Mapping[str, EventHandler],
        uow_factory: UnitOfWorkFactory,
        producer: AIOKafkaProducer,
        auto_offset_reset: str = "earliest",
        prepare: BatchPreparer | None = None,
    ) -> None:
        self._settings = settings
        self._prepare = prepare
        self.group_id = group_id
        self._topics = [settings.topic(name) for name in topics]
        # Broker-side topic name -> logical name, and who may publish on each (the catalogue).
        self._logical = {settings.topic(name): name for name in topics}
        self._trusted = trusted_sources(catalogue(), topics)
        self._handlers = dict(handlers)
        self._uow_factory = uow_factory
        self._producer = producer
        self._dead_letter_topic = settings.topic(dead_letter_topic(group_id))
        self._consumer = AIOKafkaConsumer(
            *self._topics,
            **client_kwargs(settings),
            client_id=f"{settings.client_id}-{group_id}",
            group_id=f"{settings.topic_prefix}{group_id}",
            enable_auto_commit=False,
            auto_offset_reset=auto_offset_reset,
            max_poll_interval_ms=300_000,
            session_timeout_ms=10_000,
            heartbeat_interval_ms=3_000,
        )
        self._stopping = asyncio.Event()
        self._started = False

    async def start(self) -> None:
        await self._consumer.start()
        self._started = True

    async def stop(self) -> None:
        self._stopping.set()

    async def close(self) -> None:
        if self._started:
            await self._consumer.stop()
            self._started = False

    async def run(self) -> None:
        """Consume until ``stop()``; always leaves the group cleanly."""
        if not self._started:
            await self.start()
        try:
            while not self._stopping.is_set():
                batches = await self._poll()
                if not batches:
                    continue
                if await self._apply_batch(batches):
                    await self._commit_offsets({tp: records[-1].offset + 1 for tp, records in batches.items()})
                else:
                    await asyncio.gather(*(self._handle_partition(tp, records) for tp, records in batches.items()))
                self._report_lag(batches)
        finally:
            await self.close()

    async def _poll(self) -> dict[TopicPartition, list[ConsumerRecord]]:
        """Up to a batch of records; a poll that finds only a few waits ``consumer_linger_s`` once
        for the records right behind them, so a steady trickle is handled a few events per
        transaction instead of one (a few milliseconds of latency against a transaction each)."""
        size = self._settings.consumer_batch_size
        batches: dict[TopicPartition, list[ConsumerRecord]] = await self._consumer.getmany(
            timeout_ms=500, max_records=size
        )
        got = sum(len(records) for records in batches.values())
        if not got or got >= size or self._settings.consumer_linger_s <= 0:
            return batches
        await asyncio.sleep(self._settings.consumer_linger_s)
        more = await self._consumer.getmany(timeout_ms=0, max_records=size - got)
        for tp, records in more.items():
            batches.setdefault(tp, []).extend(records)  # each partition's records stay in order
        return batches

    async def _handle_partition(self, tp: TopicPartition, records: list[ConsumerRecord]) -> None:
        done: ConsumerRecord | None = None
        for record in records:
            try:
                await self.process(record)
            except Exception as exc:
                # Only infrastructure fails here (e.g. Kafka down while dead-lettering): read this
                # record again later instead of skipping it or crashing the process.
                log.warning("record not handled, will retry", partition=str(tp), offset=record.offset, error=repr(exc))
                with contextlib.suppress(KafkaError, AssertionError):  # partition revoked meanwhile
                    self._consumer.seek(tp, record.offset)
                await asyncio.sleep(self._settings.consumer_retry_backoff_s * 10)
                break
            done = record
        if done is not None:
            await self._commit_offsets({tp: done.offset + 1})

    async def _commit_offsets(self, offsets: dict[TopicPartition, int]) -> None:
        # Every effect up to here is committed (or dead-lettered): only now may the group move on.
        # A crash before this redelivers records whose effects the inbox already holds, so they
        # become no-ops.
        try:
            await self._consumer.commit(offsets)
        except KafkaError as exc:
            # The group rebalanced (e.g. after a long database outage): the new owner of the
            # partition reads from the last committed offset, and the inbox makes repeats no-ops.
            log.warning("offset commit failed; records will be redelivered", offsets=str(offsets), error=repr(exc))

    async def _apply_batch(self, batches: Mapping[TopicPartition, list[ConsumerRecord]]) -> bool:
        """The whole poll in one transaction; False (nothing applied) when it must be replayed one
        event per transaction: a single record, a record to dead-letter, or any failure."""
        records = [record for partition in batches.values() for record in partition]
        if not self._settings.consumer_batch_transactions or len(records) < 2:
            return False
        events = self._decode_all(records)
        if events is None:
            return False
        started = time.perf_counter()
        ours = [(event, handler) for event, handler in events if handler is not None]
        outcomes: list[tuple[str, str]] = [(event.type, "ignored") for event, handler in events if handler is None]
        try:
            async with self._uow_factory() as uow:
                fresh = await uow.claim_many([event for event, _ in ours], self.group_id) if ours else set()
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
                await uow.commit()
        except Exception as exc:
            # Rolled back as a whole: nothing of it happened, so replaying it event by event
            # applies each effect exactly once and isolates the event at fault.
            EVENT_BATCHES.labels(self.group_id, "replayed").inc()
            log.warning(
                "batch rolled back, replaying it one event per transaction", records=len(records), error=repr(exc)
            )
            return False
        EVENT_BATCHES.labels(self.group_id, "committed").inc()
        log.debug(
            "batch committed",
            events=len(ours),
            claim_ms=round((claimed - started) * 1000, 1),
            prepare_ms=round((prepared - claimed) * 1000, 1),
            handle_ms=round((handled - prepared) * 1000, 1),
            commit_ms=round((time.perf_counter() - handled) * 1000, 1),
        )
        per_event = (time.perf_counter() - started) / max(1, len(ours))
        for event_type, outcome in outcomes:
            EVENTS_CONSUMED.labels(self.group_id, event_type, outcome).inc()
            if outcome != "ignored":
                EVENT_HANDLING.labels(self.group_id).observe(per_event)
        return True

    def _decode_all(self, records: Sequence[ConsumerRecord]) -> list[tuple[CloudEvent, EventHandler | None]] | None:
        """Each record's event and use case; None if any record is to be dead-lettered (the
        per-event path does that, alone, in its place in the partition's order)."""
        decoded = []
        for record in records:
            try:
                event = from_kafka(record.key, record.value, record.headers)
                check_source(self._trusted, self._logical.get(record.topic, record.topic), event.source)
            except (InvalidEnvelope, UntrustedSource):
                return None
            decoded.append((event, self._handlers.get(event.type)))
        return decoded

    async def process(self, record: ConsumerRecord) -> None:
        started = time.perf_counter()
        try:
            event = from_kafka(record.key, record.value, record.headers)
        except InvalidEnvelope as exc:
            await self._dead_letter(record, exc, attempts=1, event_type="invalid")
            return
        try:
            check_source(self._trusted, self._logical.get(record.topic, record.topic), event.source)
        except UntrustedSource as exc:
            # A forged or misrouted event has no effect; the dead letter shows operators what came.
            await self._dead_letter(record, exc, attempts=1, event_type=event.type)
            EVENTS_CONSUMED.labels(self.group_id, event.type, "refused").inc()
            return
        handler = self._handlers.get(event.type)
        if handler is None:
            # Another producer's event type on a shared topic, or a newer version: not ours.
            EVENTS_CONSUMED.labels(self.group_id, event.type, "ignored").inc()
            return
        with correlation_scope(event.correlation_id):
            outcome = await self._apply_with_retries(record, event, handler)
        EVENTS_CONSUMED.labels(self.group_id, event.type, outcome).inc()
        EVENT_HANDLING.labels(self.group_id).observe(time.perf_counter() - started)

    async def _apply_with_retries(self, record: ConsumerRecord, event: CloudEvent, handler: EventHandler) -> str:
        attempts = self._settings.consumer_max_retries + 1
        attempt = 1
        outage_waits = 0
        while True:
            try:
                return await self._apply(event, handler)
            except (PermanentError, ValidationError) as exc:
                await self._dead_letter(record, exc, attempts=attempt, event_type=event.type)
                return "dead_lettered"
            except Exception as exc:
                if is_infrastructure_outage(exc):
                    # The database is down or restarting: the event is fine, so wait for the
                    # database instead of spending the event's retries and dead-lettering it.
                    outage_waits += 1
                    delay = min(30.0, self._settings.consumer_retry_backoff_s * 2 ** min(outage_waits, 8))
                    log.warning("database unavailable, waiting", event_id=event.id, delay_s=delay, error=repr(exc))
                    await asyncio.sleep(delay)
                    continue
                if attempt == attempts:
                    await self._dead_letter(record, exc, attempts=attempt, event_type=event.type)
                    return "dead_lettered"
                delay = self._settings.consumer_retry_backoff_s * 2 ** (attempt - 1)
                log.warning(
                    "event handling failed, retrying",
                    event_id=event.id,
                    type=event.type,
                    attempt=attempt,
                    delay_s=delay,
                    error=repr(exc),
                )
                await asyncio.sleep(delay)
                attempt += 1

    async def _apply(self, event: CloudEvent, handler: EventHandler) -> str:
        async with self._uow_factory() as uow:
            if not await uow.claim(event, self.group_id):
                return "duplicate"
            await handler(event, uow)
            if not uow.committed:
                await uow.commit()
        return "processed"

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException, *, attempts: int, event_type: str) -> None:
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        headers = [
            *list(record.headers or []),
            ("dlq_error", error[:4000].encode()),
            ("dlq_error_type", type(exc).__name__.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_consumer_group", self.group_id.encode()),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        # Waiting for the ack before the offset commit: a crash here redelivers, never loses.
        await self._producer.send_and_wait(self._dead_letter_topic, value=record.value, key=record.key, headers=headers)
        DEAD_LETTERS.labels(self.group_id).inc()
        log.error(
            "event dead-lettered",
            topic=record.topic,
            offset=record.offset,
            type=event_type,
            attempts=attempts,
            error=error,
        )

    def _report_lag(self, batches: Mapping[TopicPartition, list[ConsumerRecord]]) -> None:
        lag_by_topic: dict[str, int] = {}
        for tp in batches:
            try:
                highwater = self._consumer.highwater(tp)
                position = batches[tp][-1].offset + 1
            except (KafkaError, AssertionError):
                continue
            if highwater is not None:
                lag_by_topic[tp.topic] = lag_by_topic.get(tp.topic, 0) + max(0, highwater - position)
        for topic, lag in lag_by_topic.items():
            CONSUMER_LAG.labels(self.group_id, topic).set(lag)
