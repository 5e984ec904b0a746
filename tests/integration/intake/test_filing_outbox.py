"""A filing's events are written by the filing statement itself, on real PostgreSQL: exactly its two
outbox rows, numbered by the database and encoded as the outbox writer encodes any event, none for
a partner case filed before, the relay woken on commit, and one statement fewer per filing."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest

from services.intake import db as intake_db
from services.intake.handlers.context import IntakeContext
from services.intake.handlers.submission import SubmitGrievance, SubmitResult, submit_grievance
from services.intake.repositories import IntakeUnitOfWork
from services.intake.settings import Settings
from shared.clock import SystemClock
from shared.db.outbox import notify_channel, outbox_row
from shared.events.contracts import GrievanceReceived, GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_STATUS
from shared.events.vocabulary import Channel
from shared.problems import Problem
from shared.runtime import Infrastructure
from tests.integration.intake.filing_commands import MOBILE, portal_command
from tests.support.namespace import Namespace
from tests.support.round_trips import round_trips_of


@pytest.fixture
def ctx(namespace: Namespace) -> IntakeContext:
    return IntakeContext.build(namespace.settings(Settings), SystemClock())


def command(**changes: object) -> SubmitGrievance:
    # A citizen's text may hold anything, '#' included: only the filing's random marker is replaced.
    return portal_command(**{"content": f"门口积水很久了，#1# 请联系我 {MOBILE}。", **changes})


async def submit(infra: Infrastructure, ctx: IntakeContext, filing: SubmitGrievance) -> Filed:
    async with IntakeUnitOfWork.factory_of(infra.uow)() as uow:
        result = await submit_grievance(uow=uow, ctx=ctx, command=filing)
    return Filed(result, uow.published)


@dataclass(frozen=True)
class Filed:
    result: SubmitResult
    # As the handler published them: numbered with the filing's marker (the database numbers them).
    published: list[tuple[str, CloudEvent]]

    @property
    def stem(self) -> str:
        return self.result.accepted.tracking_no.rsplit("-", 1)[0] + "-"

    @property
    def number(self) -> str:
        return self.result.accepted.tracking_no.removeprefix(self.stem)

    @property
    def marker(self) -> str:
        provisional: str = self.published[0][1].data["tracking_no"]
        return provisional.removeprefix(self.stem)


async def outbox_rows(db: asyncpg.Connection, grievance_id: str) -> list[dict[str, Any]]:
    rows = await db.fetch(
        "SELECT topic, key, event_id, event_type, value, headers FROM intake.outbox WHERE key = $1 ORDER BY id",
        grievance_id,
    )
    return [{**row, "headers": json.loads(row["headers"])} for row in rows]


async def test_a_filing_writes_its_two_events_in_its_one_statement(
    infra: Infrastructure, ctx: IntakeContext, db: asyncpg.Connection
) -> None:
    async with round_trips_of(infra) as sent:
        filed = await submit(infra, ctx, command())
    accepted, published, marker = filed.result.accepted, filed.published, filed.marker
    assert marker.startswith("#") and marker != filed.number

    # One round trip: the filing statement, committed by itself. Before, BEGIN, the filing, the
    # outbox INSERT at commit and COMMIT were four; then BEGIN, the filing and COMMIT.
    assert len(sent) == 1, sent
    assert sent[0].startswith("WITH numbered AS") and "INSERT INTO intake.outbox" in sent[0]

    rows = await outbox_rows(db, accepted.grievance_id)
    # Exactly the events the handler published, in order, each row what the outbox writer makes
    # of the event with the database's number in place of the marker: same ids, same bytes.
    assert [(topic, e.type) for topic, e in published] == [
        (GRIEVANCE_RECEIVED, GrievanceReceived.event_type),
        (GRIEVANCE_STATUS, GrievanceStatusChanged.event_type),
    ]
    expected = []
    for topic, published_event in published:
        row = outbox_row(topic, published_event)
        expected.append({**row, "value": row["value"].replace(marker.encode(), filed.number.encode())})
    assert rows == expected

    received = GrievanceReceived.model_validate_json(rows[0]["value"])
    status = GrievanceStatusChanged.model_validate_json(rows[1]["value"])
    assert received.tracking_no == status.tracking_no == accepted.tracking_no
    assert status.message_zh == accepted.message_zh and accepted.tracking_no in status.message_zh
    assert "#1#" in received.content and marker not in rows[0]["value"].decode()
    assert {row["key"] for row in rows} == {accepted.grievance_id}


async def test_a_partner_case_filed_again_writes_no_second_event(
    infra: Infrastructure, ctx: IntakeContext, db: asyncpg.Connection
) -> None:
    case = command(channel=Channel.minyi, external_ref="MY-2026-0042")
    first = (await submit(infra, ctx, case)).result
    with pytest.raises(Problem) as refused:
        await submit(infra, ctx, case)
    assert refused.value.status == 409

    received_for_case = await db.fetchval(
        "SELECT count(*) FROM intake.outbox"
        " WHERE event_type = $1 AND convert_from(value, 'UTF8')::jsonb ->> 'external_ref' = $2",
        GrievanceReceived.event_type,
        case.external_ref,
    )
    assert received_for_case == 1
    assert len(await outbox_rows(db, first.accepted.grievance_id)) == 2
    # Nothing of the refused filing: every outbox row belongs to a stored grievance.
    orphans = await db.fetchval(
        "SELECT count(*) FROM intake.outbox o"
        " WHERE NOT EXISTS (SELECT 1 FROM intake.grievance g WHERE CAST(g.id AS text) = o.key)"
    )
    assert orphans == 0


async def test_the_relay_is_woken_when_a_filing_commits(
    infra: Infrastructure, ctx: IntakeContext, db: asyncpg.Connection
) -> None:
    woken: asyncio.Queue[str] = asyncio.Queue()
    channel = notify_channel(intake_db.SCHEMA)

    def on_notify(conn: Any, pid: int, name: str, payload: str) -> None:
        woken.put_nowait(name)

    await db.add_listener(channel, on_notify)
    try:
        await submit(infra, ctx, command(title="路灯不亮"))
        assert await asyncio.wait_for(woken.get(), timeout=5) == channel
    finally:
        await db.remove_listener(channel, on_notify)
