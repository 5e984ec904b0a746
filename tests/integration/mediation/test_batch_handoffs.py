"""A poll batch of hand-offs applied in one transaction (the consumer runner's batch path, with
mediation's ``prepare``: the batch's cases read and locked at once, the roster and loads read
once, new cases and assignments written at commit) leaves exactly what the same events applied
one per transaction leave: the same cases, teams, legal advisers and outbox events, in the same
order. The batch holds people's, administrative and judicial mediation, panels (a group, a
repeat, an urgent case) with a legal adviser, a respondent a mediator must step aside from,
volunteers filling up to their capacity, a street with nobody to mediate, a re-route of a case
opened in the batch, re-routes of a failed and of a running stored case, a re-publish and a duplicate.

And a case another worker opens while the batch runs makes the batch roll back as a whole, so it
is replayed one hand-off per transaction and the grievance keeps one case."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import pytest
from aiokafka import ConsumerRecord, TopicPartition

from services.mediation.app import build_infrastructure
from services.mediation.consumers import GROUP_ID, TOPICS, bind, prepare
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.opening import open_mediation
from services.mediation.handlers.staffing import sync_roster
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.settings import Settings
from shared.clock import ManualClock
from shared.events.contracts import TrackHandoff
from shared.events.envelope import CloudEvent, from_kafka
from shared.events.topics import GRIEVANCE_TRACK_MEDIATION
from shared.events.vocabulary import Area
from shared.kafka.admin import catalogue
from shared.kafka.batches import BatchApplier
from shared.kafka.handling import EventHandler
from shared.kafka.sources import check_source, trusted_sources
from shared.runtime import Infrastructure
from tests.integration.mediation.harness import handoff_event
from tests.support.namespace import Namespace
from tests.support.polls import Poll, one_partition_poll

START = datetime(2026, 11, 30, 1, 30, tzinfo=UTC)
TABLES = ("mediation", "assignment", "outbox", "processed_event")


@dataclass
class Rig:
    settings: Settings
    ctx: MediationContext
    infra: Infrastructure
    handlers: dict[str, EventHandler]

    def batches(self, handlers: dict[str, EventHandler] | None = None) -> BatchApplier:
        trusted = trusted_sources(catalogue(), TOPICS)
        logical = {self.settings.topic(name): name for name in TOPICS}

        def admit(record: ConsumerRecord[bytes, bytes]) -> CloudEvent:
            event = from_kafka(record.key, record.value, record.headers)
            check_source(trusted, logical[record.topic], event.source)
            return event

        return BatchApplier(
            group_id=GROUP_ID,
            handlers=handlers or self.handlers,
            uow_factory=self.infra.uow,
            admit=admit,
            prepare=prepare,
            enabled=True,
        )

    def uow(self) -> MediationUnitOfWork:
        return MediationUnitOfWork.of(self.infra.uow())


@pytest.fixture(scope="module")
async def rig(namespace: Namespace) -> AsyncIterator[Rig]:
    settings = namespace.settings(Settings)
    ctx = MediationContext.build(settings, clock=ManualClock(START))
    infra = build_infrastructure(settings)
    await infra.start()
    try:
        rig = Rig(settings, ctx, infra, bind(ctx))
        async with rig.uow() as uow:
            await sync_roster(uow=uow, ctx=ctx)
        yield rig
    finally:
        await infra.close()


def rerouted(event: CloudEvent, revision: int) -> CloudEvent:
    """The router's next hand-off of the same grievance (a new event id)."""
    handoff = TrackHandoff.model_validate(event.data).model_copy(update={"revision": revision})
    return CloudEvent(type=event.type, source=event.source, subject=event.subject, data=handoff.model_dump(mode="json"))


def republished(event: CloudEvent) -> CloudEvent:
    """The same hand-off under another event id (the router published it again)."""
    return CloudEvent(type=event.type, source=event.source, subject=event.subject, data=event.data)


def poll_of(settings: Settings, events: Sequence[CloudEvent]) -> Poll:
    return one_partition_poll(settings.topic(GRIEVANCE_TRACK_MEDIATION), events)


@dataclass(frozen=True)
class Scenario:
    stored: list[CloudEvent]  # handled one by one before the batch
    failed: CloudEvent  # a stored case whose mediation failed before the batch
    batch: list[CloudEvent]


