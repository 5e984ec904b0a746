"""The mediators' loads (a join of the cases and their assignments, both growing with every case)
are planned afresh in each transaction, never from a cached generic plan: one cached while the
tables were small scanned every case once per open assignment as they grew (shared.db.planning).

One pooled connection, so every transaction runs on the same prepared statement; PostgreSQL
counts the plans it made for it in ``pg_prepared_statements``. It turns to a generic plan after
five custom ones when that looks no dearer, as it does on small tables."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from services.mediation.app import build_infrastructure
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.settings import Settings
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace

PLANS_OF_LOADS = text(
    "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
    " WHERE statement LIKE '%count(*)%' AND statement LIKE '%assignment%' AND statement LIKE '%GROUP BY%'"
    " AND statement NOT LIKE '%pg_prepared_statements%'"
)


@pytest.fixture
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    infra = build_infrastructure(namespace.settings(Settings, db_pool_size=1, db_max_overflow=0))
    await infra.start()
    try:
        yield infra
    finally:
        await infra.close()


async def test_loads_are_never_read_with_a_cached_generic_plan(infra: Infrastructure) -> None:
    for _ in range(10):
        async with MediationUnitOfWork.of(infra.uow()) as uow:
            assert await uow.teams.loads() == {}
            plans = (await uow.session.execute(PLANS_OF_LOADS)).one()
    generic, custom = plans
    assert (generic, custom) == (0, 10)
