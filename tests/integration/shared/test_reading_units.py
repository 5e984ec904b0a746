"""Units of work for reads (Infrastructure.reads), on real PostgreSQL: each statement runs alone in
autocommit, with no BEGIN or ROLLBACK round trips; nothing can be written or published through
one; and the pooled connection it used goes back to transactions for the next unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from services.intake import db as intake_db
from services.intake.settings import Settings as IntakeSettings
from shared.events.contracts import GrievanceStatusChanged
from shared.events.envelope import payload_event, service_source
from shared.events.vocabulary import Status
from shared.runtime import Infrastructure
from tests.support.namespace import Namespace
from tests.support.round_trips import round_trips_of

XID = text("SELECT pg_current_xact_id()::text")


@pytest.fixture
async def infra(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    # One pooled connection, so the reading unit and the writing one after it share it.
    built = Infrastructure.build(
        namespace.settings(IntakeSettings, db_pool_size=1, db_max_overflow=0), intake_db.TABLES
    )
    try:
        yield built
    finally:
        await built.close()


async def test_a_reading_unit_sends_only_its_statements(infra: Infrastructure) -> None:
    async with round_trips_of(infra) as sent, infra.reads() as uow:
        first = await uow.session.scalar(XID)
        second = await uow.session.scalar(XID)
    assert sent == ["SELECT pg_current_xact_id()::text"] * 2  # no BEGIN, no ROLLBACK
    assert first != second  # each statement a transaction of its own

    async with round_trips_of(infra) as sent, infra.uow() as uow:
        first = await uow.session.scalar(XID)
        second = await uow.session.scalar(XID)
    assert sorted(sent) == [
        "BEGIN ISOLATION LEVEL READ COMMITTED;",
        "ROLLBACK;",
        *["SELECT pg_current_xact_id()::text"] * 2,
    ]
    assert first == second  # the connection is back to transactions after the reading unit


async def test_a_reading_unit_writes_nothing(infra: Infrastructure) -> None:
    status = GrievanceStatusChanged(
        grievance_id="8d5a2f0e-1c52-4c53-9a53-2b1f3f0f6c11",
        tracking_no="GM2026120600001",
        status=Status.received,
        stage="intake",
        message_zh="已收到",
        actor="光明区信访局",
        occurred_at=datetime(2026, 12, 6, 9, 0, tzinfo=UTC),
    )
    event = payload_event(status, source=service_source("intake"), subject=status.grievance_id)
    async with infra.reads() as uow:
        with pytest.raises(RuntimeError, match="writes nothing"):
            await uow.publish(status, subject=status.grievance_id)
        with pytest.raises(RuntimeError, match="writes nothing"):
            await uow.claim(event, "intake")
        with pytest.raises(RuntimeError, match="writes nothing"):
            await uow.commit()
        assert await uow.session.scalar(text("SELECT count(*) FROM intake.outbox")) == 0