def scenario() -> Scenario:
    repeated = handoff_event(title="楼上噪音扰民", content="楼上邻居每天深夜噪音扰民。", street="公明街道")
    failed = handoff_event(title="租房押金不退", content="房东拒不退还押金两千元。", street="马田街道")
    neighbour = handoff_event(title="邻居占用楼道", content="邻居长期在楼道堆放杂物。", street="公明街道")
    batch = [
        neighbour,
        # Volunteers with a capacity of 3 fill up: the same street's next cases go to others.
        handoff_event(title="宠物扰民", content="楼下邻居宠物整夜吠叫。", street="公明街道"),
        handoff_event(title="漏水纠纷", content="楼上卫生间渗水到我家。", street="公明街道"),
        # A panel on a property dispute (a legal adviser joins); a mediator tied to the respondent steps aside.
        handoff_event(
            title="全体业主与物业纠纷",
            content="全体业主对物业费上涨不满，物业停车位收费混乱。",
            street="公明街道",
            respondent="明辉物业",
        ),
        handoff_event(
            title="工友们被拖欠工资",
            content="十余名工友被包工头拖欠工资。",
            area=Area.labour_social_security,
            lead="human-resources",
            street="公明街道",
            respondent="某建筑公司",
        ),
        handoff_event(
            title="健身房退费", content="健身房倒闭，会员卡退款无门。", street="凤凰街道", respondent="某健身房"
        ),
        handoff_event(title="已向法院起诉的邻里纠纷", content="已向法院起诉，法院委派诉前调解。", street="新湖街道"),
        handoff_event(title="再次反映噪音", content="噪音仍未解决。", street="公明街道", repeat_of=repeated.subject),
        handoff_event(title="宅基地纠纷", content="围墙占用宅基地，双方冲突。", street="新湖街道", urgent=True),
        handoff_event(title="夫妻财产纠纷", content="离婚后财产分割争议。", street=None),  # no street: who mediates?
        neighbour,  # delivered twice: one effect
        republished(neighbour),  # the same revision again: no second case
        rerouted(neighbour, 2),  # still in mediation: the running case is kept
        rerouted(failed, 2),  # the earlier mediation failed: a new case
        rerouted(repeated, 2),  # a stored case still running: kept
    ]
    return Scenario([repeated, failed], failed, batch)


async def reset(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"TRUNCATE {', '.join(f'mediation.{t}' for t in TABLES)} CASCADE")
    finally:
        await conn.close()


async def one_by_one(rig: Rig, events: Sequence[CloudEvent]) -> None:
    """Each event as the runner's per-event path handles it: claim, use case, commit, alone."""
    for record in poll_of(rig.settings, events)[TopicPartition(rig.settings.topic(GRIEVANCE_TRACK_MEDIATION), 0)]:
        event = from_kafka(record.key, record.value, record.headers)
        async with rig.infra.uow() as uow:
            if await uow.claim(event, GROUP_ID):
                await rig.handlers[event.type](event, uow)
                await uow.commit()


async def before_the_batch(rig: Rig, dsn: str, found: Scenario) -> None:
    await one_by_one(rig, found.stored)
    conn = await asyncpg.connect(dsn)
    try:
        fail = "UPDATE mediation.mediation SET state = 'failed' WHERE grievance_id = $1"
        await conn.execute(fail, found.failed.subject)
    finally:
        await conn.close()


async def snapshot(dsn: str) -> dict[str, Any]:
    """Everything handling the hand-offs wrote, each case's random id named by grievance and revision."""
    conn = await asyncpg.connect(dsn)
    try:
        cases = await conn.fetch("SELECT * FROM mediation.mediation ORDER BY grievance_id, revision")
        names = {str(row["id"]): f"{row['grievance_id']}/{row['revision']}" for row in cases}

        def named(text: str) -> str:
            for case_id, name in names.items():
                text = text.replace(case_id, name)
            return text

        assignments = await conn.fetch(
            "SELECT mediation_id, mediator_id, role, assigned_at, released_at FROM mediation.assignment ORDER BY id"
        )
        outbox = await conn.fetch("SELECT key, topic, event_type, value FROM mediation.outbox ORDER BY id")
        return {
            "cases": [{k: v for k, v in row.items() if k != "id"} | {"name": names[str(row["id"])]} for row in cases],
            "assignments": [dict(row) | {"mediation_id": names[str(row["mediation_id"])]} for row in assignments],
            "outbox": [(r["key"], r["topic"], r["event_type"], json.loads(named(r["value"].decode()))) for r in outbox],
            "claimed": await conn.fetchval("SELECT count(*) FROM mediation.processed_event"),
        }
    finally:
        await conn.close()


