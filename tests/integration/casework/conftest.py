"""Casework on the real broker and database: the worker's consumer, the outbox relay and the API
run in this process on a clock the tests move; events go in and come out through Kafka."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from services.casework import db
from services.casework.app import build_context, build_infrastructure, create_app
from services.casework.consumers import GROUP_ID, TOPICS, bind
from services.casework.handlers.context import CaseworkContext
from services.casework.repositories import CaseworkUnitOfWork, CaseworkUowFactory
from services.casework.settings import Settings
from shared.auth import issue_token
from shared.clock import CHINA_TZ, ManualClock
from shared.events.contracts import (
    ComplainantView,
    Departments,
    GrievanceReceived,
    GrievanceStatusChanged,
    RoutingDecision,
    TrackHandoff,
)
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_STATUS, track_topic
from shared.events.vocabulary import Area, Channel, PetitionKind, Role, Track
from shared.pii import token_hash
from shared.runtime import ConsumerPart, Infrastructure, OutboxRelayPart
from tests.support.kafka import kcat_args, publish, read_events
from tests.support.namespace import Namespace

START = datetime.combine(datetime(2026, 3, 2).date(), time(10), tzinfo=CHINA_TZ)  # a Monday


@dataclass
class Casework:
    namespace: Namespace
    settings: Settings
    ctx: CaseworkContext
    clock: ManualClock
    http: httpx.AsyncClient
    infra: Infrastructure

    def headers(
        self, role: Role = Role.department_officer, department: str | None = "housing", subject: str = "officer-1"
    ) -> dict[str, str]:
        token = issue_token(self.settings, subject=subject, role=role, department=department)
        return {"Authorization": f"Bearer {token}"}

    def officer(self, department: str) -> dict[str, str]:
        return self.headers(department=department, subject=f"officer-{department}")

    @property
    def uow(self) -> CaseworkUowFactory:
        """Casework's units of work: ``infra.uow`` is typed as the shared base factory."""
        return CaseworkUnitOfWork.factory_of(self.infra.uow)

    @property
    def supervisor(self) -> dict[str, str]:
        return self.headers(role=Role.supervisor, department=None, subject="supervisor-1")

    async def wait_for_case(
        self, grievance_id: str, department: str, *, state: str | None = None, revision: int = 1, timeout: float = 40
    ) -> dict[str, Any]:
        """Poll the API until the worker has taken the hand-off (and reached ``state``)."""
        deadline = asyncio.get_running_loop().time() + timeout
        last: httpx.Response | None = None
        while asyncio.get_running_loop().time() < deadline:
            last = await self.http.get(f"/v1/cases/{grievance_id}", headers=self.officer(department))
            if last.status_code == 200:
                body: dict[str, Any] = last.json()
                if body["revision"] >= revision and (state is None or body["state"] == state):
                    return body
            await asyncio.sleep(0.3)
        raise AssertionError(
            f"case {grievance_id} not ready: {last.status_code if last else None} {last.text if last else ''}"
        )

    async def statuses(
        self, grievance_id: str, *, until: Callable[[list[str]], bool], settle: float = 2.0
    ) -> list[GrievanceStatusChanged]:
        topic = self.namespace.topic(GRIEVANCE_STATUS)

        def mine(events: list[Any]) -> list[GrievanceStatusChanged]:
            return [
                GrievanceStatusChanged.model_validate(e.event.data) for e in events if e.event.subject == grievance_id
            ]

        events = await read_events(
            self.namespace.bootstrap,
            topic,
            timeout=40,
            settle=settle,
            until=lambda got: until([s.status.value for s in mine(got)]),
        )
        return mine(events)


@dataclass
class Filed:
    grievance_id: str
    tracking_no: str
    token: str
    event: CloudEvent


