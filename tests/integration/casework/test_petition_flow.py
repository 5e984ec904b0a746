"""From a grievance.track.petition event through sign-for, extension and reply to closed, on the
real broker and database: the citizen's status events arrive exactly once although the inputs
are delivered twice, and the department topic reads back with kcat."""

from __future__ import annotations

import io
import json
from datetime import timedelta

from pypdf import PdfReader

from shared.events.contracts import RatingSubmitted
from shared.events.department import DepartmentCaseChanged
from shared.events.topics import GRIEVANCE_FEEDBACK, department_topic
from shared.events.vocabulary import Rating
from tests.integration.casework.conftest import START, Casework, event_of, hand_off, handoff, kcat
from tests.support.kafka import publish

FLOW = ["assigned", "signed_for", "accepted", "in_progress", "extended", "replied", "closed"]


async def test_petition_from_hand_off_to_closed(casework: Casework) -> None:
    ns, http, clock = casework.namespace, casework.http, casework.clock
    clock.set(START)
    filed = handoff(co=("water",))
    await hand_off(ns, filed, times=2)
    gid = filed.grievance_id
    housing = casework.officer("housing")

    case = await casework.wait_for_case(gid, "housing")
    assert case["state"] == "assigned"
    assert case["next_due"]["step"] == "accept"
    assert case["next_due"]["due_on"] == "2026-03-17"
    assert case["return_window_ends_on"] == "2026-03-09"
    assert case["grievance"]["title"] == "小区门口积水严重"
    assert case["co"] == [{"code": "water", "name": "光明区水务局"}]

    # A retried sign-for with the same key is answered from the first attempt, not applied twice.
    first = await http.post(f"/v1/cases/{gid}/sign-for", headers=housing | {"Idempotency-Key": "sign-1"})
    again = await http.post(f"/v1/cases/{gid}/sign-for", headers=housing | {"Idempotency-Key": "sign-1"})
    assert first.status_code == 200, first.text
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert (await http.post(f"/v1/cases/{gid}/sign-for", headers=housing)).status_code == 409
    reused = await http.post(f"/v1/cases/{gid}/accept", headers=housing | {"Idempotency-Key": "sign-1"})
    assert reused.status_code == 422 and reused.json()["type"].endswith("idempotency-key-reused")

    clock.advance(timedelta(days=2))
    accepted = await http.post(f"/v1/cases/{gid}/accept", headers=housing)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["next_due"]["due_on"] == "2026-05-06"  # 4 Mar + 60 = 3 May (holiday) → 6 May
    assert [d["kind"] for d in accepted.json()["documents"]] == ["acceptance_notice"]

    assert (await http.post(f"/v1/cases/{gid}/start", headers=housing)).status_code == 200
    opinion = await http.post(
        f"/v1/cases/{gid}/co-opinion",
        headers=casework.officer("water"),
        json={"opinion": "排水管网已列入今年改造计划。"},
    )
    assert opinion.status_code == 200, opinion.text

    clock.advance(timedelta(days=20))
    extended = await http.post(
        f"/v1/cases/{gid}/extend", headers=housing, json={"days": 15, "reason": "需会同水务部门现场勘测"}
    )
    assert extended.status_code == 200, extended.text
    assert extended.json()["state"] == "extended"
    assert extended.json()["next_due"]["due_on"] == "2026-05-21"

    clock.advance(timedelta(days=10))
    replied = await http.post(
        f"/v1/cases/{gid}/reply",
        headers=housing,
        json={
            "decision": "support",
            "request_summary": "请求疏通将石社区二巷排水沟",
            "facts_and_reasons": "经现场核查，排水沟堵塞属实，已于3月30日疏通。",
            "basis": "《城镇排水与污水处理条例》第三十二条",
        },
    )
    assert replied.status_code == 200, replied.text
    assert replied.json()["state"] == "replied"

    rating = RatingSubmitted(
        grievance_id=gid, tracking_no=filed.tracking_no, rating=Rating.satisfied, submitted_at=clock.now()
    )
    await publish(ns.bootstrap, ns.topic(GRIEVANCE_FEEDBACK), event_of(rating, gid), times=2)
    await casework.wait_for_case(gid, "housing", state="closed")

    statuses = await casework.statuses(gid, until=lambda got: "closed" in got, settle=3.0)
    assert [s.status.value for s in statuses] == FLOW  # each exactly once, in order
    by_status = {s.status.value: s for s in statuses}
    assert by_status["assigned"].actor == "光明区信访局"
    assert (
        "光明区住房和建设局" in by_status["assigned"].message_zh
        and "光明区水务局协办" in by_status["assigned"].message_zh
    )
    assert by_status["signed_for"].actor == "光明区住房和建设局"
    assert by_status["extended"].due_at is not None and "需会同水务部门现场勘测" in by_status["extended"].message_zh
    assert [d.kind for d in by_status["accepted"].documents] == ["acceptance_notice"]
    assert [d.kind for d in by_status["extended"].documents] == ["extension_notice"]
    assert [d.kind for d in by_status["replied"].documents] == ["reply_opinion"]

    # The citizen downloads the 信访处理意见书 with the tracking token; a wrong token finds nothing.
    url = by_status["replied"].documents[0].url
    assert url.startswith("/v1/public/documents/")
    pdf = await http.get(url, headers={"X-Tracking-Token": filed.token})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    for element in (
        "信访处理意见书",
        "请求疏通将石社区二巷排水沟",
        "处理意见：支持",
        "光明区水务局：排水管网已列入今年改造计划",
        "30日内",
        "请求复查",
    ):
        assert element in text
    html = await http.get(url, params={"format": "html", "token": filed.token})
    assert html.status_code == 200 and "信访处理意见书" in html.text
    assert (await http.get(url, headers={"X-Tracking-Token": "wrong-token"})).status_code == 404

    # The department reads its own topic with a plain Kafka client.
    records = [r for r in kcat(ns.bootstrap, ns.topic(department_topic("housing"))) if r["key"] == gid]
    actions = [json.loads(r["payload"])["action"] for r in records]
    assert actions == [
        "assigned",
        "signed_for",
        "accepted",
        "in_progress",
        "co_opinion_submitted",
        "extended",
        "replied",
        "closed",
    ]
    headers = dict(zip(records[0]["headers"][::2], records[0]["headers"][1::2], strict=True))
    assert headers["ce_type"] == DepartmentCaseChanged.event_type
    assert headers["ce_subject"] == gid and headers["content-type"] == "application/json"
    first_event = DepartmentCaseChanged.model_validate_json(records[0]["payload"])
    assert first_event.role == "lead" and first_event.grievance is not None
    assert first_event.grievance.complainant_name_masked == "陈**"
    water = [
        json.loads(r["payload"]) for r in kcat(ns.bootstrap, ns.topic(department_topic("water"))) if r["key"] == gid
    ]
    assert water[0]["action"] == "assigned" and water[0]["role"] == "co"
