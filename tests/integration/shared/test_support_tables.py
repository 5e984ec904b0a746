"""Shared support tables on the real server: every migrated audit log has shared.db.audit's shape,
and the idempotency store replays, refuses a reused key (422) and a key still in flight (409)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Table, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from services.casework import db as casework_db
from services.intake import db as intake_db
from services.mediation import db as mediation_db
from services.router import db as router_db
from shared.auth import StaffPrincipal
from shared.db.audit import record_audit
from shared.events.vocabulary import Role
from shared.idempotency import KeyedRequest, KeyReused, RequestInFlight, recall, remember
from tests.support.namespace import Namespace

AUDIT_TABLES = [intake_db.audit_log, router_db.audit_log, casework_db.audit_log, mediation_db.audit_log]


@pytest.fixture(scope="module")
async def engine(namespace: Namespace) -> AsyncIterator[AsyncEngine]:
    made = create_async_engine(namespace.database_url)
    try:
        yield made
    finally:
        await made.dispose()


@pytest.mark.parametrize("table", AUDIT_TABLES, ids=lambda t: t.schema)
async def test_each_migrated_audit_log_matches_the_shared_table(engine: AsyncEngine, table: Table) -> None:
    async with engine.connect() as conn:
        columns = (
            await conn.execute(
                text(
                    "SELECT column_name, is_nullable = 'YES' AS nullable FROM information_schema.columns"
                    " WHERE table_schema = :s AND table_name = 'audit_log' ORDER BY ordinal_position"
                ),
                {"s": table.schema},
            )
        ).all()
        indexes = (
            await conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE schemaname = :s AND tablename = 'audit_log'"),
                {"s": table.schema},
            )
        ).scalars()
        # By name: a column added by a later migration (router's department) comes last.
        assert {c.column_name: c.nullable for c in columns} == {c.name: c.nullable for c in table.columns}
        assert set(indexes) == {"pk_audit_log"} | {str(ix.name) for ix in table.indexes}


async def test_the_writer_stores_a_row_in_a_real_schema(engine: AsyncEngine) -> None:
    staff = StaffPrincipal(subject="reviewer-3", role=Role.reviewer, department=None)
    async with engine.begin() as conn:
        await record_audit(
            conn, router_db.audit_log, actor=staff, action="decide_review", subject="g-9", detail={"n": 1}
        )
    async with engine.connect() as conn:
        row = (
            await conn.execute(text("SELECT actor, role, department, grievance_id, detail, at FROM router.audit_log"))
        ).one()
    assert row[:5] == ("reviewer-3", "reviewer", None, "g-9", {"n": 1}) and row.at is not None


async def test_a_key_replays_refuses_another_request_and_refuses_while_in_flight(engine: AsyncEngine) -> None:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    table = casework_db.idempotency_key
    first = KeyedRequest("k-1", "POST", "/v1/cases/g-1/sign-for").attempt(principal="officer:1", body={"a": 1})

    async with sessions() as holding, holding.begin():
        assert await recall(holding, table, first) is None
        # Another transaction with the same key, while the first has not committed: 409.
        async with sessions() as other, other.begin():
            with pytest.raises(RequestInFlight):
                await recall(other, table, first)
        await remember(holding, table, first, grievance_id="g-1", response={"state": "signed_for"})

    async with sessions() as retry, retry.begin():
        assert await recall(retry, table, first) == {"state": "signed_for"}

    different = KeyedRequest("k-1", "POST", "/v1/cases/g-1/sign-for").attempt(principal="officer:1", body={"a": 2})
    async with sessions() as reuse, reuse.begin():
        with pytest.raises(KeyReused):
            await recall(reuse, table, different)

    # Keys are per principal: another officer's k-1 is a new request.
    someone_else = KeyedRequest("k-1", "POST", "/v1/cases/g-1/sign-for").attempt(principal="officer:2", body={"a": 2})
    async with sessions() as theirs, theirs.begin():
        assert await recall(theirs, table, someone_else) is None


async def test_a_rolled_back_first_request_leaves_the_key_free(engine: AsyncEngine) -> None:
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    table = casework_db.idempotency_key
    attempt = KeyedRequest("k-rollback", "POST", "/v1/x").attempt(principal="officer:1", body=None)
    async with sessions() as failing:
        await failing.begin()
        assert await recall(failing, table, attempt) is None
        await failing.rollback()
    async with sessions() as retry, retry.begin():
        assert await recall(retry, table, attempt) is None
