"""A grievance POSTed to intake arrives on grievance.received.v1 with CloudEvents headers, keyed by
the grievance id, and without raw phone or ID numbers anywhere in the record."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]
import httpx

from shared.events.contracts import GrievanceReceived, GrievanceStatusChanged
from shared.events.topics import GRIEVANCE_RECEIVED, GRIEVANCE_STATUS
from shared.pii import token_hash
from tests.integration.intake.conftest import portal_body
from tests.support.kafka import end_offsets, read_events
from tests.support.namespace import Namespace

RAW = ("13612345678", "11010519491231002", "陈建国")


async def test_posted_grievance_is_published_with_headers_and_key(
    namespace: Namespace, http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    topic = namespace.topic(GRIEVANCE_RECEIVED)
    before = await end_offsets(namespace.bootstrap, topic)

    response = await http.post("/v1/grievances", json=portal_body())
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["tracking_no"].startswith("GM-")
    assert response.headers["location"] == f"/v1/grievances/{accepted['tracking_no']}"

    events = await read_events(
        namespace.bootstrap,
        topic,
        since=before,
        until=lambda got: any(e.event.subject == accepted["grievance_id"] for e in got),
    )
    [mine] = [e for e in events if e.event.subject == accepted["grievance_id"]]
    headers = mine.headers
    assert mine.record.key == accepted["grievance_id"].encode()
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == GrievanceReceived.event_type.encode()
    assert headers["ce_source"] == b"/grievance-platform/intake"
    assert headers["ce_subject"] == accepted["grievance_id"].encode()
    assert headers["ce_id"] and headers["ce_time"] and headers["ce_correlationid"]
    assert headers["content-type"] == b"application/json"

    payload = GrievanceReceived.model_validate(mine.event.data)
    assert payload.tracking_no == accepted["tracking_no"]
    assert payload.tracking_token_hash == token_hash(accepted["tracking_token"])
    assert payload.complainant.phone_masked == "136****5678"
    assert payload.complainant.id_card_masked == "110105********002X"
    assert payload.complainant.name_masked == "陈**"
    whole_record = mine.record.key + mine.record.value + b"".join(k.encode() + v for k, v in mine.record.headers)
    for raw in RAW:
        assert raw.encode() not in whole_record, f"raw personal data {raw!r} leaked into the event"

    # At rest, the identity is encrypted: the raw values are nowhere in intake's tables.
    row = await db.fetchrow("SELECT * FROM intake.complainant WHERE grievance_id = $1", accepted["grievance_id"])
    stored = b"".join(v if isinstance(v, bytes) else str(v).encode() for v in row.values())
    for raw in RAW:
        assert raw.encode() not in stored


async def test_citizen_gets_a_received_status_and_can_read_the_masked_record(
    namespace: Namespace, http: httpx.AsyncClient
) -> None:
    status_topic = namespace.topic(GRIEVANCE_STATUS)
    before = await end_offsets(namespace.bootstrap, status_topic)
    accepted = (await http.post("/v1/grievances", json=portal_body(title="公园路灯不亮"))).json()

    events = await read_events(
        namespace.bootstrap,
        status_topic,
        since=before,
        until=lambda got: any(e.event.subject == accepted["grievance_id"] for e in got),
    )
    [status] = [
        GrievanceStatusChanged.model_validate(e.event.data)
        for e in events
        if e.event.subject == accepted["grievance_id"]
    ]
    assert status.status == "received"
    assert accepted["tracking_no"] in status.message_zh
    assert status.due_at is not None

    record = await http.get(
        f"/v1/grievances/{accepted['tracking_no']}", headers={"X-Tracking-Token": accepted["tracking_token"]}
    )
    assert record.status_code == 200
    body = record.json()
    assert body["title"] == "公园路灯不亮"
    assert body["complainant"]["mobile_masked"] == "136****5678"
    assert "13612345678" not in record.text

    wrong = await http.get(f"/v1/grievances/{accepted['tracking_no']}", headers={"X-Tracking-Token": "guess"})
    unknown = await http.get("/v1/grievances/GM-20000101-999999", headers={"X-Tracking-Token": "guess"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json()["detail"] == unknown.json()["detail"]


async def test_anonymous_filing_shows_no_identity_to_other_services(
    namespace: Namespace, http: httpx.AsyncClient
) -> None:
    topic = namespace.topic(GRIEVANCE_RECEIVED)
    before = await end_offsets(namespace.bootstrap, topic)
    body = portal_body()
    body["complainant"] = {**body["complainant"], "anonymous": True}
    accepted = (await http.post("/v1/grievances", json=body)).json()
    events = await read_events(
        namespace.bootstrap,
        topic,
        since=before,
        until=lambda got: any(e.event.subject == accepted["grievance_id"] for e in got),
    )
    [mine] = [
        GrievanceReceived.model_validate(e.event.data) for e in events if e.event.subject == accepted["grievance_id"]
    ]
    assert mine.complainant.name_masked == "匿名"
    assert mine.complainant.phone_masked is None and mine.complainant.id_card_masked is None
    assert mine.complainant.phone_pseudonym  # repeat matching still works