async def test_a_batch_of_handoffs_leaves_what_one_by_one_leaves(rig: Rig, namespace: Namespace) -> None:
    found = scenario()
    await reset(namespace.asyncpg_dsn)
    await before_the_batch(rig, namespace.asyncpg_dsn, found)
    assert await rig.batches().apply(poll_of(rig.settings, found.batch)), "the batch path declined the poll"
    batched = await snapshot(namespace.asyncpg_dsn)

    await reset(namespace.asyncpg_dsn)
    await before_the_batch(rig, namespace.asyncpg_dsn, found)
    await one_by_one(rig, found.batch)
    alone = await snapshot(namespace.asyncpg_dsn)

    assert batched == alone
    # The comparison is about something: every branch of the hand-off is in it.
    cases = batched["cases"]
    assert len(cases) == 2 + 10 + 1 and batched["claimed"] == 2 + 14  # the duplicate claimed once
    assert {c["mediation_type"] for c in cases} == {"people", "administrative", "judicial"}
    panels = [c for c in cases if c["panel"]]
    assert len(panels) >= 4 and any(c["legal_adviser"] for c in panels)
    neighbour = [c for c in cases if str(c["grievance_id"]) == found.batch[0].subject]
    assert [c["revision"] for c in neighbour] == [1]  # the re-route kept the running case
    assert [c["revision"] for c in cases if str(c["grievance_id"]) == found.failed.subject] == [1, 2]
    assert [c["revision"] for c in cases if str(c["grievance_id"]) == found.stored[0].subject] == [1]
    members = {a["mediator_id"] for a in batched["assignments"]}
    assert {"gongming-02", "gongming-05"} <= members  # volunteers
    property_panel = next(c["name"] for c in cases if c["respondent"] == "明辉物业")
    team = [a["mediator_id"] for a in batched["assignments"] if a["mediation_id"] == property_panel]
    assert team and "gongming-04" not in team  # tied to 明辉物业, the respondent
    notices = [event for event in batched["outbox"] if event[2] != "grievance.status.v1"]
    assert any(topic.endswith("petitions-bureau.cases.v1") for _, topic, _, _ in notices)  # nobody to mediate


async def test_a_case_opened_meanwhile_rolls_the_batch_back_and_it_is_replayed(rig: Rig, namespace: Namespace) -> None:
    """Another worker opens a case of the batch's grievance while the batch runs (a rebalance): the
    batch's write of the same case fails at commit, nothing of the batch stays, and the runner's
    one-by-one replay finds the case there and opens no second one."""
    await reset(namespace.asyncpg_dsn)
    first = handoff_event(title="邻居噪音", content="楼上邻居深夜噪音。", street="玉塘街道")
    contested = handoff_event(title="物业漏水", content="物业不维修漏水。", street="玉塘街道")
    calls = 0

    async def first_lets_another_worker_open_the_contested_case(event: CloudEvent, uow: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            async with rig.uow() as elsewhere:  # its own transaction, committed at once
                handoff = TrackHandoff.model_validate(contested.data)
                assert await open_mediation(uow=elsewhere, ctx=rig.ctx, handoff=handoff) is not None
                await elsewhere.commit()
        await rig.handlers[event.type](event, uow)

    batches = rig.batches({first.type: first_lets_another_worker_open_the_contested_case})
    assert not await batches.apply(poll_of(rig.settings, [first, contested]))
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        # Rolled back: no claim and no case of the batch's; only the other worker's case.
        assert await conn.fetchval("SELECT count(*) FROM mediation.processed_event") == 0
        opened = "SELECT count(*) FROM mediation.mediation WHERE grievance_id = $1"
        assert await conn.fetchval(opened, first.subject) == 0
        await one_by_one(rig, [first, contested])
        counts = dict(await conn.fetch("SELECT grievance_id::text, count(*) FROM mediation.mediation GROUP BY 1"))
        assert counts == {first.subject: 1, contested.subject: 1}
    finally:
        await conn.close()
