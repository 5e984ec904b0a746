"""An officer sees and acts on its own department's cases only: every endpoint answers 404 on
another department's case and changes nothing. A report's reporter and materials reach the
纪检监察 body alone — never the reported unit, nor anyone else."""

from __future__ import annotations

from typing import Any

import asyncpg  # type: ignore[import-untyped]

from shared.auth.tokens import verify_token
from shared.events.topics import GRIEVANCE_STATUS, department_topic
from shared.events.vocabulary import PetitionKind
from tests.integration.casework.conftest import START, Casework, hand_off, handoff, table_counts


def endpoints(gid: str, document_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Every casework endpoint that names a case, with a valid body."""
    base = f"/v1/cases/{gid}"
    return [
        ("GET", base, None),
        ("GET", f"{base}/documents", None),
        ("GET", f"{base}/documents/{document_id}", None),
        ("GET", f"{base}/documents/{document_id}?format=html", None),
        ("POST", f"{base}/sign-for", None),
        ("POST", f"{base}/return", {"reason": "不属于本单位职责范围"}),
        ("POST", f"{base}/accept", None),
        (
            "POST",
            f"{base}/not-accept",
            {"ground": "other_authority", "explanation": "属于市级事权", "competent_body": "深圳市住房和建设局"},
        ),
        ("POST", f"{base}/start", None),
        ("POST", f"{base}/extend", {"days": 10, "reason": "情况复杂"}),
        ("POST", f"{base}/co-opinion", {"opinion": "同意主办单位意见"}),
        (
            "POST",
            f"{base}/reply",
            {
                "decision": "support",
                "request_summary": "请求",
                "facts_and_reasons": "事实",
                "basis": "依据",
                "outstanding_co_reason": "理由",
            },
        ),
        ("POST", f"{base}/legal-receipt", {"reference_no": "X-1"}),
        ("POST", f"{base}/legal-progress", {"note": "已立案"}),
        ("POST", f"{base}/legal-conclusion", {"outcome": "已审结"}),
    ]


async def assert_invisible(casework: Casework, gid: str, document_id: str, headers: dict[str, str]) -> None:
    before = await table_counts(casework.namespace.asyncpg_dsn, gid)
    for method, path, body in endpoints(gid, document_id):
        response = await casework.http.request(
            method, path, headers=headers | {"Idempotency-Key": f"k-{path}"}, json=body
        )
        assert response.status_code == 404, f"{method} {path}: {response.status_code} {response.text}"
        assert response.headers["content-type"] == "application/problem+json"
    listed = await casework.http.get("/v1/cases", headers=headers)
    assert gid not in [item["grievance_id"] for item in listed.json()["items"]]
    after = await table_counts(casework.namespace.asyncpg_dsn, gid)
    # Each refusal is audited (in a transaction of its own); nothing else changes.
    assert after == before | {"audit": before["audit"] + len(endpoints(gid, document_id))}
    await assert_refusals_audited(casework, gid, headers, len(endpoints(gid, document_id)))


async def assert_refusals_audited(casework: Casework, gid: str, headers: dict[str, str], count: int) -> None:
    """The latest ``count`` audit rows record the caller's refused attempts on ``gid``."""
    conn = await asyncpg.connect(casework.namespace.asyncpg_dsn)
    try:
        rows = await conn.fetch(
            "SELECT actor, role, department, action, grievance_id, detail::text AS detail, at"
            " FROM casework.audit_log ORDER BY id DESC LIMIT $1",
            count,
        )
    finally:
        await conn.close()
    caller = verify_token(casework.settings, headers["Authorization"].removeprefix("Bearer "))
    assert {row["actor"] for row in rows} == {caller.subject}
    assert {(row["role"], row["department"]) for row in rows} == {(caller.role.value, caller.department)}
    assert {row["grievance_id"] for row in rows} == {gid}
    assert all('"outcome": "refused"' in row["detail"] and row["at"] is not None for row in rows)
    actions = {row["action"] for row in rows}
    assert {"read_case", "list_documents", "download_document", "SignFor", "ReplyToCitizen"} <= actions, actions


async def test_another_department_gets_404_everywhere_and_nothing_changes(casework: Casework) -> None:
    casework.clock.set(START)
    filed = handoff(co=("water",))
    await hand_off(casework.namespace, filed)
    gid = filed.grievance_id
    await casework.wait_for_case(gid, "housing")
    housing = casework.officer("housing")
    assert (await casework.http.post(f"/v1/cases/{gid}/sign-for", headers=housing)).status_code == 200
    accepted = await casework.http.post(f"/v1/cases/{gid}/accept", headers=housing)
    document_id = accepted.json()["documents"][0]["id"]
    # The department's own copy as HTML: no script, image, form or framing can ride along.
    html = await casework.http.get(f"/v1/cases/{gid}/documents/{document_id}?format=html", headers=housing)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    policy = html.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src" not in policy
    assert html.headers["x-content-type-options"] == "nosniff"

    await assert_invisible(casework, gid, document_id, casework.officer("education"))

    # The co-handler sees the case but may not take the lead's steps: 403, and still nothing changes.
    water = casework.officer("water")
    assert (await casework.http.get(f"/v1/cases/{gid}", headers=water)).json()["my_role"] == "co"
    before = await table_counts(casework.namespace.asyncpg_dsn, gid)
    for step in ("start", "extend", "reply"):
        body = {"days": 5, "reason": "x理由"} if step == "extend" else None
        if step == "reply":
            body = {"decision": "support", "request_summary": "请求", "facts_and_reasons": "事实", "basis": "依据"}
        response = await casework.http.post(f"/v1/cases/{gid}/{step}", headers=water, json=body)
        assert response.status_code in (403, 409), response.text
    assert await table_counts(casework.namespace.asyncpg_dsn, gid) == before
    # Officers cannot record a review opinion at all; that is the bureau's (supervisor's) step.
    refused = await casework.http.post(
        f"/v1/cases/{gid}/review-decision", headers=housing, json={"outcome": "upheld", "opinion": "维持"}
    )
    assert refused.status_code == 403


async def test_report_reaches_the_discipline_body_only(casework: Casework) -> None:
    casework.clock.set(START)
    # The router named the reported unit's own department as lead: casework must not follow it.
    filed = handoff(
        lead="housing",
        co=("urban-management",),
        kind=PetitionKind.report,
        respondent="光明区住房和建设局某科科长",
        title="举报某科长收受好处",
    )
    await hand_off(casework.namespace, filed)
    gid = filed.grievance_id
    body = await casework.wait_for_case(gid, "discipline-inspection")
    assert body["lead"]["code"] == "discipline-inspection" and body["co"] == []
    assert body["grievance"]["complainant_name_masked"] == "陈**"
    assert body["grievance"]["content"].startswith("每次下雨")
    discipline = casework.officer("discipline-inspection")
    assert (await casework.http.post(f"/v1/cases/{gid}/sign-for", headers=discipline)).status_code == 200
    accepted = await casework.http.post(f"/v1/cases/{gid}/accept", headers=discipline)
    document_id = accepted.json()["documents"][0]["id"]

    # The reported unit and the router's co-handler: the case does not exist for them.
    for department in ("housing", "urban-management"):
        await assert_invisible(casework, gid, document_id, casework.officer(department))

    # The bureau's supervisor knows a report exists but reads neither reporter nor materials.
    seen = (await casework.http.get(f"/v1/cases/{gid}", headers=casework.supervisor)).json()
    assert seen["confidential"] is True
    assert seen["grievance"] is None and seen["title"] is None and seen["documents"] == []
    assert "陈**" not in str(seen) and "收受好处" not in str(seen)
    listed = (
        await casework.http.get("/v1/cases", headers=casework.supervisor, params={"petition_kind": "report"})
    ).json()
    mine = [item for item in listed["items"] if item["grievance_id"] == gid]
    assert mine and mine[0]["title"] is None
    document = await casework.http.get(f"/v1/cases/{gid}/documents/{document_id}", headers=casework.supervisor)
    assert document.status_code == 404

    # Nothing about the report was written for the reported unit's topic, or any topic but the
    # discipline body's and the citizen's own timeline.
    conn = await asyncpg.connect(casework.namespace.asyncpg_dsn)
    try:
        topics = {row["topic"] for row in await conn.fetch("SELECT topic FROM casework.outbox WHERE key = $1", gid)}
        audited = await conn.fetchval(
            "SELECT count(*) FROM casework.audit_log WHERE grievance_id = $1 AND action = 'read_confidential_case'", gid
        )
    finally:
        await conn.close()
    assert topics == {department_topic("discipline-inspection"), GRIEVANCE_STATUS}
    assert audited >= 2  # the discipline officer's and the supervisor's reads
