"""A failed or refused mediation goes back to the router exactly once: not twice on a retried
request, not twice on concurrent requests, and not again when the hand-off is redelivered."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_REROUTE, dead_letter_topic
from shared.events.vocabulary import Area
from tests.integration.mediation.harness import MediationHarness, handoff_event


async def _consented_case(service: MediationHarness, **handoff: Any) -> tuple[str, dict[str, Any], dict[str, str]]:
    event = handoff_event(**handoff)
    await service.publish_handoff(event, times=2)
    case = await service.case_of(event.subject)
    lead = service.lead_headers(case)
    base = f"/v1/mediations/{case['id']}"
    assert (await service.http.post(base + "/accept", headers=lead)).status_code == 200
    return event.subject, case, lead


async def test_a_refusal_ends_mediation_and_reroutes_once(service: MediationHarness) -> None:
    before = await service.offsets(GRIEVANCE_REROUTE)
    grievance_id, case, lead = await _consented_case(
        service,
        title="包工头拖欠工资",
        content="在工地做了三个月，包工头拖欠工资两万元，尚未申请仲裁。",
        area=Area.labour_social_security,
        lead="human-resources",
        respondent="某建筑劳务公司",
    )
    assert case["mediation_type"] == "administrative"
    base = f"/v1/mediations/{case['id']}"
    yes = await service.http.post(base + "/consents", json={"party": "applicant", "consented": True}, headers=lead)
    assert yes.status_code == 200
    refusal = {"party": "respondent", "consented": False, "note": "公司表示只接受仲裁"}
    refused = await service.http.post(base + "/consents", json=refusal, headers=lead)
    assert refused.status_code == 200, refused.text
    assert refused.json()["state"] == "refused"
    assert refused.json()["outcome"] == "refusal"
    assert [d["kind"] for d in refused.json()["documents"]] == ["termination_notice"]

    # The mediator's client retries; another tries to close it as failed: both refused, no effect.
    again = await service.http.post(base + "/consents", json=refusal, headers=lead)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    failed = await service.http.post(base + "/close", json={"outcome": "failure", "reason": "重复提交"}, headers=lead)
    assert failed.status_code == 409
    # The router's hand-off is redelivered after the refusal: no new case, no second re-route.
    await service.publish_handoff(handoff_event(grievance_id=grievance_id, title="包工头拖欠工资"), times=1)

    reroutes = await service.events(
        GRIEVANCE_REROUTE, grievance_id, since=before, until=lambda rs: len(rs) >= 1, settle=4.0
    )
    assert len(reroutes) == 1
    data = reroutes[0].event.data
    assert data["reason"] == "mediation_refused"
    assert data["from_track"] == "mediation"
    assert data["to_track"] == "litigation"
    assert "只接受仲裁" in data["detail"]
    assert await service.scalar("SELECT count(*) FROM mediation.reroute WHERE grievance_id = :g", g=grievance_id) == 1
    assert await service.scalar("SELECT count(*) FROM mediation.mediation WHERE grievance_id = :g", g=grievance_id) == 1
    statuses = await service.statuses(grievance_id, until_status="mediation_failed")
    assert statuses.count("mediation_failed") == 1


async def test_concurrent_failure_closes_reroute_once(service: MediationHarness) -> None:
    before = await service.offsets(GRIEVANCE_REROUTE)
    grievance_id, case, lead = await _consented_case(service, title="邻居占用楼道堆放杂物")
    base = f"/v1/mediations/{case['id']}"
    for party in ("applicant", "respondent"):
        response = await service.http.post(base + "/consents", json={"party": party, "consented": True}, headers=lead)
        assert response.status_code == 200
    body = {"outcome": "failure", "reason": "双方对清理期限分歧过大", "to_track": "petition"}

    async def close() -> httpx.Response:
        return await service.http.post(base + "/close", json=body, headers=lead)

    answers = await asyncio.gather(close(), close(), close())
    assert sorted(r.status_code for r in answers) == [200, 409, 409]

    reroutes = await service.events(
        GRIEVANCE_REROUTE, grievance_id, since=before, until=lambda rs: len(rs) >= 1, settle=4.0
    )
    assert [r.event.data["reason"] for r in reroutes] == ["mediation_failed"]
    assert reroutes[0].event.data["to_track"] == "petition"
    notice_id = await service.scalar(
        "SELECT id FROM mediation.document WHERE mediation_id = :m AND kind = 'termination_notice'", m=case["id"]
    )
    html = (await service.http.get(f"/v1/staff/mediation-documents/{notice_id}", headers=lead)).text
    assert "第二十六条" in html
    assert "普通信访" in html


async def test_a_hand_off_for_another_track_is_dead_lettered_and_the_consumer_goes_on(
    service: MediationHarness,
) -> None:
    dlq = dead_letter_topic("mediation")
    before = await service.offsets(dlq)
    wrong = handoff_event(title="对派出所处警不满")
    wrong_data = dict(wrong.data)
    wrong_data["decision"] = {**wrong_data["decision"], "track": "litigation"}
    poison = CloudEvent(type=wrong.type, source=wrong.source, subject=wrong.subject, data=wrong_data)
    await service.publish_handoff(poison)
    good = handoff_event(title="邻居漏水")
    await service.publish_handoff(good)

    await service.case_of(good.subject)
    dead = await service.events(dlq, poison.subject, since=before, until=lambda rs: len(rs) >= 1)
    assert dead[0].headers["dlq_error_type"] == b"PermanentError"
    assert dead[0].headers["dlq_attempts"] == b"1"
    assert (
        await service.scalar("SELECT count(*) FROM mediation.mediation WHERE grievance_id = :g", g=poison.subject) == 0
    )
