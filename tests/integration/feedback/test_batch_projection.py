"""A consumer batch projected in one transaction (rows held, writes at flush, one statement per
table) leaves exactly what the same events leave one per transaction: rows, timeline entries,
NOTIFYs in order, webhooks in order."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import event as sqlalchemy_event

from services.feedback import db
from services.feedback.app import FeedbackApiPart, TimelineWriterPart, create_app
from services.feedback.consumers import GROUP_ID, bind, prepare
from services.feedback.handlers.context import FeedbackContext
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.settings import Settings
from services.feedback.stream.notices import KnownNotice, TimelineNotice, decode_notice
from shared.events import topics
from shared.events.contracts import (
    Departments,
    GrievanceReceived,
    GrievanceRouted,
    GrievanceStatusChanged,
    RoutingDecision,
)
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Area, Channel, Status, Track
from shared.runtime import Infrastructure
from tests.integration.feedback.support import (
    SseReader,
    new_received,
    received_event,
    running,
    status_event,
    wait_ready,
    wait_until,
)
from tests.support.kafka import publish
from tests.support.namespace import Namespace
from tests.support.processes import free_port

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
Project = Callable[[list[CloudEvent]], Awaitable[None]]


def envelope(payload: GrievanceStatusChanged | GrievanceRouted, source: str) -> CloudEvent:
    return CloudEvent(
        type=payload.event_type, source=source, subject=payload.grievance_id, data=payload.model_dump(mode="json")
    )


def status(of: GrievanceReceived, value: Status, minutes: int, actor: str = "光明区住房和建设局") -> CloudEvent:
    payload = GrievanceStatusChanged(
        grievance_id=of.grievance_id,
        tracking_no=of.tracking_no,
        status=value,
        stage="casework",
        message_zh=f"状态：{value.value}",
        detail={"minutes": minutes, "说明": "详情"},
        actor=actor,
        due_at=T0 + timedelta(days=60),
        occurred_at=T0 + timedelta(minutes=minutes),
    )
    return envelope(payload, "/grievance-platform/casework")


def routed(of: GrievanceReceived, revision: int, lead: str) -> CloudEvent:
    decision = RoutingDecision(
        track=Track.petition, area=Area.urban_rural_construction, departments=Departments(lead=lead), confidence=0.9
    )
    payload = GrievanceRouted(
        grievance_id=of.grievance_id,
        tracking_no=of.tracking_no,
        revision=revision,
        decision=decision,
        routed_at=T0 + timedelta(minutes=revision),
    )
    return envelope(payload, "/grievance-platform/router")


def scenario() -> tuple[list[GrievanceReceived], list[CloudEvent]]:
    """Three grievances' events interleaved as one poll may bring them."""
    at = {"received_at": T0}
    portal = new_received(token="t1").model_copy(update=at)
    minyi = new_received(token="t2", channel=Channel.minyi, external_ref="MY-2026-0009").model_copy(update=at)
    unknown = new_received(token="t3").model_copy(update=at)
    replied = status(portal, Status.replied, 3)
    events = [
        received_event(portal),
        status(minyi, Status.received, 0),  # before the minyi grievance is known
        status(portal, Status.received, 0),
        routed(portal, 1, "housing"),
        status(minyi, Status.assigned, 1),
        replied,
        replied,  # redelivered within the poll: one effect
        status(portal, Status.reopened, 4, actor="光明区信访局"),
        received_event(minyi),  # queues the two statuses it missed
        status(portal, Status.replied, 5, actor="光明区水务局"),
        status(minyi, Status.accepted, 2),
        routed(unknown, 2, "water"),
        routed(unknown, 1, "housing"),  # older: changes nothing
        status(unknown, Status.classified, 0),
    ]
    return [portal, minyi, unknown], events


