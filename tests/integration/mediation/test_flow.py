"""From the track hand-off to a closed mediation on real Kafka and PostgreSQL, with the hand-off
delivered twice (and again at the end): one case, one timeline, one agreement."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from shared.events.topics import GRIEVANCE_REROUTE, GRIEVANCE_STATUS, department_topic
from tests.integration.mediation.harness import MediationHarness, handoff_event

EXPECTED_TIMELINE = [
    "mediation_opened",
    "accepted",  # the mediator accepted the case (受理)
    "in_progress",  # both parties consented
    "mediation_scheduled",
    "in_progress",  # session held
    "mediation_agreed",
    "closed",  # follow-up: performed
]


async def test_track_event_to_closed_mediation_is_idempotent_under_redelivery(service: MediationHarness) -> None:
    reroutes_before = await service.offsets(GRIEVANCE_REROUTE)
    event = handoff_event(tracking_token="token-flow-1")
    grievance_id = event.subject
    await service.publish_handoff(event, times=2)

    case = await service.case_of(grievance_id)
    assert case["state"] == "opened"
    assert case["mediation_type"] == "people"
    assert case["dispute_kind"] == "neighbour"
    assert case["office"] == "street-gongming"
    assert len(case["mediators"]) == 1
    lead = service.lead_headers(case)
    url = f"/v1/mediations/{case['id']}"

    mine = (await service.http.get("/v1/mediations/mine", headers=lead)).json()
    assert [c["id"] for c in mine] == [case["id"]]

    async def ok(method: str, path: str, body: dict[str, Any] | None = None, status: int = 200) -> dict[str, Any]:
        response = await service.http.request(method, url + path, json=body, headers=lead)
        assert response.status_code == status, response.text
        result: dict[str, Any] = response.json()
        return result

    assert (await ok("POST", "/accept"))["state"] == "accepted"
    assert (await ok("POST", "/consents", {"party": "applicant", "consented": True}))["state"] == "accepted"
    assert (await ok("POST", "/consents", {"party": "respondent", "consented": True}))["state"] == "in_mediation"
    when = (service.clock.now() + timedelta(days=2)).isoformat()
    scheduled = await ok("POST", "/sessions", {"scheduled_for": when, "location": "上村社区党群服务中心调解室"}, 201)
    assert scheduled["state"] == "scheduled"
    assert scheduled["sessions"][0]["number"] == 1
    held = await ok(
        "POST",
        "/sessions/1/record",
        {
            "attendance": [{"party": "applicant", "present": True}, {"party": "respondent", "present": True}],
            "minutes": "双方陈述事实，被申请人同意修复防水并赔偿维修费。",
        },
    )
    assert held["state"] == "in_mediation"
    deadline = (service.clock.now() + timedelta(days=10)).date().isoformat()
    agreed = await ok(
        "POST",
        "/close",
        {
            "outcome": "agreement",
            "terms": ["被申请人于十日内修复卫生间防水层。", "被申请人赔偿申请人维修费人民币3000元。"],
            "performance_deadline": deadline,
        },
    )
    assert agreed["state"] == "agreed"
    assert agreed["outcome"] == "agreement"
    closed = await ok("POST", "/follow-up", {"performed": True, "note": "电话回访，双方确认已履行。"})
    assert closed["state"] == "closed"
    assert closed["performed"] is True

    # The hand-off arrives once more (a redelivery after everything happened): nothing changes.
    await service.publish_handoff(event, times=2)

    statuses = await service.statuses(grievance_id, until_status="closed", settle=3.0)
    assert statuses == EXPECTED_TIMELINE
    assert await service.scalar("SELECT count(*) FROM mediation.mediation WHERE grievance_id = :g", g=grievance_id) == 1
    claims = await service.scalar("SELECT count(*) FROM mediation.processed_event WHERE event_id = :e", e=event.id)
    assert claims == 1

    # The citizen's agreement: on the timeline, readable with the tracking token only.
    received = await service.events(GRIEVANCE_STATUS, grievance_id, until=lambda rs: len(rs) >= 6)
    agreed_event = next(r.event.data for r in received if r.event.data["status"] == "mediation_agreed")
    assert agreed_event["actor"] == "公明街道人民调解委员会"
    assert agreed_event["due_at"] is not None
    assert "三十日内" in agreed_event["message_zh"]
    document = agreed_event["documents"][0]
    assert document["kind"] == "agreement"
    path = httpx.URL(document["url"]).path
    assert (await service.http.get(path)).status_code == 404
    assert (await service.http.get(path, headers={"X-Tracking-Token": "wrong"})).status_code == 404
    html = (await service.http.get(path, headers={"X-Tracking-Token": "token-flow-1"})).text
    assert "调解协议书" in html
    assert "人民币3000元" in html
    assert "第三十三条" in html

    # The office was told on its department topic; nothing went back to the router.
    notices = await service.events(department_topic("street-gongming"), grievance_id, until=lambda rs: len(rs) >= 2)
    assert [n.event.data["notice"] for n in notices][:2] == ["opened", "concluded"]
    assert await service.events(GRIEVANCE_REROUTE, grievance_id, since=reroutes_before, timeout=2) == []


async def test_statistics_count_the_agreement(service: MediationHarness) -> None:
    response = await service.http.get("/v1/mediations/statistics", headers=service.supervisor)
    assert response.status_code == 200
    stats = response.json()
    assert stats["scope"] == "all"
    assert stats["overall"]["agreed"] >= 1
    assert stats["by_type"]["people"]["agreed"] >= 1
    assert stats["by_street"]["公明街道"]["total"] >= 1
    assert stats["by_dispute_kind"]["neighbour"]["success_rate"] == 1.0
    assert stats["median_duration_days"] is not None


async def test_staff_actions_are_audited(service: MediationHarness) -> None:
    actions = {
        row["action"]
        for row in await service.rows("SELECT action FROM mediation.audit_log WHERE actor LIKE 'mediator.%'")
    }
    assert {"accept", "consent", "schedule_session", "record_session", "close_agreement", "follow_up"} <= actions
