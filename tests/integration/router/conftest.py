"""Router integration fixtures: the router's consumer and relay running in-process against the
real broker and database of the module's namespace, and helpers to build and read events."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from services.router import db as router_db
from services.router.app import build_context, create_app, infrastructure
from services.router.classifier import Classifier
from services.router.consumers import GROUP_ID, TOPICS, bind
from services.router.handlers.context import RouterContext
from services.router.settings import Settings
from services.router.training.artifact import ensure_artifact
from shared.events.contracts import ComplainantView, EventPayload, GrievanceReceived
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_RECEIVED
from shared.runtime import ConsumerPart, Infrastructure, OutboxRelayPart
from tests.support.kafka import Received, producer_source, publish, read_events
from tests.support.namespace import Namespace


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier.load(ensure_artifact())


@dataclass
class RunningRouter:
    namespace: Namespace
    settings: Settings
    ctx: RouterContext

    async def send(self, payload: EventPayload, *, times: int = 1, topic: str | None = None) -> CloudEvent:
        subject = getattr(payload, "grievance_id")  # noqa: B009 - every router input carries it
        event = CloudEvent(
            type=payload.event_type,
            source=producer_source(topic or payload.topic),
            subject=subject,
            data=payload.model_dump(mode="json"),
        )
        await publish(self.namespace.bootstrap, self.namespace.topic(topic or payload.topic), event, times=times)
        return event

    async def wait_for(
        self, topic: str, grievance_id: str, count: int = 1, *, settle: float = 0.0, timeout: float = 30.0
    ) -> list[Received]:
        """Events about one grievance on ``topic``: wait for ``count``, then ``settle`` seconds for extras."""
        events = await read_events(
            self.namespace.bootstrap,
            self.namespace.topic(topic),
            until=lambda got: len(_about(got, grievance_id)) >= count,
            timeout=timeout,
            settle=settle,
        )
        return _about(events, grievance_id)


def _about(events: list[Received], grievance_id: str) -> list[Received]:
    return [e for e in events if e.event.subject == grievance_id]


async def start_router(namespace: Namespace, classifier: Classifier, **overrides: Any) -> AsyncIterator[RunningRouter]:
    settings = namespace.settings(Settings, worker_metrics_port=None, **overrides)
    ctx = build_context(settings, classifier=classifier)
    infra = infrastructure(settings)
    consumer = ConsumerPart(infra, group_id=GROUP_ID, topics=TOPICS, handlers=bind(ctx))
    relay = OutboxRelayPart(settings, router_db.TABLES)
    tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(relay.run())]
    try:
        yield RunningRouter(namespace, settings, ctx)
    finally:
        await consumer.stop()
        relay.stop()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
        await infra.close()


@pytest.fixture(scope="module")
async def router_units(
    namespace: Namespace, classifier: Classifier
) -> AsyncIterator[tuple[Infrastructure, RouterContext]]:
    """The router's units of work and context in the test's process, no consumer running: for use
    cases and whole batches called directly."""
    settings = namespace.settings(Settings, worker_metrics_port=None)
    infra = infrastructure(settings)
    await infra.start()
    try:
        yield infra, build_context(settings, classifier=classifier)
    finally:
        await infra.close()


@pytest.fixture(scope="module")
async def router(namespace: Namespace, classifier: Classifier) -> AsyncIterator[RunningRouter]:
    async for running in start_router(namespace, classifier):
        yield running


@pytest.fixture(scope="module")
async def database(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        yield connection
    finally:
        await connection.close()


def received(
    content: str,
    *,
    title: str = "诉求",
    street: str | None = "光明街道",
    phone_pseudonym: str | None = None,
    grievance_id: str | None = None,
    received_at: datetime | None = None,
) -> GrievanceReceived:
    gid = grievance_id or str(uuid.uuid4())
    return GrievanceReceived(
        grievance_id=gid,
        tracking_no=f"GM-20261126-{uuid.uuid4().int % 1_000_000:06d}",
        tracking_token_hash="0" * 64,
        channel="portal",
        received_at=received_at or datetime.now(UTC),
        title=title,
        content=content,
        street=street,
        community="东周" if street == "光明街道" else None,
        complainant=ComplainantView(
            name_masked="陈**", phone_masked="136****5678", phone_pseudonym=phone_pseudonym or uuid.uuid4().hex
        ),
    )


ReceivedFactory = Callable[..., GrievanceReceived]
__all__ = ["GRIEVANCE_RECEIVED", "ReceivedFactory", "RunningRouter", "create_app", "received", "start_router"]
