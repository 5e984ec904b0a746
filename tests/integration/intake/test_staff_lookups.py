"""Staff look-ups behind the console's registrar and reviewer pages: a complainant's earlier
grievances by keyed pseudonym (audited with masked numbers only), where a grievance stands, and
anonymous registrations that leave no contact at all."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx

from shared.auth import issue_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from tests.integration.intake.conftest import portal_body

ID_CARD = "11010519491231002X"
MOBILE = "13712345670"
OTHER_MOBILE = "13987654321"


def staff(role: Role, department: str | None = None) -> dict[str, str]:
    token = issue_token(ServiceSettings(), subject=f"{role.value}-lookups", role=role, department=department)
    return {"Authorization": f"Bearer {token}"}


def registration(mobile: str, id_card: str | None, title: str, **complainant: Any) -> dict[str, Any]:
    body = portal_body(title=title, channel="walk_in", attachments=[])
    body["complainant"] = {"name": "林晓梅", "mobile": mobile, "id_card": id_card, **complainant}
    return body


async def register(http: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.post("/v1/staff/grievances", json=body, headers=staff(Role.registrar))
    assert response.status_code == 202, response.text
    accepted: dict[str, Any] = response.json()
    return accepted


async def test_earlier_grievances_are_found_by_id_or_mobile_and_the_lookup_is_audited(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    first = await register(http, registration(MOBILE, ID_CARD, "楼道灯坏了一个月"))
    second = await register(http, registration(MOBILE, None, "楼道灯还是没修"))
    stranger = await register(http, registration(OTHER_MOBILE, None, "别人的事情反映"))

    by_mobile = await http.post(
        "/v1/staff/complainant-grievances", json={"mobile": "137 1234 5670"}, headers=staff(Role.registrar)
    )
    assert by_mobile.status_code == 200, by_mobile.text
    found = by_mobile.json()
    # newest first, the stranger's grievance not among them
    assert [g["tracking_no"] for g in found["grievances"]] == [second["tracking_no"], first["tracking_no"]]
    assert found["total"] == 2
    assert all(g["matched_on"] == ["mobile"] for g in found["grievances"])
    assert found["grievances"][0]["title"] == "楼道灯还是没修"

    by_both = await http.post(
        "/v1/staff/complainant-grievances",
        json={"id_card": ID_CARD.lower(), "mobile": OTHER_MOBILE},
        headers=staff(Role.registrar),
    )
    matched = {g["tracking_no"]: g["matched_on"] for g in by_both.json()["grievances"]}
    assert matched == {first["tracking_no"]: ["id_card"], stranger["tracking_no"]: ["mobile"]}

    audit = await db.fetch(
        "SELECT actor, detail FROM intake.audit_log WHERE action = 'lookup_complainant_grievances' ORDER BY id"
    )
    assert [json.loads(row["detail"]) for row in audit] == [
        {"id_card": None, "mobile": "137****5670", "found": 2},
        {"id_card": "110105********002X", "mobile": "139****4321", "found": 2},
    ]
    assert {row["actor"] for row in audit} == {"registrar-lookups"}


async def test_the_lookup_refuses_other_roles_and_an_empty_question(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    before = await db.fetchval("SELECT count(*) FROM intake.audit_log")
    for role, department in ((Role.reviewer, None), (Role.department_officer, "housing")):
        refused = await http.post(
            "/v1/staff/complainant-grievances", json={"mobile": MOBILE}, headers=staff(role, department)
        )
        assert refused.status_code == 403
    assert (await http.post("/v1/staff/complainant-grievances", json={"mobile": MOBILE})).status_code == 401
    empty = await http.post("/v1/staff/complainant-grievances", json={}, headers=staff(Role.registrar))
    assert empty.status_code == 422
    assert "身份证号码或手机号码" in empty.text
    bad = await http.post(
        "/v1/staff/complainant-grievances", json={"id_card": "110105194912310021"}, headers=staff(Role.registrar)
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "id_card"
    assert await db.fetchval("SELECT count(*) FROM intake.audit_log") == before


async def test_status_of_a_grievance_for_staff(http: httpx.AsyncClient) -> None:
    accepted = await register(http, registration(MOBILE, None, "路口红绿灯坏了"))
    url = f"/v1/staff/grievances/{accepted['tracking_no']}/status"
    deadline = asyncio.get_running_loop().time() + 30
    while True:
        response = await http.get(url, headers=staff(Role.reviewer))
        assert response.status_code == 200, response.text
        if response.json()["status"] is not None:
            break
        assert asyncio.get_running_loop().time() < deadline, "the received status never reached the read model"
        await asyncio.sleep(0.3)
    status = response.json()
    assert status["status"] == "received"
    assert accepted["tracking_no"] in status["message_zh"]
    assert status["closed"] is False
    officer = await http.get(url, headers=staff(Role.department_officer, "housing"))
    assert officer.status_code == 403
    missing = await http.get("/v1/staff/grievances/GM-20000101-999999/status", headers=staff(Role.registrar))
    assert missing.status_code == 404


async def test_an_anonymous_registration_may_leave_no_contact_but_a_named_one_may_not(
    http: httpx.AsyncClient, db: asyncpg.Connection
) -> None:
    body = portal_body(channel="letter", attachments=[], title="匿名来信反映工地问题")
    body["complainant"] = {"anonymous": True}
    accepted = await register(http, body)
    row = await db.fetchrow(
        "SELECT c.name_encrypted, c.mobile_encrypted, c.name_masked, c.anonymous FROM intake.complainant c "
        "JOIN intake.grievance g ON g.id = c.grievance_id WHERE g.tracking_no = $1",
        accepted["tracking_no"],
    )
    assert (row["name_encrypted"], row["mobile_encrypted"], row["name_masked"], row["anonymous"]) == (
        None,
        None,
        "匿名",
        True,
    )

    named = portal_body(channel="letter", attachments=[])
    named["complainant"] = {"name": "林晓梅"}
    refused = await http.post("/v1/staff/grievances", json=named, headers=staff(Role.registrar))
    assert refused.status_code == 422
    [error] = refused.json()["errors"]
    assert error["pointer"] == "#/complainant/mobile"
    assert "匿名" in error["message_zh"]
