"""The department officer's inbox against the real stack: a grievance filed at intake, routed and
assigned by the real services, then signed for, accepted and answered through the console's forms
(casework's state read back over its API); documents previewed and downloaded through the console;
another department sees and changes nothing; a form without the CSRF token changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from shared.auth import issue_token
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from shared.web import DOCUMENT_CSP
from tests.support.console import TEST_CSRF, signed_in_as, viewer
from tests.support.namespace import Namespace
from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.slow

CONTENT = (
    "玉塘街道田寮社区文明路从18号到32号这一段的路灯已经一个多月不亮了，晚上黑漆漆的，"
    "老人小孩出门很危险，上周还有人骑电动车摔倒。打过几次电话说会来修，一直没人来，请尽快安排维修。"
)
STREETLIGHT: dict[str, Any] = {
    "complainant": {"name": "周秀英", "mobile": "13923456789"},
    "address": {"street": "玉塘街道", "community": "田寮", "detail": "田寮社区文明路 18 号旁"},
    "title": "文明路路灯一个多月不亮",
    "content": CONTENT,
    "desired_outcome": "尽快修好路灯",
}
OUTSIDER = "housing"  # a department the street-light case does not involve
SUPERVISOR = {"Authorization": f"Bearer {issue_token(ServiceSettings(), subject='sup-it', role=Role.supervisor)}"}


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[Stack]:
    running = await start_stack(namespace)
    try:
        yield running
    finally:
        await running.stop()


async def casework_case(stack: Stack, grievance_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.url("casework"), timeout=30) as client:
        response = await client.get(f"/v1/cases/{grievance_id}", headers=SUPERVISOR)
        assert response.status_code == 200, response.text
        case: dict[str, Any] = response.json()
        return case


@pytest.fixture(scope="module")
async def assigned(stack: Stack) -> dict[str, Any]:
    """The grievance filed at intake and assigned by casework (as the supervisor reads it)."""
    async with httpx.AsyncClient(timeout=30) as client:
        filed = await client.post(f"{stack.url('intake')}/v1/grievances", json=STREETLIGHT)
        assert filed.status_code == 202, filed.text
        grievance_id = filed.json()["grievance_id"]
        deadline = asyncio.get_running_loop().time() + 90
        while True:
            response = await client.get(f"{stack.url('casework')}/v1/cases/{grievance_id}", headers=SUPERVISOR)
            if response.status_code == 200 and response.json()["state"] == "assigned":
                case: dict[str, Any] = response.json()
                assert OUTSIDER not in {case["lead"]["code"], *(o["code"] for o in case["co"])}
                return case
            assert asyncio.get_running_loop().time() < deadline, response.text
            await asyncio.sleep(0.5)


async def test_another_department_neither_sees_nor_acts(
    namespace: Namespace, stack: Stack, assigned: dict[str, Any]
) -> None:
    grievance_id = assigned["grievance_id"]
    async with signed_in_as(namespace, stack, viewer(Role.department_officer, OUTSIDER)) as console:
        inbox = await console.get("/inbox")
        assert inbox.status_code == 200
        assert assigned["tracking_no"] not in inbox.text
        page = await console.get(f"/inbox/{grievance_id}")
        assert page.status_code == 404
        assert CONTENT[:20] not in page.text
        tried = await console.post(f"/inbox/{grievance_id}/actions/sign-for", data={"csrf_token": TEST_CSRF})
        assert tried.status_code == 404
        documents = await console.get(f"/inbox/{grievance_id}/documents/anything")
        assert documents.status_code == 404
    assert (await casework_case(stack, grievance_id))["state"] == "assigned"


async def test_a_form_without_the_csrf_token_changes_nothing(
    namespace: Namespace, stack: Stack, assigned: dict[str, Any]
) -> None:
    grievance_id = assigned["grievance_id"]
    async with signed_in_as(namespace, stack, viewer(Role.department_officer, assigned["lead"]["code"])) as console:
        missing = await console.post(f"/inbox/{grievance_id}/actions/sign-for", data={})
        wrong = await console.post(f"/inbox/{grievance_id}/actions/sign-for", data={"csrf_token": "forged"})
    assert missing.status_code == 403
    assert wrong.status_code == 403
    assert (await casework_case(stack, grievance_id))["state"] == "assigned"


async def test_the_officer_signs_for_accepts_and_answers_through_the_console(
    namespace: Namespace, stack: Stack, assigned: dict[str, Any]
) -> None:
    grievance_id, lead = assigned["grievance_id"], assigned["lead"]["code"]
    case_url = f"/inbox/{grievance_id}"

    async def act(console: httpx.AsyncClient, slug: str, **fields: str) -> httpx.Response:
        return await console.post(f"{case_url}/actions/{slug}", data={"csrf_token": TEST_CSRF, **fields})

    async with signed_in_as(namespace, stack, viewer(Role.department_officer, lead)) as console:
        inbox = await console.get("/inbox")
        assert inbox.status_code == 200
        assert assigned["tracking_no"] in inbox.text
        assert "clock-ok" in inbox.text or "clock-near" in inbox.text
        filtered = await console.get("/inbox", params={"state": "replied"})
        assert assigned["tracking_no"] not in filtered.text
        unknown = await console.get("/inbox", params={"state": "bogus"})
        assert unknown.status_code == 422
        assert "未知的案件状态" in unknown.text

        page = await console.get(case_url)
        assert page.status_code == 200
        assert "路灯已经一个多月不亮" in page.text
        assert "周秀英" not in page.text and "13923456789" not in page.text  # masked by intake
        assert 'id="action-sign-for"' in page.text and 'id="action-reply"' not in page.text

        signed = await act(console, "sign-for")
        assert signed.status_code == 303, signed.text
        assert signed.headers["location"] == f"{case_url}?done=sign-for"
        assert (await casework_case(stack, grievance_id))["state"] == "signed_for"
        assert (await act(console, "accept")).status_code == 303
        accepted = await casework_case(stack, grievance_id)
        assert accepted["state"] == "accepted"
        assert any("受理告知书" in d["title"] for d in accepted["documents"])

        # Casework refuses a reply before handling starts: its reason on the page, nothing changed.
        early = await act(
            console, "reply", decision="support", request_summary="维修路灯", facts_and_reasons="已修复", basis="规定"
        )
        assert early.status_code == 409
        assert "操作未完成" in early.text and "不能执行" in early.text
        assert 'id="action-reply"' not in early.text  # and the page offers only what the state allows
        assert (await casework_case(stack, grievance_id))["state"] == "accepted"

        assert (await act(console, "start")).status_code == 303
        too_long = await act(console, "extend", days="99", reason="需要协调多个部门")
        assert too_long.status_code == 422
        assert "延期天数：" in too_long.text  # casework's field error, under the form's label
        assert "需要协调多个部门" in too_long.text  # what the officer typed is kept
        assert (await casework_case(stack, grievance_id))["extension_days"] is None

    # 多部门共调: each co-handling department gives its opinion through its own inbox.
    for co in assigned["co"]:
        async with signed_in_as(namespace, stack, viewer(Role.department_officer, co["code"])) as console:
            assert assigned["tracking_no"] in (await console.get("/inbox", params={"role": "co"})).text
            page = await console.get(case_url)
            assert 'id="action-co-opinion"' in page.text and 'id="action-reply"' not in page.text
            opinion = await act(console, "co-opinion", opinion="街道已安排社区网格员现场核实，配合维修。")
            assert opinion.status_code == 303, opinion.text

    async with signed_in_as(namespace, stack, viewer(Role.department_officer, lead)) as console:
        replied = await act(
            console,
            "reply",
            decision="support",
            request_summary="请求维修文明路路灯",
            facts_and_reasons="经现场核查，该路段路灯线路老化损坏属实，已于本周更换线路并恢复照明。",
            basis="《深圳市城市照明管理办法》",
        )
        assert replied.status_code == 303, replied.text
        case = await casework_case(stack, grievance_id)
        assert case["state"] == "replied"
        [opinion] = [d for d in case["documents"] if "信访处理意见书" in d["title"]]

        page = await console.get(case_url)
        assert "已书面答复" in page.text and "街道已安排社区网格员现场核实" in page.text
        assert "书面答复：支持" in page.text  # the history
        preview = await console.get(f"{case_url}/documents/{opinion['id']}")
        assert preview.status_code == 200
        assert preview.headers["content-type"].startswith("text/html")
        assert preview.headers["content-security-policy"] == DOCUMENT_CSP
        assert "已于本周更换线路并恢复照明" in preview.text
        pdf = await console.get(f"{case_url}/documents/{opinion['id']}/pdf", params={"title": opinion["title"]})
        assert pdf.status_code == 200
        assert pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF")
        assert pdf.headers["content-disposition"].startswith("attachment;")
