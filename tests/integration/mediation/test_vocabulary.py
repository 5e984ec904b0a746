"""The mediation API names what it answers: ``state_zh``, ``type_zh`` and ``dispute_kind_zh`` on
every case read, ``state_zh`` on sessions, and GET /v1/mediations/vocabulary for the rest (a
path the case read's /mediations/{case_id} must not take)."""

from __future__ import annotations

from datetime import timedelta

from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role
from tests.integration.mediation.harness import MediationHarness, handoff_event


async def test_reads_carry_the_chinese_names(service: MediationHarness) -> None:
    event = handoff_event(title="楼上漏水纠纷", content="楼上卫生间漏水到我家天花板，协商多次对方不理。")
    await service.publish_handoff(event)
    case = await service.case_of(event.subject)
    assert (case["state"], case["state_zh"]) == ("opened", "待受理")
    assert case["type_zh"] in {"人民调解", "行政调解", "司法调解"}
    assert case["dispute_kind_zh"]

    lead = service.lead_headers(case)
    url = f"/v1/mediations/{case['id']}"
    for path, body in (
        ("/accept", None),
        ("/consents", {"party": "applicant", "consented": True}),
        ("/consents", {"party": "respondent", "consented": True}),
    ):
        assert (await service.http.post(url + path, json=body, headers=lead)).status_code == 200
    when = (service.clock.now() + timedelta(days=2)).astimezone(CHINA_TZ).replace(hour=15, minute=0, microsecond=0)
    scheduled = await service.http.post(
        url + "/sessions", json={"scheduled_for": when.isoformat(), "location": "调解室"}, headers=lead
    )
    assert scheduled.status_code == 201, scheduled.text

    detail = (await service.http.get(url, headers=lead)).json()
    assert detail["state_zh"] == "已安排调解会"
    assert [s["state_zh"] for s in detail["sessions"]] == ["待召开"]
    mine = (await service.http.get("/v1/mediations/mine", headers=lead)).json()
    assert {c["id"]: c["state_zh"] for c in mine}[case["id"]] == "已安排调解会"
    day = when.date().isoformat()
    calendar = await service.http.get("/v1/mediations/sessions", params={"since": day, "until": day}, headers=lead)
    assert [e["state_zh"] for e in calendar.json() if e["mediation_id"] == case["id"]] == ["待召开"]


async def test_the_vocabulary_is_a_read_of_its_own(service: MediationHarness) -> None:
    registrar = service.token(subject="registrar-1", role=Role.registrar)
    answer = await service.http.get("/v1/mediations/vocabulary", headers=registrar)
    assert answer.status_code == 200, answer.text
    tables = answer.json()
    assert [t["value"] for t in tables["parties"]] == ["applicant", "respondent"]
    assert {t["value"]: t["name_zh"] for t in tables["states"]}["refused"] == "当事人不同意调解，已转出"
    assert {t["value"] for t in tables["mediation_types"]} == {"people", "administrative", "judicial"}
    assert {t["value"] for t in tables["session_states"]} == {"scheduled", "held", "cancelled"}
    assert "other" in {t["value"] for t in tables["dispute_kinds"]}
    assert (await service.http.get("/v1/mediations/vocabulary")).status_code == 401
