"""A grievance.received event is routed once, even when delivered twice; urgent ones alert at once;
repeats by the same complainant link to the first grievance."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]

from shared.events.contracts import (
    GrievanceRouted,
    GrievanceStatusChanged,
    TrackHandoff,
    UrgentAlertRaised,
    track_topic,
)
from shared.events.topics import GRIEVANCE_ALERT, GRIEVANCE_REVIEW, GRIEVANCE_ROUTED, GRIEVANCE_STATUS
from shared.events.vocabulary import Track
from tests.integration.router.conftest import RunningRouter, received

CLEAR_PETITION = "我们小区门口那条路的路灯坏了半个多月，晚上黑乎乎的，老人小孩出门很不安全，麻烦市政派人来修一下"


async def test_received_twice_gives_one_routed_and_one_handoff(
    router: RunningRouter, database: asyncpg.Connection
) -> None:
    grievance = received(CLEAR_PETITION, title="路灯坏了没人修")
    await router.send(grievance, times=2)

    routed = await router.wait_for(GRIEVANCE_ROUTED, grievance.grievance_id, settle=3.0)
    assert len(routed) == 1
    event = GrievanceRouted.model_validate(routed[0].event.data)
    assert event.revision == 1
    assert event.decision.track is Track.petition
    assert event.decision.departments.lead == "urban-management"  # category_routes: 城市建设和市政管理
    assert "street-guangming" in event.decision.departments.co
    assert not event.decision.needs_review
    assert routed[0].record.key == grievance.grievance_id.encode()
    assert any(r.legal_basis for r in event.decision.reasons)

    handoffs = await router.wait_for(track_topic(Track.petition), grievance.grievance_id, settle=1.0)
    assert len(handoffs) == 1
    handoff = TrackHandoff.model_validate(handoffs[0].event.data)
    assert handoff.grievance.content == CLEAR_PETITION
    assert handoff.decision == event.decision

    statuses = await router.wait_for(GRIEVANCE_STATUS, grievance.grievance_id, settle=1.0)
    assert [GrievanceStatusChanged.model_validate(s.event.data).status.value for s in statuses] == ["classified"]
    message = GrievanceStatusChanged.model_validate(statuses[0].event.data).message_zh
    assert "已分派至光明区城市管理和综合执法局办理" in message

    assert await router.wait_for(GRIEVANCE_REVIEW, grievance.grievance_id, count=0, timeout=1.0) == []
    rows = await database.fetchval("SELECT count(*) FROM router.routing_decision WHERE grievance_id = $1",
                                   grievance.grievance_id)  # fmt: skip
    assert rows == 1


async def test_urgent_grievance_raises_an_alert_before_anything_else(router: RunningRouter) -> None:
    grievance = received(
        "公司拖欠我们三十多个工友半年工资，老板电话不接，再不解决明天我们就一起去区政府门口拉横幅", title="讨薪"
    )
    await router.send(grievance)
    alerts = await router.wait_for(GRIEVANCE_ALERT, grievance.grievance_id, settle=1.0)
    assert len(alerts) == 1
    alert = UrgentAlertRaised.model_validate(alerts[0].event.data)
    assert "gathering" in alert.signals
    statuses = await router.wait_for(GRIEVANCE_STATUS, grievance.grievance_id, count=2, settle=1.0)
    assert GrievanceStatusChanged.model_validate(statuses[0].event.data).status.value == "urgent_alert"


async def test_repeat_by_the_same_complainant_links_to_the_first(router: RunningRouter) -> None:
    person = "pseudonym-of-one-complainant"
    first = received("楼上邻居家卫生间漏水，漏到我家天花板，墙皮一块块往下掉，找他好几次都不理", phone_pseudonym=person)
    await router.send(first)
    await router.wait_for(GRIEVANCE_ROUTED, first.grievance_id)

    second = received("楼上卫生间一直漏水到我家天花板，墙皮都掉了，邻居还是不理，麻烦帮忙协调", phone_pseudonym=person)
    await router.send(second)
    [routed] = await router.wait_for(GRIEVANCE_ROUTED, second.grievance_id)
    decision = GrievanceRouted.model_validate(routed.event.data).decision
    assert decision.repeat_of == first.grievance_id
    assert any(r.kind == "repeat" for r in decision.reasons)

    third = received("小区门口的路灯坏了很久了", phone_pseudonym=person)
    await router.send(third)
    [other] = await router.wait_for(GRIEVANCE_ROUTED, third.grievance_id)
    assert GrievanceRouted.model_validate(other.event.data).decision.repeat_of is None