def handoff(
    *,
    lead: str = "housing",
    co: tuple[str, ...] = (),
    kind: PetitionKind | None = PetitionKind.claim,
    track: Track = Track.petition,
    revision: int = 1,
    repeat_of: str | None = None,
    respondent: str | None = "马田街道办",
    grievance_id: str | None = None,
    tracking_no: str | None = None,
    token: str | None = None,
    title: str = "小区门口积水严重",
) -> Filed:
    grievance_id = grievance_id or str(uuid.uuid4())
    tracking_no = tracking_no or f"GM-20260302-{uuid.uuid4().int % 1_000_000:06d}"
    token = token or uuid.uuid4().hex
    grievance = GrievanceReceived(
        grievance_id=grievance_id,
        tracking_no=tracking_no,
        tracking_token_hash=token_hash(token),
        channel=Channel.portal,
        received_at=START - timedelta(days=1),
        title=title,
        content="每次下雨将石社区二巷门口积水到小腿，排水沟堵了好久，请尽快疏通。",
        street="马田街道",
        community="将石",
        respondent=respondent,
        desired_outcome="疏通排水沟",
        attachments=["https://files.example.org/photo-1.jpg"],
        complainant=ComplainantView(name_masked="陈**", phone_masked="136****5678", phone_pseudonym="p" * 64),
    )
    decision = RoutingDecision(
        track=track,
        petition_kind=kind if track is Track.petition else None,
        area=Area.urban_rural_construction,
        departments=Departments(lead=lead, co=list(co)),
        repeat_of=repeat_of,
        confidence=0.9,
        decided_by="classifier" if revision == 1 else "reroute",
    )
    payload = TrackHandoff(grievance=grievance, decision=decision, revision=revision, handed_off_at=START)
    event = CloudEvent(
        type=TrackHandoff.event_type,
        source="/grievance-platform/router",
        subject=grievance_id,
        data=payload.model_dump(mode="json"),
    )
    return Filed(grievance_id, tracking_no, token, event)


async def hand_off(ns: Namespace, filed: Filed, *, times: int = 2) -> None:
    """Publish the hand-off on its track topic; twice by default, as a redelivery would."""
    track = Track(filed.event.data["decision"]["track"])
    await publish(ns.bootstrap, ns.topic(track_topic(track.value)), filed.event, times=times)


def event_of(payload: Any, subject: str, source: str = "/grievance-platform/feedback") -> CloudEvent:
    return CloudEvent(type=payload.event_type, source=source, subject=subject, data=payload.model_dump(mode="json"))


def kcat(bootstrap: str, topic: str) -> list[dict[str, Any]]:
    """Read a whole topic with Debian's kcat, a plain Kafka client: one JSON envelope per record."""
    result = subprocess.run(
        ["kcat", *kcat_args(bootstrap), "-C", "-t", topic, "-e", "-J", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


async def table_counts(dsn: str, grievance_id: str) -> dict[str, Any]:
    """Everything an action could change about one case, to prove a refused action changed nothing."""
    conn = await asyncpg.connect(dsn)
    try:
        return {
            "aggregate": await conn.fetchval(
                "SELECT aggregate::text FROM casework.grievance_case WHERE grievance_id = $1", grievance_id
            ),
            "outbox": await conn.fetchval("SELECT count(*) FROM casework.outbox"),
            "audit": await conn.fetchval("SELECT count(*) FROM casework.audit_log"),
            "documents": await conn.fetchval("SELECT count(*) FROM casework.document"),
            "idempotency": await conn.fetchval("SELECT count(*) FROM casework.idempotency_key"),
        }
    finally:
        await conn.close()


@pytest.fixture(scope="module")
async def casework(namespace: Namespace) -> AsyncIterator[Casework]:
    settings = namespace.settings(Settings)
    clock = ManualClock(START)
    ctx = build_context(settings, clock=clock)
    app = create_app(settings, ctx=ctx)
    consumer_infra = build_infrastructure(settings)
    consumer = ConsumerPart(consumer_infra, group_id=GROUP_ID, topics=TOPICS, handlers=bind(ctx))
    relay = OutboxRelayPart(settings, db.TABLES)
    tasks = [asyncio.create_task(consumer.run()), asyncio.create_task(relay.run())]
    infra = build_infrastructure(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://casework", timeout=30) as http:
                yield Casework(namespace, settings, ctx, clock, http, infra)
    finally:
        await consumer.stop()
        relay.stop()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)
        await infra.engine.dispose()
        await consumer_infra.close()