async def snapshot(namespace: Namespace, grievances: list[GrievanceReceived]) -> list[Any]:
    """What the read model holds about ``grievances``, with their ids and numbers replaced by their position."""
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        ids = [g.grievance_id for g in grievances]
        rows = await conn.fetch("SELECT * FROM feedback.grievance WHERE grievance_id = ANY($1::text[])", ids)
        entries = await conn.fetch(
            "SELECT * FROM feedback.timeline_entry WHERE grievance_id = ANY($1::text[]) ORDER BY grievance_id, seq", ids
        )
        hooks = await conn.fetch(
            "SELECT grievance_id, seq, target, body FROM feedback.webhook_delivery"
            " WHERE grievance_id = ANY($1::text[]) ORDER BY id",
            ids,
        )
    finally:
        await conn.close()

    def anonymous(value: Any) -> Any:
        text = value.decode() if isinstance(value, bytes) else value
        if isinstance(text, str):
            for i, g in enumerate(grievances):
                text = text.replace(g.grievance_id, f"<g{i}>").replace(g.tracking_no, f"<no{i}>")
        return text

    def shown(record: Any, leave_out: tuple[str, ...]) -> dict[str, Any]:
        return {key: anonymous(value) for key, value in dict(record).items() if key not in leave_out}

    return [
        sorted((shown(r, ("created_at",)) for r in rows), key=lambda r: r["grievance_id"]),
        sorted((shown(e, ("recorded_at", "event_id")) for e in entries), key=lambda e: (e["grievance_id"], e["seq"])),
        [shown(h, ()) for h in hooks],
    ]


@pytest.fixture(scope="module")
async def feedback(namespace: Namespace) -> AsyncIterator[tuple[Infrastructure, FeedbackContext]]:
    settings = namespace.settings(Settings, minyi_webhook_url="http://127.0.0.1:9/minyi")
    infra = Infrastructure.build(settings, db.TABLES, unit_of_work=FeedbackUnitOfWork)
    try:
        yield infra, FeedbackContext.build(settings)
    finally:
        await infra.close()


async def one_per_transaction(infra: Infrastructure, ctx: FeedbackContext, events: list[CloudEvent]) -> None:
    handlers = bind(ctx)
    for event in events:
        async with infra.uow() as uow:
            if await uow.claim(event, GROUP_ID):
                await handlers[event.type](event, uow)
                await uow.commit()


async def one_batch(infra: Infrastructure, ctx: FeedbackContext, events: list[CloudEvent]) -> None:
    """As the consumer runner applies a poll: one claim, prepare, the use cases in order, one commit."""
    handlers = bind(ctx)
    async with infra.uow() as uow:
        fresh = await uow.claim_many(events, GROUP_ID)
        await prepare([e for e in events if (e.source, e.id) in fresh], uow)
        for event in events:
            if (event.source, event.id) in fresh:
                fresh.discard((event.source, event.id))
                await handlers[event.type](event, uow)
        await uow.commit()


class StatementCount:
    """Statements sent on ``infra``'s engine while in the block."""

    def __init__(self, infra: Infrastructure) -> None:
        self._engine = infra.engine.sync_engine
        self.count = 0

    def _count(self, *_args: Any) -> None:
        self.count += 1

    def __enter__(self) -> StatementCount:
        sqlalchemy_event.listen(self._engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc: object) -> None:
        sqlalchemy_event.remove(self._engine, "before_cursor_execute", self._count)


async def notices_while(namespace: Namespace, project: Awaitable[None]) -> list[str]:
    """The timeline NOTIFY payloads sent while ``project`` runs, in the order a listener hears them."""
    heard: list[str] = []
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        await conn.add_listener(db.TIMELINE_CHANNEL, lambda *args: heard.append(args[3]))
        await project
        await asyncio.sleep(0.3)  # notifications arrive after the commit's reply
    finally:
        await conn.close()
    return heard


