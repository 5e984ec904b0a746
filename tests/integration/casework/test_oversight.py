"""Recommendations (§40), assistance referral (§37) and key-case evaluation (评查) through the API,
on the real broker and database: role and department refusals change nothing, an overdue answer
is supervised once with a moved clock, departments read theirs on their own topic."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from services.casework.handlers.recommendation import supervise_overdue
from services.casework.handlers.supervision import supervise_once
from shared.events.topics import department_topic
from tests.integration.casework.conftest import START, Casework, hand_off, handoff
from tests.support.kafka import read_events

REPLY = {"decision": "support", "request_summary": "请求疏通", "facts_and_reasons": "已疏通", "basis": "相关规定"}


async def counts(casework: Casework) -> dict[str, Any]:
    conn = await asyncpg.connect(casework.namespace.asyncpg_dsn)
    try:
        return {
            table: await conn.fetchval(f"SELECT count(*) FROM casework.{table}")  # noqa: S608 - fixed names
            for table in ("recommendation", "assistance_referral", "evaluation", "evaluation_item", "outbox")
        } | {"answers": await conn.fetchval("SELECT count(*) FROM casework.recommendation WHERE answer IS NOT NULL")}
    finally:
        await conn.close()


def recommendation_body(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": "improve_work",
        "department": "water",
        "title": "汛期排水设施巡查",
        "reasons": "多宗诉求反映雨后积水，排水沟长期堵塞。",
        "due_on": "2026-03-20",
    } | overrides


async def test_recommendation_issued_answered_and_refusals_change_nothing(casework: Casework) -> None:
    casework.clock.set(START)
    http = casework.http
    created = await http.post("/v1/recommendations", headers=casework.supervisor, json=recommendation_body())
    assert created.status_code == 201, created.text
    rec = created.json()
    assert rec["state"] == "issued" and rec["department"]["name"] == "光明区水务局"
    assert rec["legal_basis"] == "《信访工作条例》第四十条"

    before = await counts(casework)
    # Officers may not issue; bad input is a problem document; neither changes anything.
    refused = await http.post("/v1/recommendations", headers=casework.officer("water"), json=recommendation_body())
    assert refused.status_code == 403
    for bad in (
        recommendation_body(department="no-such-office"),
        recommendation_body(due_on="2026-03-02"),
        recommendation_body(kind="praise"),
        recommendation_body(title="bad\x00title"),
        recommendation_body(grievance_ids=["no-such-case"]),
    ):
        response = await http.post("/v1/recommendations", headers=casework.supervisor, json=bad)
        assert response.status_code == 422, (bad, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    # Another department neither sees nor answers it.
    housing = casework.officer("housing")
    path = f"/v1/recommendations/{rec['id']}"
    assert (await http.get(path, headers=housing)).status_code == 404
    answer = {"adoption": "adopted", "answer": "已全面排查并疏通排水沟"}
    not_ours = await http.post(f"{path}/answer", headers=housing, json=answer)
    assert not_ours.status_code == 404 and not_ours.headers["content-type"] == "application/problem+json"
    assert rec["id"] not in [r["id"] for r in (await http.get("/v1/recommendations", headers=housing)).json()["items"]]
    assert (await http.post(f"{path}/answer", headers=casework.supervisor, json=answer)).status_code == 403
    assert (
        await http.post(
            f"{path}/answer", headers=casework.officer("water"), json={"adoption": "not_adopted", "answer": " "}
        )
    ).status_code == 422
    assert await counts(casework) == before

    water = casework.officer("water")
    assert [r["id"] for r in (await http.get("/v1/recommendations", headers=water)).json()["items"]] == [rec["id"]]
    answered = await http.post(f"{path}/answer", headers=water, json=answer)
    assert answered.status_code == 200, answered.text
    assert answered.json()["adoption"] == "adopted" and answered.json()["answered_late"] is False
    again = await http.post(f"{path}/answer", headers=water, json=answer | {"adoption": "not_adopted"})
    assert again.status_code == 409 and (await http.get(path, headers=water)).json()["adoption"] == "adopted"

    events = await read_events(
        casework.namespace.bootstrap,
        casework.namespace.topic(department_topic("water")),
        until=lambda got: sum(e.event.subject == rec["id"] for e in got) >= 2,
        settle=1,
    )
    mine = [e.event for e in events if e.event.subject == rec["id"]]
    assert [e.data["action"] for e in mine] == ["issued", "answered"]
    assert mine[0].type.endswith("department.recommendation.changed.v1") and "第四十条" in mine[0].data["message_zh"]


async def test_overdue_recommendation_is_supervised_once_and_counted(casework: Casework) -> None:
    casework.clock.set(START)
    http = casework.http
    body = recommendation_body(department="transport", kind="improve_policy", due_on="2026-03-09")
    rec = (await http.post("/v1/recommendations", headers=casework.supervisor, json=body)).json()
    casework.clock.set(START + timedelta(days=7))  # the due day itself: still in time
    assert await supervise_overdue(uow_factory=casework.uow, ctx=casework.ctx) == 0
    casework.clock.set(START + timedelta(days=8))
    assert await supervise_overdue(uow_factory=casework.uow, ctx=casework.ctx) == 1
    assert await supervise_overdue(uow_factory=casework.uow, ctx=casework.ctx) == 0  # once only
    transport = casework.officer("transport")
    listed = (await http.get("/v1/recommendations", headers=transport, params={"overdue": "true"})).json()
    assert [(r["id"], r["supervised"]) for r in listed["items"]] == [(rec["id"], True)]

    events = await read_events(
        casework.namespace.bootstrap,
        casework.namespace.topic(department_topic("transport")),
        until=lambda got: sum(e.event.subject == rec["id"] for e in got) >= 2,
        settle=2,
    )
    actions = [e.event.data["action"] for e in events if e.event.subject == rec["id"]]
    assert actions == ["issued", "supervised"]

    late = await http.post(
        f"/v1/recommendations/{rec['id']}/answer",
        headers=transport,
        json={"adoption": "partly_adopted", "answer": "部分条款需市级部门修订"},
    )
    assert late.json()["answered_late"] is True
    stats = await http.get("/v1/statistics/recommendations", headers=casework.supervisor)
    row = next(r for r in stats.json()["rows"] if r["department"]["code"] == "transport")
    assert (row["kind"], row["issued"], row["answered"], row["answered_late"], row["partly_adopted"]) == (
        "improve_policy",
        1,
        1,
        1,
        1,
    )
    assert row["adoption_rate"] == 1.0
    assert (await http.get("/v1/statistics/recommendations", headers=transport)).status_code == 403


async def closed_case(casework: Casework, lead: str) -> str:
    """A petition taken through to a reply nobody challenged, closed by the scheduler."""
    casework.clock.set(START)
    filed = handoff(lead=lead)
    await hand_off(casework.namespace, filed)
    gid = filed.grievance_id
    await casework.wait_for_case(gid, lead)
    officer = casework.officer(lead)
    for step in ("sign-for", "accept", "start"):
        assert (await casework.http.post(f"/v1/cases/{gid}/{step}", headers=officer)).status_code == 200
    assert (await casework.http.post(f"/v1/cases/{gid}/reply", headers=officer, json=REPLY)).status_code == 200
    casework.clock.set(START + timedelta(days=45))
    await supervise_once(uow_factory=casework.uow, ctx=casework.ctx)
    assert (await casework.wait_for_case(gid, lead, state="closed"))["state"] == "closed"
    return gid


async def test_assistance_referral_on_the_timeline_and_in_statistics(casework: Casework) -> None:
    gid = await closed_case(casework, "civil-affairs")
    http = casework.http
    path = f"/v1/cases/{gid}/assistance"
    body = {"scheme": "temporary", "referred_to": "civil-affairs", "hardship": "家庭主要劳动力因病失业，生活困难"}
    before = await counts(casework)
    assert (await http.post(path, headers=casework.officer("housing"), json=body)).status_code == 404
    assert (await http.post(path, headers=casework.supervisor, json=body)).status_code == 403
    judicial_elsewhere = body | {"scheme": "judicial"}
    assert (
        await http.post(path, headers=casework.officer("civil-affairs"), json=judicial_elsewhere)
    ).status_code == 422
    assert await counts(casework) == before | {"outbox": (await counts(casework))["outbox"]}
    assert (await counts(casework))["assistance_referral"] == before["assistance_referral"]

    # Even after the case is closed, help with hardship is still given (§37).
    made = await http.post(path, headers=casework.officer("civil-affairs"), json=body)
    assert made.status_code == 201, made.text
    referral = made.json()
    assert referral["kind"] == "social" and referral["scheme_zh"] == "临时救助" and referral["outcome"] == "pending"
    outcome = await http.post(
        f"{path}/{referral['id']}/outcome", headers=casework.officer("civil-affairs"), json={"outcome": "granted"}
    )
    assert outcome.status_code == 200 and outcome.json()["outcome"] == "granted"
    twice = await http.post(
        f"{path}/{referral['id']}/outcome", headers=casework.officer("civil-affairs"), json={"outcome": "refused"}
    )
    assert twice.status_code == 409

    statuses = await casework.statuses(gid, until=lambda got: "assistance_concluded" in got)
    values = [s.status.value for s in statuses]
    assert values[-2:] == ["assistance_referred", "assistance_concluded"]
    assert "临时救助" in statuses[-2].message_zh and "第三十七条" in statuses[-2].message_zh
    assert "生活困难" not in statuses[-2].message_zh  # the hardship itself stays with the department
    stats = (await http.get("/v1/statistics/assistance", headers=casework.supervisor)).json()
    assert {"kind": "social", "scheme": "temporary", "outcome": "granted", "count": 1} in stats["rows"]


async def test_evaluation_samples_scores_and_sends_findings(casework: Casework) -> None:
    gid = await closed_case(casework, "environment")
    http = casework.http
    draw = {
        "rule": "random",
        "size": 5,
        "seed": 7,
        "department": "environment",
        "evaluator": "评查组",
        "lawyer_id": "lawyer-01",
    }
    assert (await http.post("/v1/evaluations", headers=casework.officer("environment"), json=draw)).status_code == 403
    created = await http.post("/v1/evaluations", headers=casework.supervisor, json=draw)
    assert created.status_code == 201, created.text
    evaluation = created.json()
    assert [i["grievance_id"] for i in evaluation["items"]] == [gid] and evaluation["lawyer_name"] == "梁志远"
    not_evaluator = await http.post(
        "/v1/evaluations", headers=casework.supervisor, json=draw | {"lawyer_id": "lawyer-04"}
    )
    assert not_evaluator.status_code == 422
    assert (
        await http.post("/v1/evaluations", headers=casework.supervisor, json=draw | {"rule": "urgent"})
    ).status_code == 422

    sheet = f"/v1/evaluations/{evaluation['id']}/cases/{gid}"
    scores = {"registration": 20, "classification": 18, "notices": 15, "opinion": 17, "satisfaction": 10}
    incomplete = await http.put(
        sheet, headers=casework.supervisor, json={"scores": {"registration": 20}, "findings": "缺项"}
    )
    assert incomplete.status_code == 422
    scored = await http.put(sheet, headers=casework.supervisor, json={"scores": scores, "findings": "回访记录缺失"})
    assert scored.status_code == 200 and scored.json()["total"] == 80 and scored.json()["grade"] == "good"
    sent = await http.post(f"/v1/evaluations/{evaluation['id']}/send", headers=casework.supervisor)
    assert sent.status_code == 200 and sent.json()["items"][0]["sent_at"] is not None
    assert (
        await http.put(sheet, headers=casework.supervisor, json={"scores": scores, "findings": "改正"})
    ).status_code == 409

    mine = (await http.get("/v1/evaluation-findings", headers=casework.officer("environment"))).json()["items"]
    assert [(i["grievance_id"], i["findings"]) for i in mine] == [(gid, "回访记录缺失")]
    others = (await http.get("/v1/evaluation-findings", headers=casework.officer("housing"))).json()["items"]
    assert gid not in [i["grievance_id"] for i in others]
    events = await read_events(
        casework.namespace.bootstrap,
        casework.namespace.topic(department_topic("environment")),
        until=lambda got: any(e.event.type.endswith("evaluation.findings.v1") for e in got),
        settle=1,
    )
    [finding] = [e.event for e in events if e.event.type.endswith("evaluation.findings.v1")]
    assert finding.subject == gid and finding.data["total"] == 80 and "grievance" not in finding.data
    stats = (await http.get("/v1/statistics/evaluations", headers=casework.supervisor)).json()
    [department] = [d for d in stats["departments"] if d["department"]["code"] == "environment"]
    assert department["average_total"] == 80.0 and department["average_by_item"]["notices"] == 15.0
    assert (await http.get("/v1/statistics/evaluations", headers=casework.officer("environment"))).status_code == 403
