"""Mediation app factory and process parts; nothing connects at import.

Modes: ``api`` (mediator HTTP API, port 8004), ``worker`` (consumer group ``mediation`` and the
scheduler), ``relay`` (publishes the outbox), ``all`` (the three in one process).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.mediation import db
from services.mediation.api import router
from services.mediation.consumers import GROUP_ID, TOPICS, bind, prepare
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.staffing import sync_roster
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.scheduler import SchedulerPart
from services.mediation.settings import Settings
from shared.clock import Clock
from shared.ratelimit import RateLimit
from shared.runtime import ApiServer, ConsumerPart, Infrastructure, OutboxRelayPart, Part
from shared.web import create_service_app


def build_infrastructure(settings: Settings) -> Infrastructure:
    return Infrastructure.build(settings, db.TABLES, unit_of_work=MediationUnitOfWork)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    settings = settings or Settings()
    infra = build_infrastructure(settings)
    ctx = MediationContext.build(settings, clock=clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await infra.start()
        try:
            async with MediationUnitOfWork.factory_of(infra.uow)() as uow:
                await sync_roster(uow=uow, ctx=ctx)
            yield
        finally:
            await infra.close()

    app = create_service_app(
        title="Guangming grievance platform — mediation",
        description="People's, administrative and judicial mediation: mediators and panels, consent, sessions, "
        "agreements (调解协议书) and failures re-routed to the other tracks.",
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        readiness=infra.readiness(),
    )
    app.state.settings = settings
    app.state.infra = infra
    app.state.ctx = ctx
    app.state.rate_limits = {"document": RateLimit(settings.document_rate_limit, scope="document")}
    app.include_router(router)
    return app


class WorkerPart:
    """Consumer group ``mediation`` and the scheduler, after the roster is loaded into the schema."""

    def __init__(self, settings: Settings, *, clock: Clock | None = None) -> None:
        self._infra = build_infrastructure(settings)
        self._uows = MediationUnitOfWork.factory_of(self._infra.uow)
        self._ctx = MediationContext.build(settings, clock=clock)
        self.consumer = ConsumerPart(
            self._infra, group_id=GROUP_ID, topics=TOPICS, handlers=bind(self._ctx), prepare=prepare
        )
        self.scheduler = SchedulerPart(uow_factory=self._uows, ctx=self._ctx)
        self._stopped = False

    async def run(self) -> None:
        try:
            async with self._uows() as uow:
                await sync_roster(uow=uow, ctx=self._ctx)
            if not self._stopped:
                await asyncio.gather(self.consumer.run(), self.scheduler.run())
        finally:
            await self._infra.close()

    async def stop(self) -> None:
        self._stopped = True
        self.scheduler.stop()
        await self.consumer.stop()


MODES = ("api", "worker", "relay", "all")


def parts(mode: str, settings: Settings) -> list[Part]:
    chosen: list[Part] = []
    if mode in ("api", "all"):
        chosen.append(ApiServer(create_app(settings), host=settings.http_host, port=settings.http_port))
    if mode in ("worker", "all"):
        chosen.append(WorkerPart(settings))
    if mode in ("relay", "all"):
        chosen.append(OutboxRelayPart(settings, db.TABLES))
    return chosen
