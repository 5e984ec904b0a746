"""Routing a received grievance and re-routing a returned one, as the consumer drives them, over
in-memory repositories: the events published (in order, on their topics), the read model, the
review queue, repeats (重复件), group cases (集体访), pseudonym rotations and redelivery."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from services.router.classifier import Constraints
from shared.events.contracts import ComplainantPseudonymsRotated, GrievanceReceived
from shared.events.envelope import CloudEvent
from shared.events.topics import (
    GRIEVANCE_ALERT,
    GRIEVANCE_REVIEW,
    GRIEVANCE_ROUTED,
    GRIEVANCE_STATUS,
    GRIEVANCE_TRACK_MEDIATION,
    GRIEVANCE_TRACK_PETITION,
)
from shared.events.vocabulary import Track
from shared.kafka.consumer import PermanentError
from tests.unit.router.scenario import NOW, Router, classification, received, returned

NOISE = ("施工噪音", "华夏路工地夜间施工噪音扰民，凌晨还在打桩")
SAME_NOISE = ("华夏路工地半夜打桩施工噪音太大，无法睡觉", "华夏路工地夜间打桩施工噪音扰民严重")


def status_of(router: Router) -> Mapping[str, Any]:
    """The last citizen status published."""
    return router.events("status.changed.v1")[-1][1].data


async def test_a_confident_grievance_is_handed_to_its_track_and_the_citizen_told() -> None:
    router = Router.start()
    grievance = received()
    await router.deliver(grievance)
    assert router.kinds() == ["routed.v1", "track.handoff.v1", "status.changed.v1"]
    assert [topic for topic, _ in router.uow.events] == [GRIEVANCE_ROUTED, GRIEVANCE_TRACK_PETITION, GRIEVANCE_STATUS]
    # the grievance id keys every event, so its events stay in order on every topic
    assert {event.subject for _, event in router.uow.events} == {grievance.grievance_id}
    status = status_of(router)
    assert status["status"] == "classified"
    assert router.ctx.names["housing"] in str(status["message_zh"])
    assert status["actor"] == "光明区信访局"
    row = router.uow.grievances.rows[grievance.grievance_id]
    assert (row.state, row.revision, row.decision.decided_by) == ("routed", 1, "classifier")
    assert [d.decided_by for d in router.uow.decisions.of(grievance.grievance_id)] == ["classifier"]
    # serialised with other grievances of the same complainant and of the same street
    assert f"router:grievance:{grievance.grievance_id}" in router.uow.locks.taken
    assert f"router:street:{grievance.street}" in router.uow.locks.taken


async def test_a_low_confidence_decision_waits_for_a_reviewer() -> None:
    router = Router.start(classification(confidence=0.3))
    grievance = received()
    await router.deliver(grievance)
    assert router.kinds() == ["routed.v1", "review.requested.v1", "status.changed.v1"]
    assert GRIEVANCE_REVIEW in [topic for topic, _ in router.uow.events]
    [item] = router.uow.reviews.pending_of(grievance.grievance_id)
    assert item.reason == "low_confidence" and item.proposed.needs_review
    status = status_of(router)
    assert status["status"] == "under_review"
    assert status["due_at"] is not None  # §22: assigned within 15 days of receipt
    assert router.uow.grievances.rows[grievance.grievance_id].state == "under_review"


async def test_an_urgent_grievance_is_alerted_first_and_only_once() -> None:
    router = Router.start(classification(urgent_signals=("gas_fire",)))
    grievance = received("楼道里燃气味很重，怀疑燃气泄漏", title="燃气泄漏")
    await router.deliver(grievance)
    assert router.kinds()[:3] == ["alert.raised.v1", "status.changed.v1", "routed.v1"]
    assert router.uow.events[0][0] == GRIEVANCE_ALERT
    assert router.events("status.changed.v1")[0][1].data["status"] == "urgent_alert"
    assert router.uow.grievances.rows[grievance.grievance_id].alerted_at == NOW
    await router.deliver(returned(grievance, reason="other", excluded_departments=[]))
    assert router.kinds().count("alert.raised.v1") == 1


async def test_a_redelivered_event_or_grievance_is_routed_once() -> None:
    router = Router.start()
    grievance = received()
    event = await router.deliver(grievance)
    published = len(router.uow.events)
    await router.deliver(grievance, event=event)  # the same event: the inbox skips it
    await router.deliver(grievance)  # the same grievance in another event: it was routed before
    assert len(router.uow.events) == published
    assert len(router.uow.decisions.of(grievance.grievance_id)) == 1


async def test_a_payload_that_is_no_grievance_is_refused_before_anything_happens() -> None:
    router = Router.start()
    bad = CloudEvent(type=GrievanceReceived.event_type, source="/test", subject="g-1", data={"title": "缺少字段"})
    with pytest.raises(ValidationError):  # the consumer dead-letters it without retries
        await router.deliver(received(), event=bad)
    assert router.uow.events == [] and router.uow.grievances.rows == {}


async def test_the_same_matter_from_the_same_complainant_is_linked_as_a_repeat() -> None:
    router = Router.start()
    first = received(phone="p-1", at=NOW - timedelta(days=10))
    again = received("小区门口路灯坏了一个月了，晚上出行很不安全，请尽快修", phone="p-1")
    stranger = received(phone="p-2")
    for grievance in (first, again, stranger):
        await router.deliver(grievance)
    decision = router.uow.grievances.rows[again.grievance_id].decision
    assert decision.repeat_of == first.grievance_id
    assert decision.reasons[0].code == "repeat.same_complainant"
    assert first.tracking_no in str(router.events("status.changed.v1")[1][1].data["message_zh"])
    assert router.uow.grievances.rows[stranger.grievance_id].decision.repeat_of is None


async def test_the_same_matter_from_three_complainants_of_a_street_is_a_group_case() -> None:
    router = Router.start()
    title, text = NOISE
    texts = (text, *SAME_NOISE)
    grievances = [received(t, title=title, phone=f"p-{i}", at=NOW - timedelta(days=2 - i)) for i, t in enumerate(texts)]
    for grievance in grievances:
        await router.deliver(grievance)
    rows = router.uow.grievances.rows
    assert rows[grievances[1].grievance_id].decision.cluster_id is None  # two complainants: not yet
    third = rows[grievances[2].grievance_id].decision
    assert third.cluster_id is not None and third.reasons[0].kind == "cluster"
    assert {rows[g.grievance_id].cluster_id for g in grievances} == {third.cluster_id}
    # A fourth joins the same group case; the members already in it keep it.
    fourth = received("华夏路工地晚上打桩施工噪音太大，吵得睡不着", title=title, phone="p-9", at=NOW)
    await router.deliver(fourth)
    assert {rows[g.grievance_id].cluster_id for g in (*grievances, fourth)} == {third.cluster_id}


async def test_a_rotation_read_before_its_grievance_is_applied_when_it_arrives() -> None:
    router = Router.start()
    earlier = received(phone="new-p", at=NOW - timedelta(days=5))  # already stored under the new key
    await router.deliver(earlier)
    grievance = received("小区门口路灯坏了一个月了，晚上出行很不安全，请尽快修", phone="old-p")
    await router.deliver(rotation(grievance, old="old-p", new="new-p"))
    assert grievance.grievance_id in router.uow.rotations.pending
    await router.deliver(grievance)
    row = router.uow.grievances.rows[grievance.grievance_id]
    assert row.received.complainant.phone_pseudonym == "new-p"
    assert row.decision.repeat_of == earlier.grievance_id
    assert router.uow.rotations.pending == {}


async def test_a_rotation_of_a_routed_grievance_replaces_its_pseudonyms() -> None:
    router = Router.start()
    grievance = received(phone="old-p")
    await router.deliver(grievance)
    await router.deliver(rotation(grievance, old="old-p", new="new-p"))
    complainant = router.uow.grievances.rows[grievance.grievance_id].received.complainant
    assert complainant.phone_pseudonym == "new-p" and complainant.previous_phone_pseudonyms == []
    assert router.uow.rotations.pending == {}


def rotation(grievance: GrievanceReceived, *, old: str, new: str) -> ComplainantPseudonymsRotated:
    return ComplainantPseudonymsRotated(
        grievance_id=grievance.grievance_id,
        key_id="k2",
        phone_pseudonym=new,
        previous_key_id="k1",
        previous_phone_pseudonym=old,
        rotated_at=NOW,
    )


async def test_a_grievance_returned_by_a_department_goes_to_a_reviewer_without_that_department() -> None:
    router = Router.start()
    grievance = received()
    await router.deliver(grievance)
    router.classifier.default = classification(lead="urban-management", confidence=0.95)
    await router.deliver(returned(grievance))
    _, constraints = router.classifier.asked[-1]
    assert constraints == Constraints(excluded_departments=frozenset({"housing"}))
    row = router.uow.grievances.rows[grievance.grievance_id]
    assert (row.revision, row.state, row.excluded_departments) == (2, "under_review", ["housing"])
    assert row.decision.reasons[0].code == "reroute.returned_by_department"
    [item] = router.uow.reviews.pending_of(grievance.grievance_id)
    assert (item.reason, item.reason_detail) == ("returned_by_department", "不属于本单位职责")
    assert [d.decided_by for d in router.uow.decisions.of(grievance.grievance_id)] == ["classifier", "reroute"]


async def test_after_a_failed_mediation_the_grievance_goes_to_another_track() -> None:
    router = Router.start(classification(track=Track.mediation, kind=None))
    grievance = received("邻居家空调外机噪音大，协商不成")
    await router.deliver(grievance)
    assert GRIEVANCE_TRACK_MEDIATION in [topic for topic, _ in router.uow.events]
    router.classifier.default = classification()
    failed = returned(grievance, reason="mediation_failed", from_track=Track.mediation, excluded_departments=[])
    await router.deliver(failed)
    _, constraints = router.classifier.asked[-1]
    assert constraints.excluded_tracks == frozenset({Track.mediation}) and constraints.forced_track is None
    assert router.uow.events[-2][0] == GRIEVANCE_TRACK_PETITION
    assert str(status_of(router)["message_zh"]).startswith("调解未能达成协议")


async def test_a_reroute_supersedes_the_review_that_was_waiting() -> None:
    router = Router.start(classification(confidence=0.3))
    grievance = received()
    await router.deliver(grievance)
    router.classifier.default = classification()
    await router.deliver(returned(grievance, reason="reopened", excluded_departments=[]))
    assert router.uow.reviews.pending_of(grievance.grievance_id) == []
    assert [i.status for i in router.uow.reviews.items.values()] == ["superseded"]
    assert router.uow.grievances.rows[grievance.grievance_id].state == "routed"


async def test_a_reroute_of_an_unknown_grievance_can_never_succeed() -> None:
    router = Router.start()
    with pytest.raises(PermanentError):
        await router.deliver(returned(received()))
    assert router.uow.events == []
