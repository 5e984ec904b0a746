"""Router app factory and process parts; nothing connects or loads a model at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.router import db
from services.router.api import ROUTERS
from services.router.classifier import Classifier
from services.router.consumers import GROUP_ID, TOPICS, bind, prepare, warm
from services.router.handlers.context import RouterContext
from services.router.handlers.reviews import refresh_pending_gauge
from services.router.repositories import RouterUnitOfWork
from services.router.settings import Settings
from services.router.training.artifact import ensure_artifact
from shared.catalog import load_catalog
from shared.clock import Clock, SystemClock
from shared.periodic import PeriodicPart, running
from shared.runtime import ApiServer, ConsumerPart, Infrastructure, OutboxRelayPart, Part
from shared.web import create_service_app

MODES = ("api", "worker", "relay", "all")


def build_context(
    settings: Settings, *, clock: Clock | None = None, classifier: Classifier | None = None
) -> RouterContext:
    catalog = load_catalog()
    if classifier is None:
        model_path = ensure_artifact(settings.model_path)
        classifier = Classifier.load(model_path, settings.rules_path, catalog)
    return RouterContext(settings=settings, classifier=classifier, catalog=catalog, clock=clock or SystemClock())


def infrastructure(settings: Settings) -> Infrastructure:
    """Engine, producer and units of work of the router's schema; ``infra.uow()`` is a RouterUnitOfWork."""
    return Infrastructure.build(settings, db.TABLES, unit_of_work=RouterUnitOfWork)


def router_uow(infra: Infrastructure) -> RouterUnitOfWork:
    return RouterUnitOfWork.of(infra.uow())


def create_app(settings: Settings | None = None, *, ctx: RouterContext | None = None) -> FastAPI:
    settings = settings or Settings()
    ctx = ctx or build_context(settings)
    infra = infrastructure(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await infra.start()
        try:
            async with running(pending_reviews_gauge(infra, settings.review_gauge_interval_s)):
                yield
        finally:
            await infra.close()

    app = create_service_app(
        title="Guangming grievance platform — router",
        description="Classification of grievances and the reviewer queue for low-confidence decisions.",
        lifespan=lifespan,
        max_body_bytes=settings.max_body_bytes,
        readiness=infra.readiness(),
    )
    app.state.settings = settings
    app.state.infra = infra
    app.state.ctx = ctx
    for router in ROUTERS:
        app.include_router(router)
    return app


def pending_reviews_gauge(infra: Infrastructure, interval: float) -> PeriodicPart[None]:
    """The pending-review gauge comes from the database: workers add, the API removes."""

    async def refresh() -> None:
        async with router_uow(infra) as uow:
            await refresh_pending_gauge(uow=uow)

    # A database hiccup skips a round, it does not end the API.
    return PeriodicPart("router_review_gauge", refresh, interval=interval)


def create_worker_status_app(settings: Settings, infra: Infrastructure) -> FastAPI:
    """What a worker-only process serves: /healthz, /readyz and /metrics."""
    app = create_service_app(title="Guangming grievance platform — router worker", readiness=infra.readiness())
    app.state.settings = settings
    return app


def parts(mode: str, settings: Settings) -> list[Part]:
    """``api`` reviewer HTTP, ``worker`` the consumer group, ``relay`` the outbox, ``all`` of them."""
    chosen: list[Part] = []
    ctx = build_context(settings) if mode in ("api", "worker", "all") else None
    if mode in ("api", "all"):
        chosen.append(ApiServer(create_app(settings, ctx=ctx), host=settings.http_host, port=settings.http_port))
    if mode in ("worker", "all"):
        assert ctx is not None
        infra = infrastructure(settings)
        consumer = ConsumerPart(
            infra, group_id=GROUP_ID, topics=TOPICS, handlers=bind(ctx), prepare=prepare(ctx), warm=warm(ctx)
        )
        chosen.append(consumer)
        if mode == "worker" and settings.worker_metrics_port is not None:
            status_app = create_worker_status_app(settings, infra)
            chosen.append(ApiServer(status_app, host=settings.http_host, port=settings.worker_metrics_port))
    if mode in ("relay", "all"):
        chosen.append(OutboxRelayPart(settings, db.TABLES))
    return chosen
