"""The outbound 民意速办 message: Standard Webhooks signature (known answer), stable id and body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from services.feedback.domain.webhooks import webhook_id
from services.feedback.handlers.webhooks import status_changed_body
from shared.webhooks import WebhookVerificationError, sign, signed_headers, verify
from tests.unit.feedback.entries import entry

SAMPLE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_signature_matches_the_standard_webhooks_sample() -> None:
    signature = sign(SAMPLE_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_receiver_verifies_our_headers_and_refuses_a_changed_body() -> None:
    body = status_changed_body(tracking_no="GM-20261126-000001", external_ref="MY-1", entry=entry(3))
    now = datetime(2026, 11, 26, tzinfo=UTC).timestamp()
    headers = signed_headers(SAMPLE_SECRET, webhook_id("g-1", 3), body, timestamp=int(now))
    assert verify(SAMPLE_SECRET, headers, body, now=now) == webhook_id("g-1", 3)
    with pytest.raises(WebhookVerificationError):
        verify(SAMPLE_SECRET, headers, body.replace(b"GM-20261126-000001", b"GM-20261126-000002"), now=now)


def test_webhook_id_is_stable_per_entry_and_distinct_between_entries() -> None:
    assert webhook_id("g-1", 1) == webhook_id("g-1", 1)
    assert len({webhook_id("g-1", 1), webhook_id("g-1", 2), webhook_id("g-2", 1)}) == 3
    assert webhook_id("g-1", 1).startswith("msg_")


def test_body_is_the_standard_envelope_without_internal_detail() -> None:
    body = json.loads(status_changed_body(tracking_no="GM-1", external_ref="MY-1", entry=entry(2)))
    assert body["type"] == "grievance.status.changed"
    assert body["timestamp"] == body["data"]["occurred_at"]
    assert body["data"]["sequence"] == 2
    assert body["data"]["external_id"] == "MY-1"
    assert "detail" not in body["data"]
