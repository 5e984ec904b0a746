"""What the case read offers each caller (``allowed_actions``) and the label tables of
GET /v1/cases/vocabulary, through the real API on the real database: a client such as the staff
console needs nothing of casework's code to name states or to know which forms to show."""

from __future__ import annotations

from datetime import timedelta

from shared.events.vocabulary import Role
from tests.integration.casework.conftest import START, Casework, hand_off, handoff


async def test_each_caller_is_offered_its_own_steps_until_their_windows_close(casework: Casework) -> None:
    http, clock = casework.http, casework.clock
    clock.set(START)
    filed = handoff(co=("water",))
    await hand_off(casework.namespace, filed, times=1)
    gid = filed.grievance_id
    housing, water = casework.officer("housing"), casework.officer("water")

    case = await casework.wait_for_case(gid, "housing")
    assert case["allowed_actions"] == ["sign_for", "return_case"]
    assert case["state_zh"] == "已分派，待承办单位签收"
    as_co = (await http.get(f"/v1/cases/{gid}", headers=water)).json()
    assert as_co["allowed_actions"] == []  # a co-handler gives its opinion once the lead has signed for it
    as_bureau = (await http.get(f"/v1/cases/{gid}", headers=casework.supervisor)).json()
    assert as_bureau["allowed_actions"] == []

    signed = await http.post(f"/v1/cases/{gid}/sign-for", headers=housing)
    assert signed.status_code == 200, signed.text
    # An action answers with the case as the actor now sees it, offers included.
    assert signed.json()["allowed_actions"] == ["return_case", "accept", "not_accept"]
    as_co = (await http.get(f"/v1/cases/{gid}", headers=water)).json()
    assert as_co["allowed_actions"] == ["submit_co_opinion"]

    # After the 退单 window (5 working days, to 9 March) the return is no longer offered...
    clock.set(START + timedelta(days=8))
    late = (await http.get(f"/v1/cases/{gid}", headers=housing)).json()
    assert late["allowed_actions"] == ["accept", "not_accept"]
    # ... and the step agrees with the offer.
    refused = await http.post(f"/v1/cases/{gid}/return", headers=housing, json={"reason": "不属于本单位职责范围"})
    assert refused.status_code == 409, refused.text


async def test_the_vocabulary_names_what_the_api_says(casework: Casework) -> None:
    http = casework.http
    registrar = casework.headers(role=Role.registrar, department=None)
    answer = await http.get("/v1/cases/vocabulary", headers=registrar)
    assert answer.status_code == 200, answer.text  # any staff role, not only the case readers
    tables = answer.json()
    states = {t["value"]: t["name_zh"] for t in tables["states"]}
    assert states["in_progress"] == "正在办理" and len(states) == 14
    assert [t["value"] for t in tables["decisions"]["claim"]] == ["support", "explain", "reject"]
    assert {t["value"] for t in tables["decisions"]["suggestion"]} == {"adopted", "partly_adopted", "explained"}
    grounds = {t["value"]: t for t in tables["not_accept_grounds"]}
    assert grounds["statutory_route"]["needs_route"] is True
    assert grounds["other_authority"]["needs_competent_body"] is True
    routes = {t["value"]: t["name_zh"] for t in tables["legal_routes"]}
    assert routes["labour_arbitration"] == "依法向劳动人事争议仲裁委员会申请劳动人事争议仲裁"
    assert {"sign_for", "submit_co_opinion", "decide_review"} <= {t["value"] for t in tables["actions"]}

    assert (await http.get("/v1/cases/vocabulary")).status_code == 401
