"""Idempotency-Key on the hearing, recommendation, assistance and evaluation POSTs, and refused
reads of another department's recommendation audited like a refused case — real broker and DB."""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]

from tests.integration.casework.conftest import START, Casework, hand_off, handoff
from tests.integration.casework.test_hearings import HEARING, PARTICIPANTS, local
from tests.integration.casework.test_oversight import closed_case, recommendation_body


async def scalar(casework: Casework, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(casework.namespace.asyncpg_dsn)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return headers | {"Idempotency-Key": key}


async def test_recommendation_retry_replays_and_a_reused_key_changes_nothing(casework: Casework) -> None:
    casework.clock.set(START)
    http, supervisor = casework.http, casework.supervisor
    first = await http.post("/v1/recommendations", headers=keyed(supervisor, "rec-1"), json=recommendation_body())
    again = await http.post("/v1/recommendations", headers=keyed(supervisor, "rec-1"), json=recommendation_body())
    assert first.status_code == again.status_code == 201, again.text
    assert again.json()["id"] == first.json()["id"] and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert await scalar(casework, "SELECT count(*) FROM casework.recommendation") == 1
    reused = await http.post(
        "/v1/recommendations", headers=keyed(supervisor, "rec-1"), json=recommendation_body(title="另一项建议")
    )
    assert reused.status_code == 422 and reused.json()["type"].endswith("idempotency-key-reused")
    assert await scalar(casework, "SELECT count(*) FROM casework.recommendation") == 1

    rec = first.json()["id"]
    water = casework.officer("water")
    answer = {"adoption": "adopted", "answer": "已全面排查"}
    path = f"/v1/recommendations/{rec}/answer"
    answered = await http.post(path, headers=keyed(water, "ans-1"), json=answer)
    replayed = await http.post(path, headers=keyed(water, "ans-1"), json=answer)
    assert answered.status_code == replayed.status_code == 200
    assert replayed.headers["Idempotent-Replayed"] == "true" and replayed.json() == answered.json()
    # Without the key the second answer is refused as the rules say (already answered).
    assert (await http.post(path, headers=water, json=answer)).status_code == 409


async def test_refused_reads_of_another_departments_recommendation_are_audited(casework: Casework) -> None:
    casework.clock.set(START)
    http = casework.http
    rec = (await http.post("/v1/recommendations", headers=casework.supervisor, json=recommendation_body())).json()
    housing = casework.officer("housing")
    assert (await http.get(f"/v1/recommendations/{rec['id']}", headers=housing)).status_code == 404
    answer = {"adoption": "adopted", "answer": "已排查"}
    assert (await http.post(f"/v1/recommendations/{rec['id']}/answer", headers=housing, json=answer)).status_code == 404
    actions = await scalar(
        casework,
        "SELECT array_agg(action ORDER BY id) FROM casework.audit_log"
        " WHERE detail->>'recommendation_id' = $1 AND detail->>'outcome' = 'refused' AND department = 'housing'",
        rec["id"],
    )
    assert actions == ["read_recommendation", "AnswerRecommendation"]
    # An id that does not exist is not a refusal: nothing to audit, the same 404.
    assert (await http.get("/v1/recommendations/no-such-id", headers=housing)).status_code == 404
    refused = "SELECT count(*) FROM casework.audit_log WHERE detail->>'outcome' = 'refused'"
    assert await scalar(casework, refused) == 2
    assert await scalar(casework, "SELECT answer FROM casework.recommendation WHERE id = $1", rec["id"]) is None


async def test_hearing_assistance_and_evaluation_retries_act_once(casework: Casework) -> None:
    gid = await closed_case(casework, "civil-affairs")
    http = casework.http
    officer = casework.officer("civil-affairs")
    body = {"scheme": "temporary", "referred_to": "civil-affairs", "hardship": "生活困难"}
    path = f"/v1/cases/{gid}/assistance"
    made = await http.post(path, headers=keyed(officer, "aid-1"), json=body)
    again = await http.post(path, headers=keyed(officer, "aid-1"), json=body)
    assert made.status_code == again.status_code == 201 and again.json()["id"] == made.json()["id"]
    assert await scalar(casework, "SELECT count(*) FROM casework.assistance_referral") == 1

    draw = {"rule": "random", "size": 5, "seed": 7, "department": "civil-affairs", "evaluator": "评查组"}
    supervisor = keyed(casework.supervisor, "eval-1")
    drawn = await http.post("/v1/evaluations", headers=supervisor, json=draw)
    redrawn = await http.post("/v1/evaluations", headers=supervisor, json=draw)
    assert drawn.status_code == redrawn.status_code == 201, drawn.text
    assert redrawn.json()["id"] == drawn.json()["id"] and redrawn.headers["Idempotent-Replayed"] == "true"
    assert await scalar(casework, "SELECT count(*) FROM casework.evaluation") == 1


async def test_a_retried_hearing_opens_once_with_one_set_of_notices(casework: Casework) -> None:
    casework.clock.set(START)
    filed = handoff(lead="housing", co=())
    gid = filed.grievance_id
    await hand_off(casework.namespace, filed)
    await casework.wait_for_case(gid, "housing")
    housing = casework.officer("housing")
    for step in ("sign-for", "accept", "start"):
        assert (await casework.http.post(f"/v1/cases/{gid}/{step}", headers=housing)).status_code == 200
    casework.clock.set(local(START.date().replace(day=5)))
    url = f"/v1/cases/{gid}/hearings"
    body = HEARING | {"participants": [p for p in PARTICIPANTS if p["role"] != "department"]}
    first = await casework.http.post(url, headers=keyed(housing, "hear-1"), json=body)
    second = await casework.http.post(url, headers=keyed(housing, "hear-1"), json=body)
    assert first.status_code == second.status_code == 201, first.text
    assert second.json()["id"] == first.json()["id"] and second.headers["Idempotent-Replayed"] == "true"
    hearings = "SELECT count(*) FROM casework.hearing WHERE grievance_id = $1"
    notices = "SELECT count(*) FROM casework.document WHERE grievance_id = $1 AND kind = 'hearing_notice'"
    assert await scalar(casework, hearings, gid) == 1 and await scalar(casework, notices, gid) == 2
