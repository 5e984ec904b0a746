"""Assistance referral (§37) by a mediator on their own case, its outcome on the citizen's timeline
and in the statistics; the panel's legal adviser (法律顾问) from the lawyer roster — real broker and DB."""

from __future__ import annotations

from typing import Any

import pytest

from shared.events.topics import GRIEVANCE_STATUS
from shared.events.vocabulary import Area
from tests.integration.mediation.harness import MediationHarness, handoff_event


@pytest.fixture(scope="module")
async def labour_panel(service: MediationHarness) -> dict[str, Any]:
    event = handoff_event(
        title="工友们被拖欠工资",
        content="十余名工友被包工头拖欠工资，情绪激动。",
        area=Area.labour_social_security,
        lead="human-resources",
        respondent="明辉物业外包工程队",
        urgent=True,
    )
    await service.publish_handoff(event)
    return await service.case_of(event.subject)


@pytest.fixture(scope="module")
async def neighbour_case(service: MediationHarness) -> dict[str, Any]:
    event = handoff_event()
    await service.publish_handoff(event)
    return await service.case_of(event.subject)


async def counts(service: MediationHarness) -> tuple[int, int, int]:
    return (
        await service.scalar("SELECT count(*) FROM mediation.assistance_referral"),
        await service.scalar("SELECT count(*) FROM mediation.outbox"),
        await service.scalar("SELECT count(*) FROM mediation.mediation WHERE legal_adviser IS NOT NULL"),
    )


async def test_a_labour_panel_gets_a_labour_lawyer_as_legal_adviser(
    service: MediationHarness, labour_panel: dict[str, Any]
) -> None:
    assert labour_panel["panel"] is True and len(labour_panel["mediators"]) == 3
    adviser = labour_panel["legal_adviser"]
    # 严慧敏 serves 公明街道 and knows labour law; 韦晓丹 (tie to 明辉物业) is never picked.
    assert adviser["id"] == "lawyer-02" and adviser["reason"] == "panel_legal_question"
    lead = service.lead_headers(labour_panel)
    shown = (await service.http.get(f"/v1/mediations/{labour_panel['id']}", headers=lead)).json()
    assert shown["legal_adviser"]["name"] == "严慧敏"


async def test_a_mediator_asks_for_a_lawyer_and_bad_choices_change_nothing(
    service: MediationHarness, neighbour_case: dict[str, Any], labour_panel: dict[str, Any]
) -> None:
    assert neighbour_case["panel"] is False and neighbour_case["legal_adviser"] is None
    path = f"/v1/mediations/{neighbour_case['id']}/legal-adviser"
    lead = service.lead_headers(neighbour_case)
    before = await counts(service)
    for body, status in (
        ({"lawyer_id": "lawyer-03", "reason": "需要法律意见"}, 422),  # not on the mediation roster
        ({"lawyer_id": "nobody", "reason": "需要法律意见"}, 422),
        ({"lawyer_id": "lawyer-04", "reason": "需要\x07法律意见"}, 422),  # control character
    ):
        refused = await service.http.post(path, headers=lead, json=body)
        assert refused.status_code == status and refused.headers["content-type"] == "application/problem+json"
    other = service.lead_headers(labour_panel)  # a mediator not on this case
    assert (await service.http.post(path, headers=other, json={"reason": "x"})).status_code == 404
    assert (await service.http.post(path, headers=service.supervisor, json={"reason": "x"})).status_code == 403
    assert await counts(service) == before

    chosen = await service.http.post(path, headers=lead, json={"lawyer_id": "lawyer-05", "reason": "涉及相邻权"})
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["legal_adviser"] | {"assigned_at": None} == {
        "id": "lawyer-05",
        "name": "欧阳明",
        "firm": "广东光明律师事务所",
        "reason": "涉及相邻权",
        "assigned_at": None,
    }


