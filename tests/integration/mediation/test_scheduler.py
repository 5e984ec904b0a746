"""The scheduler with a clock the test moves: supervision (督办) once per overdue period, session
reminders once, the follow-up call once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.mediation.domain.vocabulary import MediationType
from tests.integration.mediation.harness import MediationHarness, handoff_event
from tests.support.namespace import Namespace


@pytest.fixture(scope="module")
async def service(namespace: Namespace) -> AsyncIterator[MediationHarness]:
    # Short limits so the clock need not move far; the judicial limit differs to show it is per type.
    async with MediationHarness(
        namespace, time_limit_people_days=5, time_limit_judicial_days=2, supervision_extension_days=3
    ) as harness:
        yield harness


async def _outbox_statuses(service: MediationHarness, grievance_id: str) -> list[str]:
    rows = await service.rows(
        "SELECT convert_from(value, 'UTF8')::jsonb ->> 'status' AS status FROM mediation.outbox "
        "WHERE key = :g AND event_type LIKE '%status.changed.v1' ORDER BY id",
        g=grievance_id,
    )
    return [row["status"] for row in rows]


async def _opened(service: MediationHarness, **handoff: Any) -> tuple[str, dict[str, Any]]:
    event = handoff_event(**handoff)
    await service.publish_handoff(event)
    return event.subject, await service.case_of(event.subject)


async def test_time_limit_is_per_mediation_type(service: MediationHarness) -> None:
    _, people = await _opened(service)
    _, judicial = await _opened(service, title="离婚财产", content="已向法院起诉，法院委派诉前调解")
    assert judicial["mediation_type"] == MediationType.judicial
    gap = timedelta(days=5) - timedelta(days=2)
    assert datetime.fromisoformat(people["due_at"]) - datetime.fromisoformat(judicial["due_at"]) == gap


async def test_overdue_cases_are_supervised_once_per_period(service: MediationHarness) -> None:
    grievance_id, case = await _opened(service, title="邻居占用公共楼道")
    await service.tick(timedelta(days=1))
    assert "supervised" not in await _outbox_statuses(service, grievance_id)

    await service.tick(timedelta(days=6))  # past the 5-day limit
    await service.tick()  # a second pass at the same moment does nothing more
    assert (await _outbox_statuses(service, grievance_id)).count("supervised") == 1
    row = (await service.rows("SELECT * FROM mediation.mediation WHERE id = :m", m=case["id"]))[0]
    assert row["supervision_level"] == 1
    assert row["due_at"] > service.clock.now()
    listed = await service.http.get("/v1/mediations", params={"overdue": "false"}, headers=service.supervisor)
    assert case["id"] in [c["id"] for c in listed.json()]

    await service.tick(timedelta(days=4))  # the supervision's 3 days passed too: supervised again
    assert (await _outbox_statuses(service, grievance_id)).count("supervised") == 2
    bureau = await service.rows(
        "SELECT count(*) AS n FROM mediation.outbox WHERE key = :g AND topic = 'dept.petitions-bureau.cases.v1'",
        g=grievance_id,
    )
    assert bureau[0]["n"] == 2


async def test_session_reminder_is_sent_once_ahead_of_the_session(service: MediationHarness) -> None:
    grievance_id, case = await _opened(service, title="楼上噪音", content="楼上邻居深夜噪音")
    lead = service.lead_headers(case)
    base = f"/v1/mediations/{case['id']}"
    assert (await service.http.post(base + "/accept", headers=lead)).status_code == 200
    for party in ("applicant", "respondent"):
        await service.http.post(base + "/consents", json={"party": party, "consented": True}, headers=lead)
    when = service.clock.now() + timedelta(days=3)
    body = {"scheduled_for": when.isoformat(), "location": "社区调解室"}
    assert (await service.http.post(base + "/sessions", json=body, headers=lead)).status_code == 201

    await service.tick(timedelta(days=1))  # two days before: too early
    assert (await _outbox_statuses(service, grievance_id)).count("mediation_scheduled") == 1
    await service.tick(timedelta(days=1, hours=1))  # 23 hours before
    await service.tick(timedelta(hours=1))
    statuses = await _outbox_statuses(service, grievance_id)
    assert statuses.count("mediation_scheduled") == 2  # the scheduling notice and one reminder
    session = (await service.rows("SELECT * FROM mediation.mediation_session WHERE mediation_id = :m", m=case["id"]))[0]
    assert session["reminded_at"] is not None

    # Rescheduling re-arms the reminder for the new time.
    later = {"scheduled_for": (service.clock.now() + timedelta(days=2)).isoformat(), "reason": "被申请人出差"}
    moved = await service.http.post(base + "/sessions/1/reschedule", json=later, headers=lead)
    assert moved.status_code == 200, moved.text
    assert moved.json()["sessions"][0]["reschedule_count"] == 1
    await service.tick(timedelta(days=1, hours=2))
    assert (await _outbox_statuses(service, grievance_id)).count("mediation_scheduled") == 4


async def test_follow_up_is_called_once_after_the_performance_deadline(service: MediationHarness) -> None:
    grievance_id, case = await _opened(service, title="物业费纠纷", content="物业公司多收物业费")
    lead = service.lead_headers(case)
    base = f"/v1/mediations/{case['id']}"
    await service.http.post(base + "/accept", headers=lead)
    for party in ("applicant", "respondent"):
        await service.http.post(base + "/consents", json={"party": party, "consented": True}, headers=lead)
    deadline = (service.clock.now() + timedelta(days=5)).date()
    agreement = {
        "outcome": "agreement",
        "terms": ["物业公司退还多收的物业费人民币600元。"],
        "performance_deadline": deadline.isoformat(),
    }
    agreed = await service.http.post(base + "/close", json=agreement, headers=lead)
    assert agreed.status_code == 200, agreed.text

    await service.tick(timedelta(days=4))
    assert case["id"] not in await _follow_up_notified(service)
    await service.tick(timedelta(days=6))  # deadline + grace passed
    await service.tick()
    assert case["id"] in await _follow_up_notified(service)
    statuses = await _outbox_statuses(service, grievance_id)
    assert statuses[-2:] == ["mediation_agreed", "in_progress"]
    # An agreed case waits for its follow-up, not for the mediation limit: never supervised.
    assert "supervised" not in statuses


async def _follow_up_notified(service: MediationHarness) -> set[str]:
    rows = await service.rows("SELECT id FROM mediation.mediation WHERE follow_up_notified_at IS NOT NULL")
    return {str(row["id"]) for row in rows}
