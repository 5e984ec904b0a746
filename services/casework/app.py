"""Casework app factory and process parts; nothing connects at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.casework import db
from services.casework.api import router
from services.casework.calendars import load_calendar
from services.casework.consumers import GROUP_ID, TOPICS, bind, prepare
from services.casework.documents.render import DocumentRenderer
from services.casework.handlers.context import CaseworkContext
from services.casework.metrics import overdue_gauge, report_calendar
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.scheduler import SchedulerPart
from services.casework.settings import Settings
from shared.catalog import load_catalog
from shared.clock import Clock
from shared.periodic import running
from shared.ratelimit import RateLimit
from shared.runtime import ApiServer, ConsumerPart, Infrastructure, OutboxRelayPart, Part
from shared.web import create_service_app


def build_context(settings: Settings, *, clock: Clock | None = None) -> CaseworkContext:
    ctx = CaseworkContext(
        settings=settings,
        clock=clock or settings.make_clock(),
        calendar=load_calendar(settings.holiday_calendar_path),
        catalog=load_catalog(),
        renderer=DocumentRenderer(font_path=settings.document_font_path),
    )
    report_calendar(ctx.calendar, ctx.clock)
    return ctx


def build_infrastructure(settings: Settings) -> Infrastructure:
    """Engine, sessions and producer of one process part; its units of work carry the repositories."""
    return Infrastructure.build(settings, db.TABLES, unit_of_work=CaseworkUnitOfWork)


def create_app(settings: Settings | None = None, *, ctx: CaseworkContext | None = None) -> FastAPI:
    settings = settings or Settings()
    ctx = ctx or build_context(settings)
    infra = build_infrastructure(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await infra.start()
        try:
            async with running(overdue_gauge(infra, ctx.clock, settings.scheduler_interval_s)):
                yield
        finally:
            await infra.close()

    app = create_service_app(
        title="Guangming grievance platform — casework",
        description=(
            "Departments handle petitions and litigation-related grievances under the statutory clocks of "
            "《信访工作条例》: sign for, return, accept, extend, reply; documents; supervision; statistics."
        ),
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        readiness=infra.readiness(),
    )
    app.state.settings = settings
    app.state.infra = infra
    app.state.ctx = ctx
    app.state.rate_limits = {"documents": RateLimit(settings.document_rate_limit, scope="documents")}
    app.include_router(router)
    return app


MODES = ("api", "worker", "relay", "all")


def parts(mode: str, settings: Settings) -> list[Part]:
    """``api`` serves HTTP, ``worker`` consumes events and runs the scheduler, ``relay`` publishes
    the outbox, ``all`` runs everything in one process."""
    ctx = build_context(settings)
    chosen: list[Part] = []
    if mode in ("api", "all"):
        chosen.append(ApiServer(create_app(settings, ctx=ctx), host=settings.http_host, port=settings.http_port))
    if mode in ("worker", "all"):
        consumer_infra = build_infrastructure(settings)
        chosen.append(
            ConsumerPart(consumer_infra, group_id=GROUP_ID, topics=TOPICS, handlers=bind(ctx), prepare=prepare)
        )
        chosen.append(SchedulerPart(build_infrastructure(settings), ctx))
    if mode in ("relay", "all"):
        chosen.append(OutboxRelayPart(settings, db.TABLES))
    return chosen
