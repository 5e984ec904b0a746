"""A routed batch's rows go to the database in one statement at commit (batch_writes.py): when a
grievance of the batch was routed by someone else meanwhile, nothing of the batch is written, not
even its events, and the consumer runner replays it one event per transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
import pytest

from services.router.domain.decisions import to_decision
from services.router.handlers.batch import grievance_text, prepare_batch
from services.router.handlers.context import RouterContext
from services.router.handlers.routing import route_received
from services.router.repositories import RouterUnitOfWork
from services.router.repositories.grievances import AlreadyRouted
from shared.events.contracts import ComplainantView, GrievanceReceived
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace

TEXTS = ["小区门口的路灯坏了很久了，晚上出行很不方便", "楼上邻居家卫生间漏水，漏到我家天花板，找他好几次都不理"]


def grievance(content: str) -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id=str(uuid.uuid4()),
        tracking_no=f"GM-20261201-{uuid.uuid4().int % 1_000_000:06d}",
        tracking_token_hash="0" * 64,
        channel="portal",
        received_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        title="诉求",
        content=content,
        street="光明街道",
        complainant=ComplainantView(name_masked="陈**", phone_pseudonym=uuid.uuid4().hex),
    )


async def counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM router.grievance"),
        await db.fetchval("SELECT count(*) FROM router.routing_decision"),
        await db.fetchval("SELECT count(*) FROM router.outbox"),
    )


async def test_a_batch_meeting_a_grievance_routed_meanwhile_writes_nothing(
    namespace: Namespace, router_units: tuple[Infrastructure, RouterContext]
) -> None:
    infra, ctx = router_units
    batch = [grievance(text) for text in TEXTS]
    db = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        before = await counts(db)
        with pytest.raises(AlreadyRouted):
            async with RouterUnitOfWork.factory_of(infra.uow)() as uow:
                await prepare_batch(uow, ctx, batch)
                for item in batch:
                    await route_received(uow=uow, ctx=ctx, received=item)
                # Another worker's row for the second grievance, committed after this batch read.
                other = batch[1]
                decision = to_decision(ctx.classifier.classify(grievance_text(other)), threshold=0.6)
                await db.execute(
                    "INSERT INTO router.grievance (id, tracking_no, received, title, content, received_at, state, "
                    "revision, track, area, decision) VALUES ($1, $2, $3, $4, $5, $6, 'routed', 1, $7, $8, $9)",
                    other.grievance_id, other.tracking_no, other.model_dump_json(), other.title, other.content,
                    other.received_at, decision.track.value, decision.area.value, decision.model_dump_json(),
                )  # fmt: skip
                await uow.commit()
        # Only the other worker's row: no first decision, no history, no event of the batch.
        assert await counts(db) == (before[0] + 1, before[1], before[2])
        # Routed one event per transaction (the runner's replay), the other grievance gets its decision.
        async with RouterUnitOfWork.factory_of(infra.uow)() as uow:
            publication = await route_received(uow=uow, ctx=ctx, received=batch[0])
            assert await route_received(uow=uow, ctx=ctx, received=batch[1]) is None
            await uow.commit()
        assert publication is not None and publication.topics
        assert await counts(db) == (before[0] + 2, before[1] + 1, before[2] + len(publication.topics))
    finally:
        await db.close()
