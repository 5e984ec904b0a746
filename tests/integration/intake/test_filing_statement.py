"""The filing's few statements on real PostgreSQL: the database numbers the grievance as the domain
rule does, stores record, identity and originals together or not at all, answers a partner case
filed before with 409 through ON CONFLICT, and an expired Idempotency-Key is dropped and reused in
the statement that reads it."""

from __future__ import annotations

from datetime import timedelta

import asyncpg  # type: ignore[import-untyped]
import pytest

from services.intake.domain.grievance import tracking_number
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.replays import Replay
from services.intake.handlers.submission import SubmitGrievance, SubmitResult, submit_grievance
from services.intake.repositories import IntakeUnitOfWork, IntakeUnits
from services.intake.settings import Settings
from shared.clock import ManualClock, SystemClock
from shared.events.vocabulary import Channel
from shared.problems import Problem
from shared.runtime import Infrastructure
from tests.integration.intake.filing_commands import portal_command as command
from tests.support.namespace import Namespace


def units(infra: Infrastructure) -> IntakeUnits:
    return IntakeUnitOfWork.factory_of(infra.uow)


async def submit(
    infra: Infrastructure, ctx: IntakeContext, filing: SubmitGrievance, replay: Replay | None = None
) -> SubmitResult:
    async with units(infra)() as uow:
        return await submit_grievance(uow=uow, ctx=ctx, command=filing, replay=replay)


async def test_the_database_numbers_the_grievance_as_the_domain_rule_does(
    infra: Infrastructure, namespace: Namespace, db: asyncpg.Connection
) -> None:
    ctx = IntakeContext.build(namespace.settings(Settings), SystemClock())
    for sequence in (41, 999_999, 1_234_567):  # padded, the last six-digit one, longer than six
        await db.execute("SELECT setval('intake.tracking_seq', $1, false)", sequence)
        result = await submit(infra, ctx, command())
        accepted = result.accepted
        assert accepted.tracking_no == tracking_number("GM", accepted.received_at, sequence)
        row = await db.fetchrow(
            "SELECT g.tracking_no, c.mobile_masked, count(f.field) AS originals"
            " FROM intake.grievance g JOIN intake.complainant c ON c.grievance_id = g.id"
            " LEFT JOIN intake.free_text_original f ON f.grievance_id = g.id WHERE g.id = $1"
            " GROUP BY g.tracking_no, c.mobile_masked",
            accepted.grievance_id,
        )
        # Record, sealed identity and the original of the masked content, in one statement.
        assert (row["tracking_no"], row["mobile_masked"], row["originals"]) == (
            accepted.tracking_no,
            "139****5678",
            1,
        )


async def test_a_partner_case_filed_before_is_refused_with_its_number_and_stores_nothing(
    infra: Infrastructure, namespace: Namespace, db: asyncpg.Connection
) -> None:
    ctx = IntakeContext.build(namespace.settings(Settings), SystemClock())
    case = command(channel=Channel.minyi, external_ref="MY-2026-0001")
    first = await submit(infra, ctx, case)
    before = await db.fetchval("SELECT count(*) FROM intake.grievance")
    outbox = await db.fetchval("SELECT count(*) FROM intake.outbox")
    with pytest.raises(Problem) as refused:
        await submit(infra, ctx, case)
    assert refused.value.status == 409
    assert refused.value.extensions["tracking_no"] == first.accepted.tracking_no
    assert await db.fetchval("SELECT count(*) FROM intake.grievance") == before
    assert await db.fetchval("SELECT count(*) FROM intake.outbox") == outbox


async def test_an_expired_idempotency_key_is_dropped_and_acts_afresh(
    infra: Infrastructure, namespace: Namespace, db: asyncpg.Connection
) -> None:
    clock = ManualClock(SystemClock().now())
    ctx = IntakeContext.build(namespace.settings(Settings, idempotency_ttl_hours=1), clock)
    replay = Replay("idempotency", "portal:expiring-key", "same-request")
    first = await submit(infra, ctx, command(), replay)
    again = await submit(infra, ctx, command(), replay)
    assert again.replayed and again.accepted.tracking_no == first.accepted.tracking_no

    clock.advance(timedelta(hours=2))
    later = await submit(infra, ctx, command(), replay)
    assert not later.replayed and later.accepted.grievance_id != first.accepted.grievance_id
    stored = await db.fetch("SELECT grievance_id FROM intake.idempotency_key WHERE key = $1", replay.key)
    assert [str(row["grievance_id"]) for row in stored] == [later.accepted.grievance_id]