async def test_a_batch_leaves_what_one_event_per_transaction_leaves(
    namespace: Namespace, feedback: tuple[Infrastructure, FeedbackContext]
) -> None:
    infra, ctx = feedback
    singly, single_events = scenario()
    batched, batch_events = scenario()

    with StatementCount(infra) as single_statements:
        single_notices = await notices_while(namespace, one_per_transaction(infra, ctx, single_events))
    with StatementCount(infra) as batch_statements:
        batch_notices = await notices_while(namespace, one_batch(infra, ctx, batch_events))

    single, batch = await snapshot(namespace, singly), await snapshot(namespace, batched)
    assert batch == single
    rows, entries, hooks = batch
    portal, minyi, unknown = rows
    assert (portal["last_seq"], portal["current_status"], portal["answer_round"]) == (4, "replied", 2)
    assert (portal["answered_by"], portal["track"], portal["lead_department"]) == (
        "光明区水务局",
        "petition",
        "housing",
    )
    assert (minyi["last_seq"], minyi["channel"], unknown["routing_revision"], unknown["lead_department"]) == (
        3,
        "minyi",
        2,
        "water",
    )
    assert unknown["tracking_token_hash"] is None and len(entries) == 8
    assert [(h["grievance_id"], h["seq"]) for h in hooks] == [("<g1>", 1), ("<g1>", 2), ("<g1>", 3)]

    # The claim, the rows held, the minyi grievance's earlier entries read, then one write per
    # table: rows, entries with their NOTIFYs, webhooks. One event per transaction: 2 to 4 each.
    assert batch_statements.count == 6
    assert single_statements.count >= 2 * len(single_events)

    def announced(payloads: list[str], grievances: list[GrievanceReceived]) -> list[tuple[int, int]]:
        ids = [g.grievance_id for g in grievances]
        notices = [decode_notice(p) for p in payloads]
        return [
            (ids.index(n.grievance_id), n.seq)
            for n in notices
            if isinstance(n, TimelineNotice) and n.grievance_id in ids
        ]

    def became_known(payloads: list[str], grievances: list[GrievanceReceived]) -> list[int]:
        numbers = [g.tracking_no for g in grievances]
        notices = [decode_notice(p) for p in payloads]
        return [
            numbers.index(n.tracking_no) for n in notices if isinstance(n, KnownNotice) and n.tracking_no in numbers
        ]

    # Known grievances only, each one's in sequence order; the batch says it all at its one commit.
    expected = [(0, 1), (0, 2), (0, 3), (0, 4), (1, 3)]
    assert announced(single_notices, singly) == expected
    assert announced(batch_notices, batched) == expected
    # Each grievance.received tells the streams waiting for its number, in the batch as singly.
    assert became_known(single_notices, singly) == [0, 1]
    assert sorted(became_known(batch_notices, batched)) == [0, 1]


async def test_a_batch_that_fails_leaves_nothing(
    namespace: Namespace, feedback: tuple[Infrastructure, FeedbackContext]
) -> None:
    infra, ctx = feedback
    grievances, events = scenario()
    broken = CloudEvent(type=events[2].type, source="/grievance-platform/casework", subject="x", data={"status": "?"})
    with pytest.raises(ValueError, match="validation error"):
        await one_batch(infra, ctx, [*events, broken])
    rows, entries, hooks = await snapshot(namespace, grievances)
    assert (rows, entries, hooks) == ([], [], [])


def batches(outcome: str) -> float:
    return REGISTRY.get_sample_value("event_batches_total", {"group": GROUP_ID, "outcome": outcome}) or 0.0


async def test_statuses_committed_together_reach_an_open_stream_in_order(namespace: Namespace) -> None:
    port = free_port()
    settings = namespace.settings(Settings, http_port=port, stream_rate_limit="1000/minute")
    api = f"http://127.0.0.1:{port}"
    received = new_received(token="t4")
    status_topic = namespace.topic(topics.GRIEVANCE_STATUS)
    async with running([FeedbackApiPart(create_app(settings), host="127.0.0.1", port=port)]):
        await wait_ready(api)
        async with running([TimelineWriterPart(settings)]):
            await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))
            await publish(namespace.bootstrap, status_topic, status_event(received, Status.received))
            await until_sequence(api, received, 1)
        url = f"{api}/v1/grievances/{received.tracking_no}/events?token=t4"
        async with httpx.AsyncClient() as client, SseReader(client, url) as stream:
            await stream.read_events(1)
            # With no writer running, the next statuses wait on the broker: the next writer's
            # first poll brings them together, one batch, one transaction, one commit.
            later = (Status.classified, Status.assigned, Status.signed_for)
            for status in later:
                await publish(namespace.bootstrap, status_topic, status_event(received, status))
            committed, replayed = batches("committed"), batches("replayed")
            async with running([TimelineWriterPart(settings)]):
                events = await stream.read_events(4)
            assert batches("committed") > committed and batches("replayed") == replayed
    assert [e.id for e in events] == ["1", "2", "3", "4"]
    assert [json.loads(e.data)["status"] for e in events] == ["received", *(s.value for s in later)]


async def until_sequence(api: str, received: GrievanceReceived, sequence: int) -> None:
    async with httpx.AsyncClient() as client:

        async def reached() -> bool:
            response = await client.get(
                f"{api}/v1/grievances/{received.tracking_no}/timeline", headers={"X-Tracking-Token": "t4"}
            )
            return response.status_code == 200 and response.json()["last_sequence"] >= sequence

        await wait_until(reached, what=f"sequence {sequence} on the timeline")
