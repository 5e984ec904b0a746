"""Ratings from feedback (grievance.feedback.v1): 不满意 with 重办 brings the follow-up forward or
mediates again; ratings of other tracks' grievances are not ours."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.events.contracts import CitizenReviewRequested, RatingSubmitted
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_FEEDBACK
from shared.events.vocabulary import Rating
from tests.integration.mediation.harness import MediationHarness, handoff_event
from tests.support.kafka import publish

FEEDBACK_SOURCE = "/grievance-platform/feedback"


async def _send(service: MediationHarness, payload: RatingSubmitted | CitizenReviewRequested, times: int = 1) -> str:
    event = CloudEvent(
        type=payload.event_type,
        source=FEEDBACK_SOURCE,
        subject=payload.grievance_id,
        data=payload.model_dump(mode="json"),
    )
    await publish(service.namespace.bootstrap, service.namespace.topic(GRIEVANCE_FEEDBACK), event, times=times)
    return event.id


def _rating(grievance_id: str, rating: Rating, *, reopen: bool) -> RatingSubmitted:
    return RatingSubmitted(
        grievance_id=grievance_id,
        tracking_no="GM-20261126-000001",
        rating=rating,
        comment="对方没有按协议修好漏水" if rating is Rating.dissatisfied else "",
        reopen_requested=reopen,
        submitted_at=datetime.now(UTC),
    )


async def _agreed_case(service: MediationHarness) -> tuple[str, dict[str, Any], dict[str, str]]:
    event = handoff_event()
    await service.publish_handoff(event)
    case = await service.case_of(event.subject)
    lead = service.lead_headers(case)
    base = f"/v1/mediations/{case['id']}"
    await service.http.post(base + "/accept", headers=lead)
    for party in ("applicant", "respondent"):
        await service.http.post(base + "/consents", json={"party": party, "consented": True}, headers=lead)
    deadline = (service.clock.now() + timedelta(days=7)).date().isoformat()
    body = {"outcome": "agreement", "terms": ["被申请人修复漏水。"], "performance_deadline": deadline}
    assert (await service.http.post(base + "/close", json=body, headers=lead)).status_code == 200
    return event.subject, case, lead


async def _wait_for_rating(service: MediationHarness, case_id: str, count: int) -> list[dict[str, Any]]:
    for _ in range(150):
        rows = await service.rows("SELECT * FROM mediation.rating WHERE mediation_id = :m ORDER BY id", m=case_id)
        if len(rows) >= count:
            return rows
        await asyncio.sleep(0.2)
    raise TimeoutError("rating not consumed")


async def test_dissatisfied_before_the_follow_up_brings_it_forward(service: MediationHarness) -> None:
    grievance_id, case, _ = await _agreed_case(service)
    await _send(service, _rating(grievance_id, Rating.dissatisfied, reopen=True), times=2)
    rows = await _wait_for_rating(service, case["id"], 1)
    assert [r["effect"] for r in rows] == ["follow_up_brought_forward"]
    state = (await service.rows("SELECT * FROM mediation.mediation WHERE id = :m", m=case["id"]))[0]
    assert state["state"] == "agreed"
    assert state["follow_up_due_at"] <= service.clock.now()
    await service.tick()
    notified = await service.scalar("SELECT follow_up_notified_at FROM mediation.mediation WHERE id = :m", m=case["id"])
    assert notified is not None


async def test_dissatisfied_after_a_performed_agreement_reopens_the_mediation(service: MediationHarness) -> None:
    grievance_id, case, lead = await _agreed_case(service)
    base = f"/v1/mediations/{case['id']}"
    closed = await service.http.post(base + "/follow-up", json={"performed": True}, headers=lead)
    assert closed.json()["state"] == "closed"
    await _send(service, _rating(grievance_id, Rating.dissatisfied, reopen=True))
    await _wait_for_rating(service, case["id"], 1)
    reopened = (await service.http.get(base, headers=lead)).json()
    assert reopened["state"] == "in_mediation"
    assert reopened["reopen_count"] == 1
    assert reopened["outcome"] is None
    statuses = await service.statuses(grievance_id, until_status="reopened", settle=0.5)
    assert statuses[-1] == "reopened"
    # The same mediators carry on: they can schedule a new session right away.
    when = (service.clock.now() + timedelta(days=1)).isoformat()
    again = await service.http.post(
        base + "/sessions", json={"scheduled_for": when, "location": "调解室"}, headers=lead
    )
    assert again.status_code == 201


async def test_satisfied_ratings_are_recorded_and_foreign_events_ignored(service: MediationHarness) -> None:
    grievance_id, case, _ = await _agreed_case(service)
    await _send(service, _rating(grievance_id, Rating.satisfied, reopen=False))
    rows = await _wait_for_rating(service, case["id"], 1)
    assert rows[0]["effect"] == "recorded"
    assert rows[0]["rating"] == "satisfied"

    # A review request is casework's business; a rating of a grievance never in mediation is not ours.
    review = CitizenReviewRequested(
        grievance_id=grievance_id, tracking_no="GM-1", level="review", reason="不服", requested_at=datetime.now(UTC)
    )
    review_id = await _send(service, review)
    stranger_id = await _send(
        service, _rating("00000000-0000-4000-8000-000000000001", Rating.dissatisfied, reopen=True)
    )
    # Same key as the review, so once this one is handled the review has been seen (and skipped).
    await _send(service, _rating(grievance_id, Rating.basically_satisfied, reopen=False))
    await _wait_for_rating(service, case["id"], 2)
    for _ in range(150):
        if await service.scalar("SELECT count(*) FROM mediation.processed_event WHERE event_id = :e", e=stranger_id):
            break
        await asyncio.sleep(0.2)
    assert (
        await service.scalar("SELECT count(*) FROM mediation.processed_event WHERE event_id = :e", e=stranger_id) == 1
    )
    assert await service.scalar("SELECT count(*) FROM mediation.processed_event WHERE event_id = :e", e=review_id) == 0
    # Every rating row belongs to this module's three cases; the stranger's rating left no trace.
    assert await service.scalar("SELECT count(*) FROM mediation.rating") == 4
    state = (await service.rows("SELECT state FROM mediation.mediation WHERE id = :m", m=case["id"]))[0]["state"]
    assert state == "agreed"
