"""Outbound 民意速办 webhooks against a real local HTTP receiver that verifies every signature."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg  # type: ignore[import-untyped]
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.feedback.app import TimelineWriterPart
from services.feedback.domain.webhooks import webhook_id
from services.feedback.settings import Settings
from services.feedback.webhook_dispatch import WebhookDispatcherPart
from shared.events import topics
from shared.events.vocabulary import Channel, Status
from shared.runtime import ApiServer, Part
from shared.webhooks import WebhookVerificationError, verify
from tests.integration.feedback.support import new_received, received_event, running, status_event, wait_until
from tests.support.kafka import publish
from tests.support.namespace import Namespace
from tests.support.processes import free_port

SECRET = "whsec_dGVzdC1vbmx5LW1pbnlpLXJlY2VpdmVyLXNlY3JldA=="


@dataclass
class Receiver:
    """What 民意速办 would do: verify, fail once when told to, dedupe by webhook-id."""

    fail_first_for_sequence: int = 2
    attempts: list[tuple[str, int]] = field(default_factory=list)  # (webhook-id, HTTP status answered)
    accepted: dict[str, dict[str, object]] = field(default_factory=dict)  # webhook-id -> body, once each
    rejected_signatures: int = 0
    _failed_once: bool = False

    async def handle(self, request: Request) -> JSONResponse:
        body = await request.body()
        try:
            webhook_id = verify(SECRET, dict(request.headers), body)
        except WebhookVerificationError:
            self.rejected_signatures += 1
            return JSONResponse({"error": "bad signature"}, status_code=401)
        payload = json.loads(body)
        if payload["data"]["sequence"] == self.fail_first_for_sequence and not self._failed_once:
            self._failed_once = True
            self.attempts.append((webhook_id, 503))
            return JSONResponse({"error": "busy"}, status_code=503)
        self.attempts.append((webhook_id, 200))
        self.accepted.setdefault(webhook_id, payload)
        return JSONResponse({"ok": True})

    def for_tracking_no(self, tracking_no: str) -> list[dict[str, object]]:
        return [p for p in self.accepted.values() if p["data"]["tracking_no"] == tracking_no]  # type: ignore[index]


@pytest.fixture(scope="module")
async def receiver(namespace: Namespace) -> AsyncIterator[Receiver]:
    state = Receiver()
    port = free_port()
    server = ApiServer(Starlette(routes=[Route("/minyi", state.handle, methods=["POST"])]), host="127.0.0.1", port=port)
    settings = namespace.settings(
        Settings,
        minyi_webhook_url=f"http://127.0.0.1:{port}/minyi",
        minyi_webhook_secret=SECRET,
        webhook_backoff_base_s=0.2,
        webhook_poll_interval_s=0.1,
    )
    parts: list[Part] = [
        server,
        TimelineWriterPart(settings),
        WebhookDispatcherPart(settings),
    ]
    async with running(parts):
        yield state


async def test_minyi_statuses_are_signed_retried_and_delivered_in_order(
    namespace: Namespace, receiver: Receiver
) -> None:
    received = new_received(token="t", channel=Channel.minyi, external_ref="MY-2026-0001")
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))
    for status in (Status.received, Status.classified, Status.assigned):
        await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, status))

    async def all_delivered() -> bool:
        return len(receiver.for_tracking_no(received.tracking_no)) == 3

    await wait_until(all_delivered, what="three webhooks accepted")
    delivered = receiver.for_tracking_no(received.tracking_no)
    assert [p["data"]["sequence"] for p in delivered] == [1, 2, 3]  # type: ignore[index]
    assert [p["data"]["status"] for p in delivered] == ["received", "classified", "assigned"]  # type: ignore[index]
    assert {p["type"] for p in delivered} == {"grievance.status.changed"}
    assert {p["data"]["external_id"] for p in delivered} == {"MY-2026-0001"}  # type: ignore[index]
    assert receiver.rejected_signatures == 0

    # The refused attempt was retried with the same webhook-id, and seq 3 waited for it.
    expected = [webhook_id(received.grievance_id, seq) for seq in (1, 2, 3)]
    mine = [(wid, status) for wid, status in receiver.attempts if wid in expected]
    assert mine == [(expected[0], 200), (expected[1], 503), (expected[1], 200), (expected[2], 200)]
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        rows = await conn.fetch(
            "SELECT seq, attempts, delivered_at IS NOT NULL AS done FROM feedback.webhook_delivery"
            " WHERE grievance_id = $1 ORDER BY seq",
            received.grievance_id,
        )
    finally:
        await conn.close()
    assert [(r["seq"], r["attempts"], r["done"]) for r in rows] == [(1, 1, True), (2, 2, True), (3, 1, True)]


async def test_statuses_before_the_minyi_grievance_is_known_are_sent_once_it_is(
    namespace: Namespace, receiver: Receiver
) -> None:
    received = new_received(token="t", channel=Channel.minyi, external_ref="MY-2026-0002")
    await publish(
        namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(received, Status.received)
    )
    await asyncio.sleep(1.0)
    assert receiver.for_tracking_no(received.tracking_no) == []
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(received))

    async def delivered() -> bool:
        return len(receiver.for_tracking_no(received.tracking_no)) == 1

    await wait_until(delivered, what="the early status delivered")


async def test_other_channels_send_no_webhooks(namespace: Namespace, receiver: Receiver) -> None:
    portal = new_received(token="t", channel=Channel.portal)
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_RECEIVED), received_event(portal))
    await publish(namespace.bootstrap, namespace.topic(topics.GRIEVANCE_STATUS), status_event(portal, Status.received))
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:

        async def on_timeline() -> bool:
            count = await conn.fetchval(
                "SELECT count(*) FROM feedback.timeline_entry WHERE grievance_id = $1", portal.grievance_id
            )
            return bool(count == 1)

        await wait_until(on_timeline, what="the portal grievance's status recorded")
        queued = await conn.fetchval(
            "SELECT count(*) FROM feedback.webhook_delivery WHERE grievance_id = $1", portal.grievance_id
        )
    finally:
        await conn.close()
    assert queued == 0
    assert receiver.for_tracking_no(portal.tracking_no) == []
