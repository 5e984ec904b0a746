"""Idempotent replays create nothing; the 民意速办 webhook is verified and idempotent by webhook-id;
staff registration and contact reads are authenticated and audited."""

from __future__ import annotations

import json
import time
import uuid

import asyncpg  # type: ignore[import-untyped]
import httpx

from services.intake.settings import DEV_MINYI_WEBHOOK_SECRET
from shared.auth import issue_token
from shared.events.topics import GRIEVANCE_RECEIVED
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from shared.webhooks import signed_headers
from tests.integration.intake.conftest import portal_body
from tests.support.kafka import end_offsets, read_events
from tests.support.namespace import Namespace


async def test_replay_with_the_same_key_returns_the_first_answer_and_creates_nothing(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    key = f"idem-{uuid.uuid4()}"
    first = await http.post("/v1/grievances", json=portal_body(), headers={"Idempotency-Key": key})
    assert first.status_code == 202
    rows = await db.fetchval("SELECT count(*) FROM intake.grievance")
    outbox = await db.fetchval("SELECT count(*) FROM intake.outbox")
    await _wait_published(db)
    offsets = await end_offsets(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED))

    again = await http.post("/v1/grievances", json=portal_body(), headers={"Idempotency-Key": key})
    assert again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert await db.fetchval("SELECT count(*) FROM intake.grievance") == rows
    assert await db.fetchval("SELECT count(*) FROM intake.outbox") == outbox
    assert await end_offsets(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED)) == offsets

    reused = await http.post("/v1/grievances", json=portal_body(title="另一件事情"), headers={"Idempotency-Key": key})
    assert reused.status_code == 422
    assert reused.json()["type"].endswith("idempotency-key-reused")
    assert await db.fetchval("SELECT count(*) FROM intake.grievance") == rows


async def _wait_published(db: asyncpg.Connection, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while await db.fetchval("SELECT count(*) FROM intake.outbox WHERE published_at IS NULL"):
        assert time.monotonic() < deadline, "relay did not publish"
        await _sleep(0.1)


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


def minyi_body(external_id: str) -> bytes:
    return json.dumps(
        {
            "type": "case.created",
            "data": {
                "external_id": external_id,
                "title": "凤凰街道某工地夜间施工",
                "content": "塘家社区旁边的工地每天晚上十一点以后还在打桩，吵得人睡不着。",
                "complainant": {"name": "赵敏", "mobile": "13512345678"},
                "street": "凤凰街道",
                "community": "塘家",
                "unknown_extra": "ignored",
            },
        },
        ensure_ascii=False,
    ).encode()


async def test_minyi_webhook_is_verified_and_idempotent(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    external_id = f"MY-{uuid.uuid4().hex[:8]}"
    body = minyi_body(external_id)
    msg_id = f"msg_{uuid.uuid4().hex}"
    headers = {**signed_headers(DEV_MINYI_WEBHOOK_SECRET, msg_id, body), "content-type": "application/json"}
    before = await end_offsets(namespace.bootstrap, namespace.topic(GRIEVANCE_RECEIVED))

    first = await http.post("/v1/webhooks/minyi", content=body, headers=headers)
    assert first.status_code == 202, first.text
    again = await http.post("/v1/webhooks/minyi", content=body, headers=headers)
    assert again.json()["tracking_no"] == first.json()["tracking_no"]
    assert await db.fetchval("SELECT count(*) FROM intake.grievance WHERE external_ref = $1", external_id) == 1

    forged = {**headers, "webhook-signature": "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}
    refused = await http.post("/v1/webhooks/minyi", content=minyi_body("MY-forged"), headers=forged)
    assert refused.status_code == 401
    assert await db.fetchval("SELECT count(*) FROM intake.grievance WHERE external_ref = 'MY-forged'") == 0

    events = await read_events(
        namespace.bootstrap,
        namespace.topic(GRIEVANCE_RECEIVED),
        since=before,
        until=lambda got: any(e.event.data.get("external_ref") == external_id for e in got),
        settle=1.0,
    )
    mine = [e for e in events if e.event.data.get("external_ref") == external_id]
    assert len(mine) == 1
    assert mine[0].event.data["channel"] == "minyi"


async def test_staff_registration_and_audited_contact_read(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    settings = ServiceSettings()
    registrar = issue_token(settings, subject="registrar-01", role=Role.registrar)
    department = issue_token(settings, subject="officer-01", role=Role.department_officer, department="housing")
    body = portal_body(channel="hotline")

    refused = await http.post("/v1/staff/grievances", json=body, headers={"Authorization": f"Bearer {department}"})
    assert refused.status_code == 403

    accepted = await http.post("/v1/staff/grievances", json=body, headers={"Authorization": f"Bearer {registrar}"})
    assert accepted.status_code == 202
    tracking_no = accepted.json()["tracking_no"]
    assert await db.fetchval("SELECT channel FROM intake.grievance WHERE tracking_no = $1", tracking_no) == "hotline"

    contact = await http.post(
        f"/v1/staff/grievances/{tracking_no}/contact",
        json={"purpose": "回访"},
        headers={"Authorization": f"Bearer {registrar}"},
    )
    assert contact.status_code == 200
    assert contact.json()["mobile"] == "13612345678"
    audited = await db.fetch("SELECT actor, action, detail FROM intake.audit_log WHERE actor = 'registrar-01'")
    assert {r["action"] for r in audited} >= {"register_grievance", "read_contact"}
