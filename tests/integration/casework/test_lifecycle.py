"""Return and re-route, repeats, review, supervision with statistics, and the litigation track."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from alembic import command

from services.casework.handlers.supervision import supervise_once
from services.migrate import alembic_config
from shared.events.contracts import CitizenReviewRequested, RatingSubmitted, RerouteRequested
from shared.events.topics import GRIEVANCE_FEEDBACK, GRIEVANCE_REROUTE, department_topic
from shared.events.vocabulary import Rating, Track
from tests.integration.casework.conftest import START, Casework, event_of, hand_off, handoff
from tests.support.kafka import end_offsets, publish, read_events

REPLY = {
    "decision": "explain",
    "request_summary": "请求补发补贴",
    "facts_and_reasons": "经核查，不符合补贴条件。",
    "basis": "《深圳市住房补贴办法》第五条",
}


async def test_returned_case_goes_back_to_the_router_and_a_reroute_supersedes_it(casework: Casework) -> None:
    ns, http = casework.namespace, casework.http
    casework.clock.set(START)
    first = handoff(lead="housing", co=("water",))
    await hand_off(ns, first)
    gid = first.grievance_id
    await casework.wait_for_case(gid, "housing")
    reroutes_before = await end_offsets(ns.bootstrap, ns.topic(GRIEVANCE_REROUTE))

    casework.clock.advance(timedelta(days=7))  # Mon 9 March: the 5th working day, still in time
    returned = await http.post(
        f"/v1/cases/{gid}/return", headers=casework.officer("housing"), json={"reason": "排水设施属于水务部门管养"}
    )
    assert returned.status_code == 200, returned.text
    assert returned.json()["state"] == "returned"
    events = await read_events(
        ns.bootstrap,
        ns.topic(GRIEVANCE_REROUTE),
        since=reroutes_before,
        until=lambda got: any(e.event.subject == gid for e in got),
    )
    [reroute] = [RerouteRequested.model_validate(e.event.data) for e in events if e.event.subject == gid]
    assert reroute.reason == "returned_by_department" and reroute.excluded_departments == ["housing"]
    assert reroute.detail == "排水设施属于水务部门管养" and reroute.from_track is Track.petition

    # The router re-assigns (revision 2) to the water bureau.
    second = handoff(lead="water", revision=2, grievance_id=gid, tracking_no=first.tracking_no, token=first.token)
    await hand_off(ns, second)
    body = await casework.wait_for_case(gid, "water", revision=2)
    assert body["state"] == "assigned" and body["lead"]["code"] == "water"
    assert (await http.get(f"/v1/cases/{gid}", headers=casework.officer("housing"))).status_code == 404

    # A late copy of the first decision (another event id) must not undo the re-route.
    stale = handoff(
        lead="housing", co=("water",), revision=1, grievance_id=gid, tracking_no=first.tracking_no, token=first.token
    )
    await hand_off(ns, stale, times=1)
    statuses = await casework.statuses(gid, until=lambda got: got.count("assigned") >= 2, settle=3.0)
    assert [s.status.value for s in statuses] == ["assigned", "returned", "assigned"]
    assert "光明区水务局" in statuses[-1].message_zh
    assert (await casework.wait_for_case(gid, "water"))["revision"] == 2

    housing_events = await read_events(
        ns.bootstrap,
        ns.topic(department_topic("housing")),
        until=lambda got: sum(e.event.subject == gid for e in got) >= 3,
        settle=1,
    )
    # housing hears of the case, confirms its return, and is told the case went elsewhere
    actions = [e.event.data["action"] for e in housing_events if e.event.subject == gid]
    assert actions == ["assigned", "returned", "withdrawn"]


async def test_return_after_five_working_days_is_refused(casework: Casework) -> None:
    casework.clock.set(START)
    filed = handoff()
    await hand_off(casework.namespace, filed)
    await casework.wait_for_case(filed.grievance_id, "housing")
    casework.clock.advance(timedelta(days=8))  # Tue 10 March: the 6th working day
    late = await casework.http.post(
        f"/v1/cases/{filed.grievance_id}/return",
        headers=casework.officer("housing"),
        json={"reason": "不属于本单位职责"},
    )
    assert late.status_code == 409 and late.json()["type"].endswith("window-closed")
    assert (await casework.wait_for_case(filed.grievance_id, "housing"))["state"] == "assigned"


async def test_a_repeat_of_an_open_case_is_linked_not_handled_twice(casework: Casework) -> None:
    ns = casework.namespace
    casework.clock.set(START)
    original = handoff()
    await hand_off(ns, original)
    await casework.wait_for_case(original.grievance_id, "housing")
    repeat = handoff(repeat_of=original.grievance_id)
    await hand_off(ns, repeat)
    [status] = await casework.statuses(repeat.grievance_id, until=lambda got: bool(got))
    assert status.status.value == "not_accepted"
    assert status.detail["repeat_of"] == original.grievance_id and status.detail["outcome"] == "linked"
    assert original.tracking_no in status.message_zh and "第十九条" in status.message_zh
    assert (
        await casework.http.get(f"/v1/cases/{repeat.grievance_id}", headers=casework.officer("housing"))
    ).status_code == 404
    events = await read_events(
        ns.bootstrap,
        ns.topic(department_topic("housing")),
        until=lambda got: any(
            e.event.data.get("action") == "repeat_linked" and e.event.subject == original.grievance_id for e in got
        ),
    )
    linked = [e.event.data for e in events if e.event.data.get("action") == "repeat_linked"]
    assert linked[-1]["detail"]["repeat_tracking_no"] == repeat.tracking_no


async def test_review_then_re_review_closes_the_matter_for_good(casework: Casework) -> None:
    ns, http = casework.namespace, casework.http
    casework.clock.set(START)
    filed = handoff()
    await hand_off(ns, filed)
    gid = filed.grievance_id
    housing = casework.officer("housing")
    await casework.wait_for_case(gid, "housing")
    for step in ("sign-for", "accept", "start"):
        assert (await http.post(f"/v1/cases/{gid}/{step}", headers=housing)).status_code == 200
    assert (await http.post(f"/v1/cases/{gid}/reply", headers=housing, json=REPLY)).status_code == 200

    casework.clock.advance(timedelta(days=10))
    ask = CitizenReviewRequested(
        grievance_id=gid,
        tracking_no=filed.tracking_no,
        level="review",
        reason="对解释说明不服",
        requested_at=casework.clock.now(),
    )
    await publish(ns.bootstrap, ns.topic(GRIEVANCE_FEEDBACK), event_of(ask, gid), times=2)
    await casework.wait_for_case(gid, "housing", state="review_requested")
    decided = await http.post(
        f"/v1/cases/{gid}/review-decision",
        headers=casework.supervisor,
        json={"outcome": "upheld", "opinion": "原处理意见认定事实清楚，适用依据正确。"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "review_decided"

    casework.clock.advance(timedelta(days=5))
    again = CitizenReviewRequested(
        grievance_id=gid,
        tracking_no=filed.tracking_no,
        level="re_review",
        reason="仍不服",
        requested_at=casework.clock.now(),
    )
    await publish(ns.bootstrap, ns.topic(GRIEVANCE_FEEDBACK), event_of(again, gid))
    await casework.wait_for_case(gid, "housing", state="review_requested")
    final = await http.post(
        f"/v1/cases/{gid}/review-decision",
        headers=casework.supervisor,
        json={"outcome": "upheld", "opinion": "维持复查意见。"},
    )
    assert final.json()["state"] == "closed" and final.json()["final"] is True

    # 复核 is the end of the road (§36): a further request is refused, and so is a repeat filing.
    once_more = CitizenReviewRequested(
        grievance_id=gid,
        tracking_no=filed.tracking_no,
        level="re_review",
        reason="再次申请",
        requested_at=casework.clock.now(),
    )
    await publish(ns.bootstrap, ns.topic(GRIEVANCE_FEEDBACK), event_of(once_more, gid))
    repeat = handoff(repeat_of=gid)
    await hand_off(ns, repeat)
    [refused_repeat] = await casework.statuses(repeat.grievance_id, until=lambda got: bool(got))
    assert refused_repeat.status.value == "not_accepted" and "第三十六条" in refused_repeat.message_zh
    statuses = await casework.statuses(gid, until=lambda got: got.count("closed") >= 2)
    assert [s.status.value for s in statuses] == [
        "assigned",
        "signed_for",
        "accepted",
        "in_progress",
        "replied",
        "review_requested",
        "review_decided",
        "review_requested",
        "review_decided",
        "closed",
        "closed",
    ]
    assert statuses[-1].detail["refused"] == "re_review" and "第三十六条" in statuses[-1].message_zh


async def test_overdue_case_is_supervised_once_and_counted_late(casework: Casework) -> None:
    casework.clock.set(START)
    filed = handoff(lead="civil-affairs")
    await hand_off(casework.namespace, filed)
    gid = filed.grievance_id
    await casework.wait_for_case(gid, "civil-affairs")
    casework.clock.set(START + timedelta(days=16))  # the acceptance notice was due 17 March
    await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)
    await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)  # a second round adds nothing
    statuses = await casework.statuses(gid, until=lambda got: "supervised" in got, settle=2.0)
    assert [s.status.value for s in statuses] == ["assigned", "supervised"]
    assert "光明区民政局" in statuses[-1].message_zh and statuses[-1].detail["step"] == "accept"
    listed = await casework.http.get("/v1/cases", headers=casework.officer("civil-affairs"), params={"overdue": "true"})
    assert [item["grievance_id"] for item in listed.json()["items"]] == [gid]

    officer = casework.officer("civil-affairs")
    await casework.http.post(f"/v1/cases/{gid}/sign-for", headers=officer)
    await casework.http.post(f"/v1/cases/{gid}/accept", headers=officer)
    stats = await casework.http.get(
        "/v1/statistics/on-time", headers=casework.supervisor, params={"department": "civil-affairs"}
    )
    assert stats.status_code == 200, stats.text
    [department] = stats.json()["departments"]
    accept = next(s for s in department["steps"] if s["step"] == "accept")
    assert (accept["completed"], accept["on_time"], accept["late"], accept["on_time_rate"]) == (1, 0, 1, 0.0)
    reply = next(s for s in department["steps"] if s["step"] == "reply")
    assert (reply["open"], reply["overdue"]) == (1, 0)
    forbidden = await casework.http.get("/v1/statistics/on-time", headers=casework.officer("civil-affairs"))
    assert forbidden.status_code == 403


async def test_litigation_case_is_transferred_tracked_and_concluded(casework: Casework) -> None:
    ns, http = casework.namespace, casework.http
    casework.clock.set(START)
    filed = handoff(lead="labour-arbitration", track=Track.litigation)
    await hand_off(ns, filed)
    gid = filed.grievance_id
    body = await casework.wait_for_case(gid, "labour-arbitration")
    assert body["state"] == "transferred_legal" and body["legal"]["route"] == "labour_arbitration"
    arbitration = casework.officer("labour-arbitration")
    received = await http.post(
        f"/v1/cases/{gid}/legal-receipt", headers=arbitration, json={"reference_no": "深光劳人仲案〔2026〕88号"}
    )
    assert received.status_code == 200 and received.json()["state"] == "legal_received"
    concluded = await http.post(
        f"/v1/cases/{gid}/legal-conclusion", headers=arbitration, json={"outcome": "仲裁裁决已送达双方"}
    )
    assert concluded.json()["state"] == "closed"
    statuses = await casework.statuses(gid, until=lambda got: "closed" in got)
    assert [s.status.value for s in statuses] == ["transferred_legal", "in_progress", "closed"]
    transfer = statuses[0]
    assert transfer.stage == "litigation" and "劳动人事争议仲裁" in transfer.message_zh
    assert [d.kind for d in transfer.documents] == ["legal_transfer_notice"]
    notice = await http.get(transfer.documents[0].url, params={"format": "html", "token": filed.token})
    assert notice.status_code == 200 and "涉法涉诉事项告知书" in notice.text


async def test_dissatisfied_rating_reopens_the_case(casework: Casework) -> None:
    ns, http = casework.namespace, casework.http
    casework.clock.set(START)
    filed = handoff(lead="education")
    await hand_off(ns, filed)
    gid = filed.grievance_id
    officer = casework.officer("education")
    await casework.wait_for_case(gid, "education")
    for step in ("sign-for", "accept", "start"):
        assert (await http.post(f"/v1/cases/{gid}/{step}", headers=officer)).status_code == 200
    assert (await http.post(f"/v1/cases/{gid}/reply", headers=officer, json=REPLY)).status_code == 200
    rating = RatingSubmitted(
        grievance_id=gid,
        tracking_no=filed.tracking_no,
        rating=Rating.dissatisfied,
        reopen_requested=True,
        comment="问题没有解决",
        submitted_at=casework.clock.now(),
    )
    await publish(ns.bootstrap, ns.topic(GRIEVANCE_FEEDBACK), event_of(rating, gid), times=2)
    reopened = await casework.wait_for_case(gid, "education", state="reopened")
    assert reopened["next_due"]["step"] == "reply" and reopened["next_due"]["due_on"] == "2026-04-01"
    statuses = await casework.statuses(gid, until=lambda got: "reopened" in got)
    assert [s.status.value for s in statuses][-2:] == ["replied", "reopened"]


async def test_migrations_match_the_tables(casework: Casework) -> None:
    config = alembic_config("casework", casework.settings)
    await asyncio.to_thread(command.check, config)  # raises if a revision is missing


async def test_scheduler_warns_the_department_and_closes_an_unchallenged_reply(casework: Casework) -> None:
    ns, http = casework.namespace, casework.http
    casework.clock.set(START)
    filed = handoff(lead="transport")
    await hand_off(ns, filed)
    gid = filed.grievance_id
    officer = casework.officer("transport")
    await casework.wait_for_case(gid, "transport")
    casework.clock.set(START + timedelta(days=10))  # Thu 12 March: 3 working days before 17 March
    warned = await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)
    assert warned.warned >= 1
    for step in ("sign-for", "accept", "start"):
        assert (await http.post(f"/v1/cases/{gid}/{step}", headers=officer)).status_code == 200
    assert (await http.post(f"/v1/cases/{gid}/reply", headers=officer, json=REPLY)).status_code == 200
    # Replied Thu 12 March: the 30 days end Sat 11 April, so run to Mon 13 April; on Tue 14 April
    # nobody has asked for review or rated.
    casework.clock.set(START + timedelta(days=42))
    assert (await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)).closed == 0
    casework.clock.set(START + timedelta(days=43))
    await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)
    statuses = await casework.statuses(gid, until=lambda got: "closed" in got)
    # the warning went to the department only; the citizen saw the handling and the closing
    assert [s.status.value for s in statuses] == [
        "assigned",
        "signed_for",
        "accepted",
        "in_progress",
        "replied",
        "closed",
    ]
    assert statuses[-1].detail["closed_because"] == "remedy_window_passed"
    events = await read_events(
        ns.bootstrap,
        ns.topic(department_topic("transport")),
        until=lambda got: any(e.event.subject == gid and e.event.data["action"] == "closed" for e in got),
    )
    actions = [e.event.data["action"] for e in events if e.event.subject == gid]
    assert actions == ["assigned", "due_soon", "signed_for", "accepted", "in_progress", "replied", "closed"]
