"""Sends queued 民意速办 webhooks: Standard Webhooks signatures, retries with exponential backoff,
in order per grievance, at least once (the receiver drops a repeated webhook-id).

A batch is leased (``next_attempt_at`` pushed past the HTTP timeout) and committed before any
request goes out, so no transaction stays open across the network and a dispatcher that dies
mid-send leaves rows another dispatcher retries when the lease runs out.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from prometheus_client import Counter
from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.feedback import db
from services.feedback.domain import retry_delay
from services.feedback.settings import Settings
from shared.logging import get_logger
from shared.webhooks import signed_headers

log = get_logger(__name__)

WEBHOOK_ATTEMPTS = Counter("webhook_attempts_total", "Outbound webhook attempts, by outcome.", ["target", "outcome"])
LEASE_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    webhook_id: str
    target: str
    attempts: int
    status: int | None
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class WebhookDispatcher:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: AsyncEngine,
        client: httpx.AsyncClient,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._settings = settings
        self._engine = engine
        self._client = client
        self._jitter = jitter
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                sent = await self.dispatch_due()
            except Exception as exc:  # a database hiccup must not end the process part
                log.warning("webhook dispatch failed, retrying", error=repr(exc))
                sent = 0
            if sent:
                continue
            try:
                async with asyncio.timeout(self._settings.webhook_poll_interval_s):
                    await self._stopping.wait()
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def dispatch_due(self) -> int:
        """Send every due delivery whose predecessors (same grievance) are done; returns the count."""
        url = self._settings.minyi_webhook_url
        if url is None:
            return 0
        leased = await self._lease()
        if not leased:
            return 0
        attempts = await asyncio.gather(*(self._send(str(url), row) for row in leased))
        await self._record(attempts)
        return len(attempts)

    async def _lease(self) -> list[Any]:
        d = db.webhook_delivery
        earlier = d.alias("earlier")
        pending = and_(d.c.delivered_at.is_(None), d.c.failed_at.is_(None))
        blocked = exists().where(
            earlier.c.grievance_id == d.c.grievance_id,
            earlier.c.delivered_at.is_(None),
            earlier.c.failed_at.is_(None),
            earlier.c.id < d.c.id,
        )
        lease = timedelta(seconds=self._settings.webhook_timeout_s) + LEASE_MARGIN
        async with self._engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(d.c.id, d.c.webhook_id, d.c.target, d.c.body, d.c.attempts)
                    .where(pending, d.c.next_attempt_at <= func.now(), ~blocked)
                    .order_by(d.c.id)
                    .limit(self._settings.webhook_batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if rows:
                await conn.execute(
                    update(d)
                    .where(d.c.id.in_([row.id for row in rows]))
                    .values(next_attempt_at=func.now() + lease, attempts=d.c.attempts + 1)
                )
        return list(rows)

    async def _send(self, url: str, row: Any) -> Attempt:
        secret = self._settings.minyi_webhook_secret.get_secret_value()
        headers = {"content-type": "application/json", **signed_headers(secret, row.webhook_id, row.body)}
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(url, content=row.body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        attempt = Attempt(row.id, row.webhook_id, row.target, row.attempts + 1, status, error)
        WEBHOOK_ATTEMPTS.labels(row.target, "delivered" if attempt.delivered else "failed").inc()
        return attempt

    async def _record(self, attempts: list[Attempt]) -> None:
        d = db.webhook_delivery
        async with self._engine.begin() as conn:
            for attempt in attempts:
                values: dict[str, Any] = {"last_status": attempt.status, "last_error": attempt.error}
                if attempt.delivered:
                    values["delivered_at"] = func.now()
                elif attempt.attempts >= self._settings.webhook_max_attempts:
                    values["failed_at"] = func.now()
                    log.error(
                        "webhook given up",
                        webhook_id=attempt.webhook_id,
                        attempts=attempt.attempts,
                        error=attempt.error,
                    )
                else:
                    delay = retry_delay(
                        attempt.attempts,
                        base_s=self._settings.webhook_backoff_base_s,
                        cap_s=self._settings.webhook_backoff_max_s,
                        jitter=self._jitter(),
                    )
                    values["next_attempt_at"] = func.now() + timedelta(seconds=delay)
                    log.warning(
                        "webhook failed, will retry",
                        webhook_id=attempt.webhook_id,
                        attempt=attempt.attempts,
                        retry_in_s=round(delay, 1),
                        error=attempt.error,
                    )
                await conn.execute(update(d).where(d.c.id == attempt.id).values(**values))


class WebhookDispatcherPart:
    """The dispatcher as a process part, with its own engine and HTTP client."""

    def __init__(self, settings: Settings, engine_factory: Callable[[], AsyncEngine]) -> None:
        self._settings = settings
        self._engine_factory = engine_factory
        self._dispatcher: WebhookDispatcher | None = None
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        if self._settings.minyi_webhook_url is None:
            # Returning would end the whole process (run_parts stops on the first part to end).
            log.info("no minyi_webhook_url: outbound webhooks are off")
            await self._stopped.wait()
            return
        engine = self._engine_factory()
        try:
            async with httpx.AsyncClient(timeout=self._settings.webhook_timeout_s, follow_redirects=False) as client:
                self._dispatcher = WebhookDispatcher(settings=self._settings, engine=engine, client=client)
                if not self._stopped.is_set():
                    await self._dispatcher.run()
        finally:
            await engine.dispose()

    def stop(self) -> None:
        self._stopped.set()
        if self._dispatcher is not None:
            self._dispatcher.stop()
