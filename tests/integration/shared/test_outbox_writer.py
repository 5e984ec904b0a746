"""The outbox writer on real PostgreSQL: a transaction's events are one INSERT execution (one
statement-trigger firing, so one NOTIFY for the relay), in the order they were published, each
row exactly the encoding ``outbox_row`` gives."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
import pytest

from services.intake import db as intake_db
from services.intake.settings import Settings as IntakeSettings
from shared.db.outbox import outbox_row
from shared.events.contracts import GrievanceStatusChanged
from shared.events.topics import GRIEVANCE_STATUS
from shared.events.vocabulary import Status
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace

# A statement trigger of the test's own that counts how often an INSERT on the outbox runs.
COUNT_EXECUTIONS = """
CREATE TABLE IF NOT EXISTS public.outbox_insert_executions (n int NOT NULL);
CREATE OR REPLACE FUNCTION public.count_outbox_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.outbox_insert_executions VALUES (1); RETURN NULL; END $$;
DROP TRIGGER IF EXISTS count_outbox_insert ON intake.outbox;
CREATE TRIGGER count_outbox_insert AFTER INSERT ON intake.outbox
    FOR EACH STATEMENT EXECUTE FUNCTION public.count_outbox_insert();
"""
UNDO = """
DROP TRIGGER IF EXISTS count_outbox_insert ON intake.outbox;
DROP FUNCTION IF EXISTS public.count_outbox_insert();
DROP TABLE IF EXISTS public.outbox_insert_executions;
"""


@pytest.fixture
async def db(namespace: Namespace) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    await conn.execute(COUNT_EXECUTIONS)
    try:
        yield conn
    finally:
        await conn.execute(UNDO)
        await conn.close()


@pytest.fixture
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    built = Infrastructure.build(namespace.settings(IntakeSettings), intake_db.TABLES)
    try:
        yield built
    finally:
        await built.close()


def status(grievance_id: str, value: Status, note: str) -> GrievanceStatusChanged:
    return GrievanceStatusChanged(
        grievance_id=grievance_id,
        tracking_no="GM2026120600002",
        status=value,
        stage="intake",
        message_zh=f"状态说明：{note}",
        actor="光明区信访局",
        occurred_at=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    )


async def test_a_transactions_events_are_one_insert_in_publication_order(
    infra: Infrastructure, db: asyncpg.Connection
) -> None:
    grievances = [str(uuid.uuid4()) for _ in range(3)]
    payloads = [
        status(grievances[0], Status.received, "第一条"),
        status(grievances[1], Status.received, "第二条，含“引号”与\\反斜杠"),
        status(grievances[0], Status.classified, "第三条"),
        status(grievances[2], Status.received, "第四条"),
    ]
    async with infra.uow() as uow:
        published = [await uow.publish(payload, subject=payload.grievance_id) for payload in payloads]
        await uow.commit()

    assert await db.fetchval("SELECT count(*) FROM public.outbox_insert_executions") == 1
    rows = await db.fetch(
        "SELECT topic, key, event_id, event_type, value, headers FROM intake.outbox"
        " WHERE key = ANY($1::text[]) ORDER BY id",
        grievances,
    )
    stored = [{**dict(row), "headers": json.loads(row["headers"])} for row in rows]
    assert stored == [outbox_row(GRIEVANCE_STATUS, event) for event in published]


def large_status(grievance_id: str) -> GrievanceStatusChanged:
    # Over the 2 KB at which PostgreSQL compresses a row's values, and compressible.
    return status(grievance_id, Status.received, "群众反映小区门口道路积水严重，" * 120)


async def stored_compression(db: asyncpg.Connection, grievance_id: str) -> str | None:
    return await db.fetchval(  # type: ignore[no-any-return]
        "SELECT pg_column_compression(value) FROM intake.outbox WHERE key = $1", grievance_id
    )


async def test_large_events_are_compressed_with_lz4_whatever_the_server_default(
    namespace: Namespace, infra: Infrastructure, db: asyncpg.Connection
) -> None:
    grievance = str(uuid.uuid4())
    async with infra.uow() as uow:
        await uow.publish(large_status(grievance), subject=grievance)
        await uow.commit()
    assert await stored_compression(db, grievance) == "lz4"

    # Empty leaves it to the server, whose default is pglz unless configured otherwise.
    server_default = await db.fetchval("SHOW default_toast_compression")
    plain = Infrastructure.build(namespace.settings(IntakeSettings, db_toast_compression=""), intake_db.TABLES)
    try:
        other = str(uuid.uuid4())
        async with plain.uow() as uow:
            await uow.publish(large_status(other), subject=other)
            await uow.commit()
    finally:
        await plain.close()
    assert await stored_compression(db, other) == server_default
