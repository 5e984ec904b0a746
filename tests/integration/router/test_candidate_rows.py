"""A batch's candidate rows come from the router's cache only at the version they were read: a row
another transaction changed since (a group case joined, a re-route) is read again, an unchanged
one is not (repositories/candidate_rows.py)."""

from __future__ import annotations

from datetime import timedelta

import asyncpg  # type: ignore[import-untyped]

from services.router.domain.batch import Candidate, NeighbourQuery
from services.router.handlers.context import RouterContext
from services.router.repositories import RouterUnitOfWork
from services.router.repositories.candidate_rows import candidate_rows_of
from shared.runtime import Infrastructure
from tests.integration.router.test_batch_routing import NOISE, NOW, grievance, reset, route_one_by_one
from tests.support.namespace import Namespace

STREET = "公明街道"


async def neighbours(infra: Infrastructure, area: str) -> dict[str, Candidate]:
    query = NeighbourQuery(STREET, area, NOW - timedelta(days=7), NOW + timedelta(days=1), "nobody")
    async with RouterUnitOfWork.factory_of(infra.uow)() as uow:
        return {c.earlier.grievance_id: c for c in await uow.grievances.neighbours_of([query])}


async def test_a_changed_row_is_read_again_and_an_unchanged_one_comes_from_the_cache(
    namespace: Namespace, router_units: tuple[Infrastructure, RouterContext]
) -> None:
    infra, ctx = router_units
    db = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        await reset(db)
        first, second = grievance(NOISE, minutes=-60, street=STREET), grievance(NOISE, minutes=-30, street=STREET)
        await route_one_by_one(infra, ctx, [first, second])
        area = await db.fetchval("SELECT area FROM router.grievance WHERE id = $1", first.grievance_id)
        before = await neighbours(infra, area)
        assert set(before) == {first.grievance_id, second.grievance_id}
        assert before[first.grievance_id].earlier.cluster_id is None
        assert len(candidate_rows_of(infra.engine)) >= 2

        # Another worker's transaction puts the first into a group case.
        await db.execute("UPDATE router.grievance SET cluster_id = 'c-1' WHERE id = $1", first.grievance_id)
        after = await neighbours(infra, area)
        assert after[first.grievance_id].earlier.cluster_id == "c-1"
        assert after[second.grievance_id] is before[second.grievance_id]  # not read again

        # Replaced under the same id (a restored backup, a test's reset): the stored text wins.
        await reset(db)
        again = grievance(NOISE + "，越来越严重", minutes=-60, street=STREET, gid=first.grievance_id)
        await route_one_by_one(infra, ctx, [again])
        area = await db.fetchval("SELECT area FROM router.grievance WHERE id = $1", first.grievance_id)
        replaced = await neighbours(infra, area)
        assert replaced[first.grievance_id].earlier.text.endswith("越来越严重")
        assert replaced[first.grievance_id].earlier.cluster_id is None
    finally:
        await db.close()
