"""Panels from the roster in the database, recusal (回避) and reassignment by a supervisor."""

from __future__ import annotations

from typing import Any

import pytest

from shared.events.topics import department_topic
from shared.events.vocabulary import Area
from tests.integration.mediation.harness import MediationHarness, handoff_event


@pytest.fixture(scope="module")
async def panel_case(service: MediationHarness) -> dict[str, Any]:
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


async def test_roster_is_loaded_into_the_schema(service: MediationHarness) -> None:
    roster = await service.http.get("/v1/roster", params={"street": "公明街道"}, headers=service.supervisor)
    assert roster.status_code == 200
    ids = {entry["id"] for entry in roster.json()}
    assert {"gongming-01", "hr-gongming-01", "court-02"} <= ids
    count = await service.scalar("SELECT count(*) FROM mediation.mediator WHERE active")
    assert count == len(service.worker._ctx.roster_file)


async def test_urgent_group_wage_case_gets_a_three_person_panel(
    service: MediationHarness, panel_case: dict[str, Any]
) -> None:
    case = panel_case
    assert case["panel"] is True
    assert case["office"] == "human-resources"
    team = case["mediators"]
    assert len(team) == 3
    assert team[0]["role"] == "lead"
    assert team[0]["id"] == "hr-gongming-01"
    assert all(m["street"] == "公明街道" for m in team)
    assert all("labour" in m["skills"] for m in team)
    # 周德明 (gongming-04) declared ties to 明辉物业: never on this panel.
    assert "gongming-04" not in [m["id"] for m in team]
    assert len({m["kind"] for m in team}) == 3


async def test_recusal_replaces_the_mediator_who_steps_aside(
    service: MediationHarness, panel_case: dict[str, Any]
) -> None:
    case = panel_case
    # Volunteers have no staff account; the lawyer on the panel signs in and steps aside.
    member = next(m for m in case["mediators"] if m["role"] == "member" and m["kind"] == "lawyer")
    headers = service.mediator_headers(member["id"], member["office"])
    response = await service.http.post(
        f"/v1/mediations/{case['id']}/recusal", json={"reason": "与申请人系同乡亲属"}, headers=headers
    )
    assert response.status_code == 202, response.text
    after = (await service.http.get(f"/v1/mediations/{case['id']}", headers=service.supervisor)).json()
    assert member["id"] not in [m["id"] for m in after["mediators"]]
    assert (await service.http.get(f"/v1/mediations/{case['id']}", headers=headers)).status_code == 404
    assert (
        await service.scalar(
            "SELECT count(*) FROM mediation.recusal WHERE mediation_id = :m AND mediator_id = :p",
            m=case["id"],
            p=member["id"],
        )
        == 1
    )


async def test_reassignment_refuses_conflicted_mediators_and_changes_nothing(
    service: MediationHarness, panel_case: dict[str, Any]
) -> None:
    case = panel_case
    base = f"/v1/mediations/{case['id']}"
    before = await service.rows(
        "SELECT mediator_id FROM mediation.assignment WHERE mediation_id = :m AND released_at IS NULL ORDER BY id",
        m=case["id"],
    )
    refused = await service.http.post(
        base + "/reassign", json={"mediator_ids": ["gongming-04"], "reason": "指定调解"}, headers=service.supervisor
    )
    assert refused.status_code == 409
    assert "利害关系" in refused.json()["detail"]
    recused = await service.rows("SELECT mediator_id FROM mediation.recusal WHERE mediation_id = :m", m=case["id"])
    again = await service.http.post(
        base + "/reassign",
        json={"mediator_ids": [recused[0]["mediator_id"]], "reason": "指定"},
        headers=service.supervisor,
    )
    assert again.status_code == 409
    after = await service.rows(
        "SELECT mediator_id FROM mediation.assignment WHERE mediation_id = :m AND released_at IS NULL ORDER BY id",
        m=case["id"],
    )
    assert after == before


async def test_supervisor_reassigns_to_a_named_mediator(service: MediationHarness, panel_case: dict[str, Any]) -> None:
    case = panel_case
    response = await service.http.post(
        f"/v1/mediations/{case['id']}/reassign",
        json={"mediator_ids": ["hr-guangming-01"], "reason": "本街道人员外出培训"},
        headers=service.supervisor,
    )
    assert response.status_code == 200, response.text
    detail = response.json()
    assert [m["id"] for m in detail["mediators"]] == ["hr-guangming-01"]
    assert detail["panel"] is False
    newcomer = service.mediator_headers("hr-guangming-01", "human-resources")
    assert (await service.http.get(f"/v1/mediations/{case['id']}", headers=newcomer)).status_code == 200
    former = service.mediator_headers("hr-gongming-01", "human-resources")
    assert (await service.http.get(f"/v1/mediations/{case['id']}", headers=former)).status_code == 404
    notices = await service.events(
        department_topic("human-resources"),
        case["grievance_id"],
        until=lambda rs: any(r.event.data["notice"] == "reassigned" for r in rs),
    )
    assert "reassigned" in [n.event.data["notice"] for n in notices]
    audit = await service.rows(
        "SELECT actor, detail FROM mediation.audit_log WHERE action = 'reassign' AND mediation_id = :m", m=case["id"]
    )
    assert audit[-1]["actor"] == "supervisor-1"
    assert audit[-1]["detail"]["to"] == ["hr-guangming-01"]
