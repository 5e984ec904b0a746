"""Sends queued 民意速办 webhooks: Standard Webhooks signatures, retries with exponential backoff,
in order per grievance, at least once (the receiver drops a repeated webhook-id).

The adapter around handlers/webhooks.py: each round leases a batch in one unit of work, sends it
over HTTP with no transaction open, and settles the attempts in another.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import cast

import httpx
from prometheus_client import Counter

from services.feedback import db
from services.feedback.domain.webhooks import Attempt, Delivery
from services.feedback.handlers import webhooks
from services.feedback.handlers.context import FeedbackContext
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.settings import Settings
from shared.logging import get_logger
from shared.runtime import Infrastructure
from shared.webhooks import signed_headers

log = get_logger(__name__)

WEBHOOK_ATTEMPTS = Counter("webhook_attempts_total", "Outbound webhook attempts, by outcome.", ["target", "outcome"])
# The dispatcher holds at most a lease and a settle transaction at once: a small pool suffices.
DISPATCHER_POOL_SIZE = 2


class WebhookDispatcher:
    def __init__(
        self,
        *,
        ctx: FeedbackContext,
        uows: Callable[[], FeedbackUnitOfWork],
        client: httpx.AsyncClient,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._ctx = ctx
        self._uows = uows
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
                async with asyncio.timeout(self._ctx.settings.webhook_poll_interval_s):
                    await self._stopping.wait()
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping.set()

    async def dispatch_due(self) -> int:
        """Send every due delivery whose predecessors (same grievance) are done; returns the count."""
        url = self._ctx.settings.minyi_webhook_url
        if url is None:
            return 0
        async with self._uows() as uow:
            leased = await webhooks.lease_due(uow=uow, ctx=self._ctx)
        if not leased:
            return 0
        attempts = await asyncio.gather(*(self._send(str(url), delivery) for delivery in leased))
        async with self._uows() as uow:
            await webhooks.settle_attempts(uow=uow, ctx=self._ctx, attempts=attempts, jitter=self._jitter)
        return len(attempts)

    async def _send(self, url: str, delivery: Delivery) -> Attempt:
        secret = self._ctx.settings.minyi_webhook_secret.get_secret_value()
        headers = {"content-type": "application/json", **signed_headers(secret, delivery.webhook_id, delivery.body)}
        status: int | None = None
        error: str | None = None
        try:
            response = await self._client.post(url, content=delivery.body, headers=headers)
            status = response.status_code
            if not 200 <= status < 300:
                error = f"HTTP {status}: {response.text[:200]}"
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:500]
        attempt = Attempt(delivery, status, error)
        WEBHOOK_ATTEMPTS.labels(delivery.target, "delivered" if attempt.delivered else "failed").inc()
        return attempt


class WebhookDispatcherPart:
    """The dispatcher as a process part, with its own small connection pool and HTTP client."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._dispatcher: WebhookDispatcher | None = None
        self._stopped = asyncio.Event()

    async def run(self) -> None:
        settings = self._settings
        if settings.minyi_webhook_url is None:
            # Returning would end the whole process (run_parts stops on the first part to end).
            log.info("no minyi_webhook_url: outbound webhooks are off")
            await self._stopped.wait()
            return
        pool = {"db_pool_size": DISPATCHER_POOL_SIZE, "db_max_overflow": DISPATCHER_POOL_SIZE}
        infra = Infrastructure.build(settings.model_copy(update=pool), db.TABLES, unit_of_work=FeedbackUnitOfWork)
        uows = cast(Callable[[], FeedbackUnitOfWork], infra.uow)  # built with unit_of_work=FeedbackUnitOfWork
        try:
            async with httpx.AsyncClient(timeout=settings.webhook_timeout_s, follow_redirects=False) as client:
                ctx = FeedbackContext.build(settings)
                self._dispatcher = WebhookDispatcher(ctx=ctx, uows=uows, client=client)
                if not self._stopped.is_set():
                    await self._dispatcher.run()
        finally:
            await infra.close()

    def stop(self) -> None:
        self._stopped.set()
        if self._dispatcher is not None:
            self._dispatcher.stop()
