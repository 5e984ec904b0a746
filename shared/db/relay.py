"""Outbox relay: publishes committed outbox rows to Kafka, in order per key, then marks them sent.

Several relays may run against one schema: rows are taken ``FOR UPDATE SKIP LOCKED``, and a row
is held back while an earlier unsent row with the same key is locked by another relay, so one
grievance's events never overtake each other. A relay that dies after Kafka acked a batch but
before its transaction committed leaves the rows unsent: they are published again (at least
once) and the consumers' inbox removes the duplicate effect.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.base import asyncpg_dsn
from shared.db.outbox import notify_channel
from shared.logging import get_logger
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED
from shared.settings import ServiceSettings

log = get_logger(__name__)

_RELISTEN_INTERVAL_S = 5.0
_LISTEN_CONNECT_TIMEOUT_S = 5.0


class OutboxRelay:
    def __init__(
        self,
        *,
        settings: ServiceSettings,
        engine: AsyncEngine,
        table: Table,
        producer: AIOKafkaProducer,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._table = table
        self._producer = producer
        self._schema = str(table.schema)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._listener: Any = None
        self._relisten_at = 0.0

    async def run(self) -> None:
        """Publish until stopped; wakes on NOTIFY from committing writers, or polls."""
        await self._listen()
        try:
            cleanup_due = 0.0
            failures = 0
            while not self._stopping.is_set():
                await self._relisten_if_lost()
                try:
                    published = await self.drain()
                    loop_time = asyncio.get_running_loop().time()
                    if loop_time >= cleanup_due:
                        await self._purge_old_rows()
                        await self._report_backlog()
                        cleanup_due = loop_time + 60
                    failures = 0
                except Exception as exc:
                    # Kafka or the database is unavailable: nothing was marked sent, so retry later.
                    failures += 1
                    delay = min(30.0, self._settings.outbox_poll_interval_s * 2 ** min(failures, 6))
                    log.warning("outbox relay cycle failed, retrying", error=repr(exc), delay_s=delay)
                    await self._sleep(delay)
                    continue
                if published:
                    continue
                self._wake.clear()
                waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(self._stopping.wait())]
                await asyncio.wait(
                    waiters, timeout=self._settings.outbox_poll_interval_s, return_when=asyncio.FIRST_COMPLETED
                )
                for waiter in waiters:
                    waiter.cancel()
                if self._wake.is_set() and self._settings.outbox_linger_s > 0:
                    # Woken by a commit: let the commits right behind it land too, so one cycle
                    # (three statements and a Kafka round trip) carries many rows, not one's two.
                    await self._sleep(self._settings.outbox_linger_s)
        finally:
            await self._unlisten()

    def stop(self) -> None:
        self._stopping.set()

    async def _sleep(self, seconds: float) -> None:
        """Sleep, but wake at once when stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def drain(self) -> int:
        """Publish every ready row; returns how many were published."""
        total = 0
        while not self._stopping.is_set():
            count = await self.publish_batch()
            total += count
            if count < self._settings.outbox_batch_size:
                break
        return total

    async def publish_batch(self) -> int:
        t = self._table
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(t.c.id, t.c.topic, t.c.key, t.c.value, t.c.headers)
                    .where(t.c.published_at.is_(None))
                    .order_by(t.c.id)
                    .limit(self._settings.outbox_batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            foreign = await self._earliest_foreign_unsent(conn, rows)
            ready = [row for row in rows if row.id < foreign.get(row.key, row.id + 1)]
            if not ready:
                return 0
            try:
                # Bounded: with the broker away, the idempotent producer would wait forever while
                # this transaction holds its row locks. Rolling back lets the rows be taken again.
                await asyncio.wait_for(self._send(ready), self._settings.outbox_publish_timeout_s)
            except Exception as exc:
                log.warning("outbox publish failed", error=repr(exc), rows=len(ready))
                raise
            if self._settings.relay_fault_kill_after_publish:
                # Fault injection for the crash test: Kafka has the events, the DB does not know.
                os.kill(os.getpid(), signal.SIGKILL)
            await conn.execute(update(t).where(t.c.id.in_([row.id for row in ready])).values(published_at=func.now()))
        OUTBOX_PUBLISHED.labels(schema=self._schema).inc(len(ready))
        return len(ready)

    async def _earliest_foreign_unsent(self, conn: Any, rows: Sequence[Row[Any, Any, Any, Any, Any]]) -> dict[str, int]:
        """Per key, the earliest unsent row outside this batch (locked by another relay, or committed
        since the batch was read): our rows of that key after it must wait for it."""
        t = self._table
        result = await conn.execute(
            select(t.c.key, func.min(t.c.id))
            .where(
                t.c.published_at.is_(None),
                t.c.key.in_({row.key for row in rows}),
                t.c.id.not_in([row.id for row in rows]),
            )
            .group_by(t.c.key)
        )
        return {key: first_id for key, first_id in result}

    async def _send(self, rows: Sequence[Row[Any, Any, Any, Any, Any]]) -> None:
        futures = []
        for row in rows:
            headers = [(name, value.encode()) for name, value in row.headers]
            futures.append(
                await self._producer.send(
                    self._settings.topic(row.topic), value=row.value, key=row.key.encode(), headers=headers
                )
            )
        await asyncio.gather(*futures)

    async def _purge_old_rows(self) -> None:
        t = self._table
        cutoff = func.now() - timedelta(days=self._settings.outbox_retention_days)
        async with self._engine.begin() as conn:
            await conn.execute(delete(t).where(t.c.published_at.is_not(None), t.c.published_at < cutoff))

    async def _report_backlog(self) -> None:
        t = self._table
        async with self._engine.connect() as conn:
            backlog = await conn.scalar(select(func.count()).select_from(t).where(t.c.published_at.is_(None)))
        OUTBOX_BACKLOG.labels(schema=self._schema).set(backlog or 0)

    async def _listen(self) -> None:
        import asyncpg  # type: ignore[import-untyped]

        self._relisten_at = asyncio.get_running_loop().time() + _RELISTEN_INTERVAL_S
        try:
            self._listener = await asyncpg.connect(
                asyncpg_dsn(self._settings.database_url.get_secret_value()), timeout=_LISTEN_CONNECT_TIMEOUT_S
            )
            await self._listener.add_listener(notify_channel(self._schema), lambda *_: self._wake.set())
        except (OSError, asyncpg.PostgresError) as exc:
            # Polling still delivers everything; LISTEN only shortens the delay.
            log.warning("outbox LISTEN unavailable, polling only", error=str(exc))
            await self._unlisten()  # retried every few seconds: never leave a half-open connection

    async def _relisten_if_lost(self) -> None:
        """A database restart closes the LISTEN connection, and nothing would open it again: the
        relay would only poll from then on. Reconnect, at most every few seconds."""
        if self._listener is not None and not self._listener.is_closed():
            return
        if asyncio.get_running_loop().time() < self._relisten_at:
            return
        await self._unlisten()
        await self._listen()

    async def _unlisten(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(Exception):  # the connection may have died with the database
                await self._listener.close()
            self._listener = None
