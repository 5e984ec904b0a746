"""Consumer runner: a consumer group whose offsets move only after the effect is committed.

Each poll is first offered whole to the batch path (shared.kafka.batches: the poll in one unit of
work, or nothing); a group with a warm step takes the next poll's records while it commits
(shared.kafka.lookahead). When that declines, the poll is replayed here one event per transaction, which
keeps every guarantee for the rare batch that needs it: a failing use case is retried with
exponential backoff a bounded number of times, then the record goes to the group's dead-letter
topic with the error while the others are applied exactly once; partitions concurrently, records
within a partition strictly in order. An event whose ``ce_source`` is not a producer of its topic
in the catalogue is dead-lettered at once, unhandled (shared.kafka.sources); so is a record that is
not a CloudEvent. Services import the runner and what their use cases need of it
(shared.kafka.handling) from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import traceback
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from shared.db.uow import UnitOfWorkFactory
from shared.events.envelope import CloudEvent, InvalidEnvelope, from_kafka
from shared.events.topics import dead_letter_topic
from shared.kafka.admin import catalogue
from shared.kafka.batches import BatchApplier, PollBatch, poll, report_lag
from shared.kafka.handling import BatchPreparer, BatchWarmer, EventHandler, PermanentError, bind_context
from shared.kafka.lookahead import apply_looking_ahead, give_back, still_assigned
from shared.kafka.security import client_kwargs
from shared.kafka.sources import UntrustedSource, check_source, trusted_sources
from shared.logging import correlation_scope, get_logger
from shared.metrics import DEAD_LETTERS, EVENT_HANDLING, EVENTS_CONSUMED
from shared.outages import is_infrastructure_outage
from shared.settings import ServiceSettings

__all__ = ["BatchPreparer", "BatchWarmer", "EventConsumer", "EventHandler", "PermanentError", "bind_context"]

log = get_logger(__name__)


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
        warm: BatchWarmer | None = None,
    ) -> None:
        self._settings = settings
        self._warm = warm
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
        self._batches = BatchApplier(
            group_id=group_id,
            handlers=self._handlers,
            uow_factory=uow_factory,
            admit=self._admit,
            prepare=prepare,
            enabled=settings.consumer_batch_transactions,
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
            size, linger_s = self._settings.consumer_batch_size, self._settings.consumer_linger_s
            ahead: PollBatch = {}  # the next batch's records, taken while this one committed
            while not self._stopping.is_set():
                batches = await poll(self._consumer, size=size, linger_s=linger_s, taken=ahead)
                ahead = {}
                if not batches:
                    continue
                if self._warm is None or not self._batches.enabled:
                    applied = await self._batches.apply(batches)
                else:
                    applied, ahead = await apply_looking_ahead(
                        self._batches, self._consumer, batches, size=size, warm=self._warm, admit=self._admit
                    )
                if applied:
                    await self._commit_offsets({tp: records[-1].offset + 1 for tp, records in batches.items()})
                    ahead = still_assigned(self._consumer, ahead)
                else:
                    give_back(self._consumer, ahead)  # replaying may seek back: after it, in order
                    ahead = {}
                    await asyncio.gather(*(self._handle_partition(tp, records) for tp, records in batches.items()))
                report_lag(self._consumer, self.group_id, batches)
        finally:
            await self.close()

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

    def _admit(self, record: ConsumerRecord) -> CloudEvent:
        """The record's event, if it is a CloudEvent from a producer of its topic (else raises)."""
        event = from_kafka(record.key, record.value, record.headers)
        check_source(self._trusted, self._logical.get(record.topic, record.topic), event.source)
        return event

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
