"""Intake app factory and process parts; nothing connects at import."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from services.intake import db
from services.intake.api import router
from services.intake.consumers import GROUP_ID, TOPICS, bind, prepare
from services.intake.handlers.context import IntakeContext
from services.intake.repositories import IntakeUnitOfWork
from services.intake.retention_job import RetentionPart
from services.intake.settings import Settings
from shared.clock import Clock, SystemClock
from shared.db.rate_limit_store import PostgresCounterStore
from shared.ratelimit import RateLimit
from shared.runtime import ApiServer, ConsumerPart, Infrastructure, OutboxRelayPart, Part
from shared.web import create_service_app


def build_infrastructure(settings: Settings) -> Infrastructure:
    """Engine, sessions and producer of intake; ``infra.uow()`` yields an IntakeUnitOfWork."""
    return Infrastructure.build(settings, db.TABLES, unit_of_work=IntakeUnitOfWork)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = build_infrastructure(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await infra.start()
        # What start-up loaded (modules, models, compiled statements) lives as long as the process:
        # kept out of the collector's full passes, which otherwise rescan all of it under load.
        gc.freeze()
        try:
            yield
        finally:
            await infra.close()

    app = create_service_app(
        title="Guangming grievance platform — intake",
        description="One entry for grievances: citizen portal, staff registration and the 民意速办 webhook.",
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        readiness=infra.readiness(),
    )
    app.state.settings = settings
    app.state.infra = infra
    app.state.ctx = IntakeContext.build(settings, clock)
    # Counters in intake's schema: every intake API process draws on the same budget.
    counters = PostgresCounterStore(infra.engine, schema=db.SCHEMA)
    app.state.rate_limits = {
        "submit": RateLimit(settings.submit_rate_limit, scope="submit", store=counters),
        "open311_submit": RateLimit(settings.open311_submit_rate_limit, scope="open311_submit", store=counters),
        "lookup": RateLimit(settings.lookup_rate_limit, scope="lookup", store=counters),
        "webhook": RateLimit(settings.minyi_webhook_rate_limit, scope="webhook", store=counters),
    }
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type", "Idempotency-Key", "X-Tracking-Token", "X-Correlation-ID"],
        # Retry-After: a browser client may wait as long as a 429 or a shed 503 asks.
        expose_headers=["Location", "Idempotent-Replayed", "X-Correlation-ID", "Retry-After"],
    )
    app.include_router(router)
    return app


MODES = ("api", "worker", "relay", "all")


def parts(mode: str, settings: Settings) -> list[Part]:
    """``api`` serves HTTP, ``worker`` keeps the status read model (group intake) and runs the
    personal-data retention job, ``relay`` publishes the outbox, ``all`` runs the three in one process."""
    chosen: list[Part] = []
    if mode in ("api", "all"):
        chosen.append(ApiServer(create_app(settings), host=settings.http_host, port=settings.http_port))
    if mode in ("worker", "all"):
        infra = build_infrastructure(settings)
        handlers = bind(IntakeContext.build(settings, SystemClock()))
        chosen.append(ConsumerPart(infra, group_id=GROUP_ID, topics=TOPICS, handlers=handlers, prepare=prepare))
        if settings.personal_data_retention_days > 0:
            chosen.append(RetentionPart(build_infrastructure(settings), settings=settings, clock=SystemClock()))
    if mode in ("relay", "all"):
        chosen.append(OutboxRelayPart(settings, db.TABLES))
    return chosen
