"""Running the mediation service inside the test process against the real Kafka and PostgreSQL.

The API is served over ASGI (httpx), the worker (consumer group + scheduler) and the outbox relay
run as tasks, and every part shares one ManualClock so tests can move time. The scheduler's own
loop is slowed right down: tests call ``tick()`` when they have moved the clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

import httpx
from sqlalchemy import text

from services.mediation import db
from services.mediation.app import WorkerPart, create_app
from services.mediation.settings import Settings
from shared.auth import issue_token
from shared.clock import ManualClock
from shared.events.contracts import (
    ComplainantView,
    Departments,
    GrievanceReceived,
    RoutingDecision,
    TrackHandoff,
)
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_STATUS, GRIEVANCE_TRACK_MEDIATION
from shared.events.vocabulary import Area, Channel, Role, Track
from shared.pii import token_hash
from shared.runtime import OutboxRelayPart
from tests.support.kafka import Received, end_offsets, publish, read_events
from tests.support.namespace import Namespace

ROUTER_SOURCE = "/grievance-platform/router"


def handoff_event(
    *,
    title: str = "楼上漏水纠纷",
    content: str = "楼上邻居家卫生间漏水，我家天花板受损，多次沟通无果。",
    street: str | None = "公明街道",
    respondent: str | None = "楼上住户李先生",
    area: Area = Area.urban_rural_construction,
    lead: str = "housing",
    urgent: bool = False,
    revision: int = 1,
    grievance_id: str | None = None,
    repeat_of: str | None = None,
    tracking_token: str = "citizen-secret-token",  # noqa: S107 - a test value
) -> CloudEvent:
    grievance_id = grievance_id or str(uuid.uuid4())
    now = datetime.now(UTC)
    grievance = GrievanceReceived(
        grievance_id=grievance_id,
        tracking_no=f"GM-20261126-{uuid.uuid4().int % 1_000_000:06d}",
        tracking_token_hash=token_hash(tracking_token),
        channel=Channel.portal,
        received_at=now,
        title=title,
        content=content,
        street=street,
        community="上村" if street == "公明街道" else None,
        respondent=respondent,
        complainant=ComplainantView(name_masked="张**", phone_masked="138****1234", phone_pseudonym="p" * 64),
    )
    decision = RoutingDecision(
        track=Track.mediation,
        area=area,
        departments=Departments(lead=lead),
        urgent=urgent,
        confidence=0.93,
        repeat_of=repeat_of,
    )
    payload = TrackHandoff(grievance=grievance, decision=decision, revision=revision, handed_off_at=now)
    return CloudEvent(
        type=TrackHandoff.event_type,
        source=ROUTER_SOURCE,
        subject=grievance_id,
        data=payload.model_dump(mode="json"),
    )


class MediationHarness:
    def __init__(self, namespace: Namespace, **overrides: Any) -> None:
        self.namespace = namespace
        self.settings = namespace.settings(Settings, scheduler_interval_s=3600, **overrides)
        self.clock = ManualClock(datetime.now(UTC))
        self.app = create_app(self.settings, clock=self.clock)
        self.worker = WorkerPart(self.settings, clock=self.clock)
        self.relay = OutboxRelayPart(self.settings, db.TABLES)
        self._tasks: list[asyncio.Task[None]] = []
        self._lifespan: Any = None
        self.client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://mediation")
        self._tasks = [asyncio.create_task(self.worker.run()), asyncio.create_task(self.relay.run())]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.worker.stop()
        self.relay.stop()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*self._tasks, return_exceptions=True), timeout=30)
        assert self.client is not None
        await self.client.aclose()
        await self._lifespan.__aexit__(None, None, None)

    # --- HTTP -----------------------------------------------------------------------------------

    @property
    def http(self) -> httpx.AsyncClient:
        assert self.client is not None
        return self.client

    def token(self, *, subject: str, role: Role = Role.mediator, department: str | None = None) -> dict[str, str]:
        jwt = issue_token(self.settings, subject=subject, role=role, department=department)
        return {"Authorization": f"Bearer {jwt}"}

    def mediator_headers(self, mediator_id: str, office: str) -> dict[str, str]:
        return self.token(subject=f"mediator.{mediator_id}", department=office)

    @property
    def supervisor(self) -> dict[str, str]:
        return self.token(subject="supervisor-1", role=Role.supervisor, department="petitions-bureau")

    async def case_of(self, grievance_id: str, *, timeout: float = 30.0) -> dict[str, Any]:
        """The case opened for a grievance, as a supervisor sees it, once the consumer made it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            rows = await self.rows("SELECT id FROM mediation.mediation WHERE grievance_id = :g", g=grievance_id)
            if rows:
                response = await self.http.get(f"/v1/mediations/{rows[0]['id']}", headers=self.supervisor)
                assert response.status_code == 200, response.text
                detail: dict[str, Any] = response.json()
                return detail
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"no mediation case for grievance {grievance_id}")
            await asyncio.sleep(0.2)

    def lead_headers(self, case: dict[str, Any]) -> dict[str, str]:
        lead = next(m for m in case["mediators"] if m["role"] == "lead")
        return self.mediator_headers(lead["id"], lead["office"])

    # --- Kafka and the database -----------------------------------------------------------------

    async def publish_handoff(self, event: CloudEvent, *, times: int = 1) -> None:
        await publish(self.namespace.bootstrap, self.namespace.topic(GRIEVANCE_TRACK_MEDIATION), event, times=times)

    async def offsets(self, topic: str) -> dict[int, int]:
        return await end_offsets(self.namespace.bootstrap, self.namespace.topic(topic))

    async def events(
        self,
        topic: str,
        grievance_id: str,
        *,
        since: dict[int, int] | None = None,
        until: Callable[[list[Received]], bool] | None = None,
        settle: float = 0.0,
        timeout: float = 20.0,
    ) -> list[Received]:
        """Events about one grievance on a topic (read from ``since``), until ``until`` holds."""

        def mine(received: list[Received]) -> list[Received]:
            return [r for r in received if r.event.subject == grievance_id]

        found = await read_events(
            self.namespace.bootstrap,
            self.namespace.topic(topic),
            since=since,
            until=(lambda rs: until(mine(rs))) if until else None,
            timeout=timeout,
            settle=settle,
        )
        return mine(found)

    async def statuses(self, grievance_id: str, *, until_status: str, settle: float = 1.0) -> list[str]:
        received = await self.events(
            GRIEVANCE_STATUS,
            grievance_id,
            until=lambda rs: any(r.event.data["status"] == until_status for r in rs),
            settle=settle,
        )
        return [str(r.event.data["status"]) for r in received]

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        async with self.app.state.infra.engine.connect() as conn:
            result = await conn.execute(text(sql), params)
            return [dict(row._mapping) for row in result]

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.app.state.infra.engine.connect() as conn:
            return await conn.scalar(text(sql), params)

    async def tick(self, advance: timedelta = timedelta()) -> dict[str, int]:
        self.clock.advance(advance)
        return await self.worker.scheduler.tick()