async def test_a_lawyer_tied_to_the_respondent_is_refused(
    service: MediationHarness, labour_panel: dict[str, Any]
) -> None:
    path = f"/v1/mediations/{labour_panel['id']}/legal-adviser"
    refused = await service.http.post(
        path, headers=service.lead_headers(labour_panel), json={"lawyer_id": "lawyer-04", "reason": "更换"}
    )
    assert refused.status_code == 422 and "回避" in refused.json()["detail"]
    still = (await service.http.get(f"/v1/mediations/{labour_panel['id']}", headers=service.supervisor)).json()
    assert still["legal_adviser"]["id"] == "lawyer-02"


async def test_assistance_referral_timeline_statistics_and_refusals(
    service: MediationHarness, labour_panel: dict[str, Any], neighbour_case: dict[str, Any]
) -> None:
    case_id = labour_panel["id"]
    path = f"/v1/mediations/{case_id}/assistance"
    lead = service.lead_headers(labour_panel)
    social = {"scheme": "temporary", "referred_to": "civil-affairs", "hardship": "工友家庭因欠薪生活困难"}
    before = await counts(service)
    for headers, body, status in (
        (service.lead_headers(neighbour_case), social, 404),  # not this mediator's case
        (service.supervisor, social, 403),
        (lead, social | {"scheme": "judicial"}, 422),  # 司法救助 only through a 政法 body
        (lead, social | {"referred_to": "court"}, 422),  # social assistance never through one
        (lead, social | {"referred_to": "no-such-office"}, 422),
        (lead, social | {"scheme": "lottery"}, 422),
    ):
        response = await service.http.post(path, headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert await counts(service) == before

    made = await service.http.post(path, headers=lead, json=social)
    assert made.status_code == 201, made.text
    referral = made.json()
    assert referral["kind"] == "social" and referral["scheme_zh"] == "临时救助" and referral["outcome"] == "pending"
    judicial = await service.http.post(
        path, headers=lead, json={"scheme": "judicial", "referred_to": "court", "hardship": "工伤致残无力维生"}
    )
    assert judicial.status_code == 201 and judicial.json()["kind"] == "judicial"

    outcome = f"{path}/{referral['id']}/outcome"
    assert (await service.http.post(outcome, headers=lead, json={"outcome": "pending"})).status_code == 422
    granted = await service.http.post(outcome, headers=lead, json={"outcome": "granted", "note": "已发放"})
    assert granted.status_code == 200 and granted.json()["outcome"] == "granted"
    assert (await service.http.post(outcome, headers=lead, json={"outcome": "refused"})).status_code == 409

    statuses = await service.statuses(labour_panel["grievance_id"], until_status="assistance_concluded")
    assert statuses.count("assistance_referred") == 2 and statuses[-1] == "assistance_concluded"
    messages = await service.events(
        GRIEVANCE_STATUS,
        labour_panel["grievance_id"],
        until=lambda rs: any(r.event.data["status"] == "assistance_concluded" for r in rs),
    )
    texts = [r.event.data["message_zh"] for r in messages if r.event.data["status"] == "assistance_referred"]
    assert any("临时救助" in t and "第三十七条" in t for t in texts)
    assert all("生活困难" not in t for t in texts)  # the hardship stays with the office

    detail = (await service.http.get(f"/v1/mediations/{case_id}", headers=lead)).json()
    assert sorted(a["scheme"] for a in detail["assistance"]) == ["judicial", "temporary"]
    stats = (await service.http.get("/v1/mediations/statistics", headers=service.supervisor)).json()
    assert stats["assistance"]["total"] == 2
    assert {"kind": "social", "scheme": "temporary", "outcome": "granted", "count": 1} in stats["assistance"]["rows"]
    assert {"kind": "judicial", "scheme": "judicial", "outcome": "pending", "count": 1} in stats["assistance"]["rows"]
    # A mediator of another office sees its own office's figures only.
    office = service.lead_headers(neighbour_case)
    assert (await service.http.get("/v1/mediations/statistics", headers=office)).json()["assistance"]["total"] == 0
