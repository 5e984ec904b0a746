"""Feedback app factory and process parts; nothing connects at import."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.feedback import db
from services.feedback.api import router as api_router
from services.feedback.consumers import GROUP_ID, TOPICS, bind, prepare
from services.feedback.handlers.context import FeedbackContext
from services.feedback.portal import install_portal
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.settings import Settings
from services.feedback.stream.hub import TimelineHub
from services.feedback.webhook_dispatch import WebhookDispatcherPart
from shared.clock import Clock
from shared.db.base import asyncpg_dsn
from shared.db.rate_limit_store import PostgresCounterStore
from shared.ratelimit import RateLimit
from shared.runtime import ApiServer, ConsumerPart, Infrastructure, OutboxRelayPart, Part
from shared.web import create_service_app

LISTENER_STARTUP_WAIT_S = 10.0


def build_hub(settings: Settings) -> TimelineHub:
    return TimelineHub(
        dsn=asyncpg_dsn(settings.database_url.get_secret_value()),
        channel=db.TIMELINE_CHANNEL,
        queue_size=settings.sse_queue_size,
        max_streams=settings.sse_max_streams,
        max_streams_per_grievance=settings.sse_max_streams_per_grievance,
        reconnect_s=settings.listener_reconnect_s,
    )


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = Infrastructure.build(settings, db.TABLES, unit_of_work=FeedbackUnitOfWork)
    hub = build_hub(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await infra.start()
        listener = asyncio.create_task(hub.run(), name="timeline-listener")
        # Streams work without the listener (they catch up when it connects); waiting a moment
        # just avoids a catch-up read for every stream opened during startup.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(LISTENER_STARTUP_WAIT_S):
                await hub.listening.wait()
        try:
            yield
        finally:
            hub.stop()
            await listener
            await infra.close()

    readiness = infra.readiness()

    async def listener_ready() -> None:
        if not hub.listening.is_set():
            raise ConnectionError("timeline listener not connected")

    readiness.add("timeline_listener", listener_ready)
    app = create_service_app(
        title="Guangming grievance platform — feedback",
        description="The citizen's timeline, live status (SSE), 回访 rating and reopen, 民意速办 webhooks, portal.",
        lifespan=lifespan,
        readiness=readiness,
    )
    app.state.settings = settings
    app.state.infra = infra
    app.state.ctx = FeedbackContext.build(settings, clock=clock)
    app.state.hub = hub
    # Counters in feedback's schema: every feedback API process draws on the same budget.
    counters = PostgresCounterStore(infra.engine, schema=db.SCHEMA)
    app.state.rate_limits = {
        "lookup": RateLimit(settings.lookup_rate_limit, scope="lookup", store=counters),
        "stream": RateLimit(settings.stream_rate_limit, scope="stream", store=counters),
        "action": RateLimit(settings.action_rate_limit, scope="action", store=counters),
    }
    app.include_router(api_router)
    install_portal(app, intake_base_url=settings.intake_public_url)
    return app


class TimelineWriterPart:
    """Consumer group ``feedback`` writing the read model, closing its infrastructure on the way out."""

    def __init__(self, settings: Settings) -> None:
        self._infra = Infrastructure.build(settings, db.TABLES, unit_of_work=FeedbackUnitOfWork)
        handlers = bind(FeedbackContext.build(settings))
        self._consumer = ConsumerPart(self._infra, group_id=GROUP_ID, topics=TOPICS, handlers=handlers, prepare=prepare)

    async def run(self) -> None:
        try:
            await self._consumer.run()
        finally:
            await self._infra.close()

    async def stop(self) -> None:
        await self._consumer.stop()


class FeedbackApiPart:
    """uvicorn serving the app; stopping also ends the open streams at once, so shutdown does
    not wait for them (clients resume on another process with Last-Event-ID)."""

    def __init__(self, app: FastAPI, *, host: str, port: int) -> None:
        self._hub: TimelineHub = app.state.hub
        self._server = ApiServer(app, host=host, port=port)

    async def run(self) -> None:
        await self._server.run()

    def stop(self) -> None:
        self._hub.stop()
        self._server.stop()


MODES = ("api", "worker", "relay", "all")


def parts(mode: str, settings: Settings) -> list[Part]:
    """``api`` serves HTTP and SSE, ``worker`` writes the timeline (group feedback) and sends
    webhooks, ``relay`` publishes the outbox, ``all`` runs the three in one process."""
    chosen: list[Part] = []
    if mode in ("api", "all"):
        chosen.append(FeedbackApiPart(create_app(settings), host=settings.http_host, port=settings.http_port))
    if mode in ("worker", "all"):
        chosen.append(TimelineWriterPart(settings))
        chosen.append(WebhookDispatcherPart(settings))
    if mode in ("relay", "all"):
        chosen.append(OutboxRelayPart(settings, db.TABLES))
    return chosen
