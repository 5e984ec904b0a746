"""A mediator sees and changes only its own cases: anyone else's answers 404 and nothing changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.events.topics import GRIEVANCE_REROUTE, GRIEVANCE_STATUS
from shared.events.vocabulary import Role
from tests.integration.mediation.harness import MediationHarness, handoff_event


async def _snapshot(service: MediationHarness, case_id: str) -> dict[str, Any]:
    return {
        "case": await service.rows("SELECT * FROM mediation.mediation WHERE id = :m", m=case_id),
        "consents": await service.scalar("SELECT count(*) FROM mediation.consent"),
        "sessions": await service.scalar("SELECT count(*) FROM mediation.mediation_session"),
        "assignments": await service.rows(
            "SELECT mediator_id, released_at FROM mediation.assignment WHERE mediation_id = :m ORDER BY id", m=case_id
        ),
        "documents": await service.scalar("SELECT count(*) FROM mediation.document"),
        "recusals": await service.scalar("SELECT count(*) FROM mediation.recusal"),
        "audit": await service.scalar("SELECT count(*) FROM mediation.audit_log"),
        "outbox": await service.scalar("SELECT count(*) FROM mediation.outbox"),
    }


@pytest.fixture(scope="module")
async def someone_elses_case(service: MediationHarness) -> dict[str, Any]:
    event = handoff_event(title="邻里噪音", content="隔壁深夜噪音扰民")
    await service.publish_handoff(event)
    case = await service.case_of(event.subject)
    # Wait until the opening's events are out, so the outbox count below is stable.
    await service.statuses(event.subject, until_status="mediation_opened", settle=0)
    return case


async def test_other_mediators_get_404_and_nothing_changes(
    service: MediationHarness, someone_elses_case: dict[str, Any]
) -> None:
    case = someone_elses_case
    assigned = {m["id"] for m in case["mediators"]}
    # A mediator of another street's committee, and one of the same office not on this case.
    outsiders = [service.mediator_headers("xinhu-01", "street-xinhu")]
    same_office = next(i for i in ("gongming-01", "gongming-03", "gongming-04") if i not in assigned)
    outsiders.append(service.mediator_headers(same_office, "street-gongming"))
    # The right account with a token for another office maps to no roster entry.
    lead = next(m for m in case["mediators"] if m["role"] == "lead")
    outsiders.append(service.token(subject=f"mediator.{lead['id']}", department="street-xinhu"))

    base = f"/v1/mediations/{case['id']}"
    when = (service.clock.now() + timedelta(days=1)).isoformat()
    attempts = [
        ("GET", "", None),
        ("POST", "/accept", None),
        ("POST", "/consents", {"party": "respondent", "consented": False}),
        ("POST", "/sessions", {"scheduled_for": when, "location": "调解室"}),
        ("POST", "/close", {"outcome": "failure", "reason": "无法调解"}),
        ("POST", "/close", {"outcome": "withdrawal", "reason": "撤回"}),
        ("POST", "/follow-up", {"performed": False}),
        ("POST", "/recusal", {"reason": "亲属关系"}),
    ]
    status_before = await service.offsets(GRIEVANCE_STATUS)
    reroute_before = await service.offsets(GRIEVANCE_REROUTE)
    before = await _snapshot(service, case["id"])
    for headers in outsiders:
        for method, path, body in attempts:
            response = await service.http.request(method, base + path, json=body, headers=headers)
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["type"].endswith("mediation-not-found")
        mine = await service.http.get("/v1/mediations/mine", headers=headers)
        assert case["id"] not in [c["id"] for c in mine.json()]
    documents = await service.rows("SELECT id FROM mediation.document LIMIT 1")
    if documents:
        doc = await service.http.get(f"/v1/staff/mediation-documents/{documents[0]['id']}", headers=outsiders[0])
        assert doc.status_code == 404

    assert await _snapshot(service, case["id"]) == before
    assert await service.offsets(GRIEVANCE_STATUS) == status_before
    assert await service.offsets(GRIEVANCE_REROUTE) == reroute_before


async def test_the_assigned_mediator_and_a_supervisor_see_the_case(
    service: MediationHarness, someone_elses_case: dict[str, Any]
) -> None:
    case = someone_elses_case
    lead = service.lead_headers(case)
    assert (await service.http.get(f"/v1/mediations/{case['id']}", headers=lead)).status_code == 200
    listed = await service.http.get("/v1/mediations", headers=service.supervisor)
    assert case["id"] in [c["id"] for c in listed.json()]


async def test_wrong_roles_and_missing_tokens_are_refused(
    service: MediationHarness, someone_elses_case: dict[str, Any]
) -> None:
    base = f"/v1/mediations/{someone_elses_case['id']}"
    assert (await service.http.get(base)).status_code == 401
    officer = service.token(subject="officer-1", role=Role.department_officer, department="housing")
    assert (await service.http.get(base, headers=officer)).status_code == 403
    # Supervisors read and reassign; the mediator's own work is not theirs to record.
    assert (await service.http.post(base + "/accept", headers=service.supervisor)).status_code == 403
    lead = service.lead_headers(someone_elses_case)
    reassign = await service.http.post(base + "/reassign", json={"reason": "调整工作量"}, headers=lead)
    assert reassign.status_code == 403


async def test_invalid_input_is_a_problem_and_changes_nothing(
    service: MediationHarness, someone_elses_case: dict[str, Any]
) -> None:
    case = someone_elses_case
    lead = service.lead_headers(case)
    before = await _snapshot(service, case["id"])
    base = f"/v1/mediations/{case['id']}"
    bad = await service.http.post(base + "/consents", json={"party": "neighbour", "consented": True}, headers=lead)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["field"] == "party"
    # Not yet accepted: consent is out of order.
    early = await service.http.post(base + "/consents", json={"party": "applicant", "consented": True}, headers=lead)
    assert early.status_code == 409
    assert early.json()["state"] == "opened"
    garbage = await service.http.get("/v1/mediations/not-a-uuid", headers=lead)
    assert garbage.status_code == 422
    assert await _snapshot(service, case["id"]) == before
