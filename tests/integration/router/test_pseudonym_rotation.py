"""Pseudonym-key rotation end to end on real Kafka and PostgreSQL: intake files and rotates, its
relay publishes, the router consumes; the same phone's grievances stay linked as repeats (重复件)
before, during and after the rotation."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from services.intake import db as intake_db
from services.intake.app import build_infrastructure as build_intake
from services.intake.domain.complainant import ComplainantIdentity
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.pseudonyms import rotate_pseudonyms
from services.intake.handlers.submission import SubmitGrievance, submit_grievance
from services.intake.repositories import IntakeUnitOfWork
from services.intake.settings import Settings as IntakeSettings
from shared.events.contracts import GrievanceRouted
from shared.events.topics import GRIEVANCE_ROUTED
from shared.events.vocabulary import Channel
from shared.pii import pseudonym
from shared.runtime import Infrastructure, OutboxRelayPart
from tests.integration.router.conftest import RunningRouter
from tests.support.namespace import Namespace

P1, P2 = b"\x31" * 32, b"\x32" * 32
MOBILE = "13712345678"
LEAK = "楼上邻居家卫生间漏水，漏到我家天花板，墙皮一块块往下掉，找他好几次都不理"
LEAK_AGAIN = "楼上卫生间一直漏水到我家天花板，墙皮都掉了，邻居还是不理，麻烦帮忙协调"


def intake_settings(namespace: Namespace, keys: dict[str, bytes], active: str) -> IntakeSettings:
    ring = {key_id: base64.b64encode(key).decode() for key_id, key in keys.items()}
    return namespace.settings(IntakeSettings, pii_pseudonym_keys=ring, pii_pseudonym_key_id=active)


@pytest.fixture(scope="module")
async def intake(namespace: Namespace) -> AsyncIterator[Infrastructure]:
    """Intake's database side and its outbox relay, in-process."""
    settings = intake_settings(namespace, {"1": P1}, "1")
    infra = build_intake(settings)
    relay = OutboxRelayPart(settings, intake_db.TABLES)
    task = asyncio.create_task(relay.run())
    try:
        yield infra
    finally:
        relay.stop()
        await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), timeout=30)
        await infra.close()


async def file(infra: Infrastructure, settings: IntakeSettings, content: str) -> str:
    ctx = IntakeContext.build(settings)
    command = SubmitGrievance(
        identity=ComplainantIdentity(name="陈建国", mobile=MOBILE, id_card=None, anonymous=False),
        channel=Channel.portal,
        title="楼上漏水",
        content=content,
        street="光明街道",
        community="东周",
    )
    async with IntakeUnitOfWork.factory_of(infra.uow)() as uow:
        result = await submit_grievance(uow=uow, ctx=ctx, command=command)
    return result.accepted.grievance_id


async def repeat_of(router: RunningRouter, grievance_id: str) -> str | None:
    [routed] = await router.wait_for(GRIEVANCE_ROUTED, grievance_id)
    return GrievanceRouted.model_validate(routed.event.data).decision.repeat_of


async def stored_pseudonym(database: asyncpg.Connection, grievance_id: str, expected: str) -> Any:
    for _ in range(150):
        value = await database.fetchval("SELECT phone_pseudonym FROM router.grievance WHERE id = $1", grievance_id)
        if value == expected:
            return value
        await asyncio.sleep(0.2)
    return value


async def test_repeats_stay_linked_across_a_pseudonym_key_rotation(
    router: RunningRouter, intake: Infrastructure, namespace: Namespace, database: asyncpg.Connection
) -> None:
    before = intake_settings(namespace, {"1": P1}, "1")
    first = await file(intake, before, LEAK)
    assert await repeat_of(router, first) is None

    # Step 1: the new key is active, the old one still configured; nothing has been rotated yet.
    during = intake_settings(namespace, {"1": P1, "2": P2}, "2")
    second = await file(intake, during, LEAK_AGAIN)
    assert await repeat_of(router, second) == first

    # Step 2: intake recomputes the stored pseudonyms and the router's read model follows.
    rotation = IntakeContext.build(during)
    result = await rotate_pseudonyms(IntakeUnitOfWork.factory_of(intake.uow), rotation, batch_size=1)
    assert result.rotated == 1 and result.remaining == 0  # the second was filed under key 2
    new = pseudonym(P2, "mobile", MOBILE)
    assert await stored_pseudonym(database, first, new) == new
    assert await stored_pseudonym(database, second, new) == new
    kept = await database.fetchval("SELECT received->'complainant'->>'phone_pseudonym' FROM router.grievance "
                                   "WHERE id = $1", first)  # fmt: skip
    assert kept == new
    again = await rotate_pseudonyms(IntakeUnitOfWork.factory_of(intake.uow), rotation)
    assert again.rotated == 0 and again.remaining == 0

    # Step 3: the old key is gone; a grievance filed now still links to the first one.
    after = intake_settings(namespace, {"2": P2}, "2")
    third = await file(intake, after, LEAK_AGAIN + "，已经第三次反映了")
    assert await repeat_of(router, third) == first
    assert pseudonym(P1, "mobile", MOBILE) not in str(
        await database.fetchval("SELECT received FROM router.grievance WHERE id = $1", third)
    )


async def test_a_rotation_read_before_its_grievance_is_applied_when_the_grievance_arrives(
    router: RunningRouter, namespace: Namespace, database: asyncpg.Connection
) -> None:
    from shared.events.contracts import ComplainantPseudonymsRotated
    from tests.integration.router.conftest import received

    early = received(LEAK, phone_pseudonym="old-pseudonym")
    await router.send(
        ComplainantPseudonymsRotated(
            grievance_id=early.grievance_id,
            key_id="2",
            phone_pseudonym="new-pseudonym",
            previous_key_id="1",
            previous_phone_pseudonym="old-pseudonym",
            rotated_at=early.received_at,
        )
    )
    for _ in range(100):
        if await database.fetchval(
            "SELECT count(*) FROM router.pending_pseudonym_rotation WHERE grievance_id = $1", early.grievance_id
        ):
            break
        await asyncio.sleep(0.2)
    await router.send(early)
    await router.wait_for(GRIEVANCE_ROUTED, early.grievance_id)
    assert await stored_pseudonym(database, early.grievance_id, "new-pseudonym") == "new-pseudonym"
    pending = "SELECT count(*) FROM router.pending_pseudonym_rotation WHERE grievance_id = $1"
    assert await database.fetchval(pending, early.grievance_id) == 0
