"""The session calendar read (GET /v1/mediations/sessions): a mediator's own 调解会 in a range of
local days, a supervisor's every one; another mediator sees none; bad ranges are 422."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.clock import CHINA_TZ
from tests.integration.mediation.harness import MediationHarness, handoff_event


async def _scheduled_case(service: MediationHarness) -> tuple[dict[str, Any], str]:
    event = handoff_event(title="楼道堆物纠纷", content="对门邻居长期在楼道堆放杂物，影响通行，协商无果。")
    await service.publish_handoff(event)
    case = await service.case_of(event.subject)
    lead = service.lead_headers(case)
    url = f"/v1/mediations/{case['id']}"
    for path, body in (
        ("/accept", None),
        ("/consents", {"party": "applicant", "consented": True}),
        ("/consents", {"party": "respondent", "consented": True}),
    ):
        assert (await service.http.post(url + path, json=body, headers=lead)).status_code == 200
    when = (service.clock.now() + timedelta(days=3)).astimezone(CHINA_TZ).replace(hour=10, minute=0, microsecond=0)
    scheduled = await service.http.post(
        url + "/sessions", json={"scheduled_for": when.isoformat(), "location": "上村社区调解室"}, headers=lead
    )
    assert scheduled.status_code == 201, scheduled.text
    return case, when.date().isoformat()


async def test_calendar_lists_own_sessions_in_the_range_only(service: MediationHarness) -> None:
    case, day = await _scheduled_case(service)
    lead = service.lead_headers(case)

    found = await service.http.get("/v1/mediations/sessions", params={"since": day, "until": day}, headers=lead)
    assert found.status_code == 200, found.text
    [entry] = [e for e in found.json() if e["mediation_id"] == case["id"]]
    assert entry["number"] == 1
    assert entry["state"] == "scheduled"
    assert entry["case_state"] == "scheduled"
    assert entry["location"] == "上村社区调解室"
    assert entry["tracking_no"] == case["tracking_no"]

    # The day before holds nothing of this case.
    earlier = (service.clock.now() - timedelta(days=30)).astimezone(CHINA_TZ).date().isoformat()
    before = await service.http.get(
        "/v1/mediations/sessions", params={"since": earlier, "until": earlier}, headers=lead
    )
    assert [e for e in before.json() if e["mediation_id"] == case["id"]] == []

    supervisor = await service.http.get(
        "/v1/mediations/sessions", params={"since": day, "until": day}, headers=service.supervisor
    )
    assert case["id"] in {e["mediation_id"] for e in supervisor.json()}

    outsider = service.mediator_headers("xinhu-01", "street-xinhu")
    theirs = await service.http.get("/v1/mediations/sessions", params={"since": day, "until": day}, headers=outsider)
    assert theirs.status_code == 200
    assert case["id"] not in {e["mediation_id"] for e in theirs.json()}


async def test_calendar_refuses_reversed_and_overlong_ranges(service: MediationHarness) -> None:
    headers = service.supervisor
    reversed_range = await service.http.get(
        "/v1/mediations/sessions", params={"since": "2026-05-31", "until": "2026-05-01"}, headers=headers
    )
    assert reversed_range.status_code == 422
    too_long = await service.http.get(
        "/v1/mediations/sessions", params={"since": "2026-01-01", "until": "2026-12-31"}, headers=headers
    )
    assert too_long.status_code == 422
    far_off = await service.http.get(
        "/v1/mediations/sessions", params={"since": "9999-12-31", "until": "9999-12-31"}, headers=headers
    )
    assert far_off.status_code == 422
    missing = await service.http.get("/v1/mediations/sessions", params={"since": "2026-01-01"}, headers=headers)
    assert missing.status_code == 422
