"""The 民意速办 webhook remembers each webhook-id with a fingerprint of its signed body: a true
replay gets the first answer without the citizen's token; a different body under a used id is
refused like a reused Idempotency-Key and changes nothing."""

from __future__ import annotations

import json
import time
import uuid

import asyncpg  # type: ignore[import-untyped]
import httpx

from services.intake.settings import DEV_MINYI_WEBHOOK_SECRET, Settings
from shared.pii import FieldCipher, token_hash
from shared.webhooks import signed_headers
from tests.integration.intake.test_idempotency_and_webhook import minyi_body


def signed(msg_id: str, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    headers = signed_headers(DEV_MINYI_WEBHOOK_SECRET, msg_id, body, timestamp=timestamp)
    return {**headers, "content-type": "application/json"}


async def counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM intake.grievance"),
        await db.fetchval("SELECT count(*) FROM intake.outbox"),
        await db.fetchval("SELECT count(*) FROM intake.webhook_receipt"),
    )


async def test_a_replay_gets_the_first_answer_without_the_tracking_token(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    msg_id = f"msg_{uuid.uuid4().hex}"
    body = minyi_body(f"MY-{uuid.uuid4().hex[:8]}")
    first = await http.post("/v1/webhooks/minyi", content=body, headers=signed(msg_id, body))
    assert first.status_code == 202, first.text
    token = first.json()["tracking_token"]
    assert token
    stored_hash = await db.fetchval(
        "SELECT tracking_token_hash FROM intake.grievance WHERE tracking_no = $1", first.json()["tracking_no"]
    )
    assert stored_hash == token_hash(token)
    before = await counts(db)

    # The same delivery again, and a retry re-signed with a later timestamp (Standard Webhooks).
    for headers in (signed(msg_id, body), signed(msg_id, body, timestamp=int(time.time()) + 5)):
        again = await http.post("/v1/webhooks/minyi", content=body, headers=headers)
        assert again.status_code == 202, again.text
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == {**first.json(), "tracking_token": None}
        assert token not in again.text
    assert await counts(db) == before

    # What is kept for replays does not hold the token either.
    blob = await db.fetchval("SELECT response_encrypted FROM intake.webhook_receipt WHERE webhook_id = $1", msg_id)
    kept = json.loads(FieldCipher(Settings().encryption_key).decrypt(blob, field=f"replay:{msg_id}"))
    assert kept["tracking_no"] == first.json()["tracking_no"]
    assert "tracking_token" not in kept


async def test_a_different_body_under_a_used_webhook_id_is_refused_and_changes_nothing(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    msg_id = f"msg_{uuid.uuid4().hex}"
    body = minyi_body(f"MY-{uuid.uuid4().hex[:8]}")
    first = await http.post("/v1/webhooks/minyi", content=body, headers=signed(msg_id, body))
    assert first.status_code == 202, first.text
    fingerprint = await db.fetchval("SELECT body_fingerprint FROM intake.webhook_receipt WHERE webhook_id = $1", msg_id)
    assert fingerprint
    before = await counts(db)

    other_ref = f"MY-{uuid.uuid4().hex[:8]}"
    other = minyi_body(other_ref)
    reused = await http.post("/v1/webhooks/minyi", content=other, headers=signed(msg_id, other))
    assert reused.status_code == 422, reused.text
    assert reused.headers["content-type"].startswith("application/problem+json")
    problem = reused.json()
    assert problem["type"].endswith("webhook-id-reused")
    assert problem["status"] == 422
    assert "tracking_no" not in problem and first.json()["tracking_no"] not in reused.text
    assert await counts(db) == before
    assert await db.fetchval("SELECT count(*) FROM intake.grievance WHERE external_ref = $1", other_ref) == 0
    assert (
        await db.fetchval("SELECT body_fingerprint FROM intake.webhook_receipt WHERE webhook_id = $1", msg_id)
        == fingerprint
    )

    # The same case under a fresh webhook-id is registered normally.
    fresh = await http.post("/v1/webhooks/minyi", content=other, headers=signed(f"msg_{uuid.uuid4().hex}", other))
    assert fresh.status_code == 202, fresh.text
    assert fresh.json()["tracking_token"]
    assert await db.fetchval("SELECT count(*) FROM intake.grievance WHERE external_ref = $1", other_ref) == 1
