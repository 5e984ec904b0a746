"""The mediator's pages against the real stack: disputes filed at intake, routed to mediation by
the real router and opened by the real mediation service, then accepted, consented, scheduled (the
session appears in the calendar) and agreed (调解协议书 previewed and downloaded) — or ended in
failure (调解终止告知书) — through the console's forms; the state read back over the mediation API.
Another mediator sees and changes nothing; a form without the CSRF token changes nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from shared.auth import issue_token
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Role
from shared.settings import ServiceSettings
from shared.web import DOCUMENT_CSP
from tests.support.console import TEST_CSRF, signed_in_as, viewer
from tests.support.namespace import Namespace
from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.slow


def dispute(street: str, community: str, mobile: str, content: str) -> dict[str, Any]:
    return {
        "complainant": {"name": "陈丽娟", "mobile": mobile},
        "address": {"street": street, "community": community, "detail": "新村 3 栋 502"},
        "title": "楼上漏水不肯赔",
        "content": content,
        "respondent": "楼上602住户",
        "desired_outcome": "邻居修好防水并赔偿维修费",
    }


LEAK = dispute(
    "玉塘街道",
    "田寮",
    "13712340001",
    "楼上602装修把防水层弄坏了，我家天花板天天滴水，墙皮都掉了。跟楼上邻居商量赔偿，他不肯出钱也不让物业"
    "进门查看，我不想打官司，希望社区帮忙调解一下。",
)
MOULD = dispute(
    "公明街道",
    "上村",
    "13712340002",
    "楼上住户卫生间漏水，我家厨房天花板发霉脱落，找他几次都说不是他家的问题，物业也协调不了，希望社区帮忙"
    "调解，让他修好防水并赔偿损失。",
)
SUPERVISOR = {"Authorization": f"Bearer {issue_token(ServiceSettings(), subject='sup-it', role=Role.supervisor)}"}
OUTSIDER = viewer(Role.mediator, "street-xinhu", username="mediator.xinhu-01")


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[Stack]:
    running = await start_stack(namespace)
    try:
        yield running
    finally:
        await running.stop()


async def mediation_case(stack: Stack, case_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.url("mediation"), timeout=30) as client:
        response = await client.get(f"/v1/mediations/{case_id}", headers=SUPERVISOR)
        assert response.status_code == 200, response.text
        case: dict[str, Any] = response.json()
        return case


async def opened_case(stack: Stack, grievance: dict[str, Any]) -> dict[str, Any]:
    """File the dispute at intake; the mediation case once the service opened it."""
    async with httpx.AsyncClient(timeout=30) as client:
        filed = await client.post(f"{stack.url('intake')}/v1/grievances", json=grievance)
        assert filed.status_code == 202, filed.text
        grievance_id = filed.json()["grievance_id"]
        deadline = asyncio.get_running_loop().time() + 90
        while True:
            listing = await client.get(f"{stack.url('mediation')}/v1/mediations", headers=SUPERVISOR)
            found = [c for c in listing.json() if c["grievance_id"] == grievance_id]
            if found:
                return await mediation_case(stack, found[0]["id"])
            assert asyncio.get_running_loop().time() < deadline, "no mediation case opened"
            await asyncio.sleep(0.5)


def lead_of(case: dict[str, Any]) -> Any:
    lead = next(m for m in case["mediators"] if m["role"] == "lead")
    return viewer(Role.mediator, lead["office"], username=f"mediator.{lead['id']}")


async def act(console: httpx.AsyncClient, case_id: str, slug: str, **fields: str) -> httpx.Response:
    return await console.post(f"/mediation/{case_id}/actions/{slug}", data={"csrf_token": TEST_CSRF, **fields})


async def consented(console: httpx.AsyncClient, stack: Stack, case_id: str) -> None:
    assert (await act(console, case_id, "accept")).status_code == 303
    for party in ("applicant", "respondent"):
        answer = await act(console, case_id, "consent", party=party, consented="yes", note="当面确认")
        assert answer.status_code == 303, answer.text
    assert (await mediation_case(stack, case_id))["state"] == "in_mediation"


@pytest.fixture(scope="module")
async def leak(stack: Stack) -> dict[str, Any]:
    return await opened_case(stack, LEAK)


async def test_without_csrf_or_as_another_mediator_nothing_changes(
    namespace: Namespace, stack: Stack, leak: dict[str, Any]
) -> None:
    case_id = leak["id"]
    async with signed_in_as(namespace, stack, lead_of(leak)) as console:
        assert (await console.post(f"/mediation/{case_id}/actions/accept", data={})).status_code == 403
        forged = await console.post(f"/mediation/{case_id}/actions/accept", data={"csrf_token": "forged"})
        assert forged.status_code == 403
    async with signed_in_as(namespace, stack, OUTSIDER) as console:
        assert leak["tracking_no"] not in (await console.get("/mediation")).text
        assert (await console.get(f"/mediation/{case_id}")).status_code == 404
        assert (await act(console, case_id, "accept")).status_code == 404
    assert (await mediation_case(stack, case_id))["state"] == "opened"


async def test_consent_session_in_the_calendar_and_agreement(
    namespace: Namespace, stack: Stack, leak: dict[str, Any]
) -> None:
    case_id = leak["id"]
    session_at = (datetime.now(CHINA_TZ) + timedelta(days=2)).replace(hour=10, minute=30, second=0, microsecond=0)
    month = session_at.strftime("%Y-%m")
    async with signed_in_as(namespace, stack, lead_of(leak)) as console:
        mine = await console.get("/mediation")
        assert mine.status_code == 200 and leak["tracking_no"] in mine.text
        page = await console.get(f"/mediation/{case_id}")
        assert page.status_code == 200
        assert 'id="action-accept"' in page.text and 'id="action-agreement"' not in page.text

        await consented(console, stack, case_id)
        bad_time = await act(console, case_id, "schedule", scheduled_for="明天上午", location="田寮社区调解室")
        assert bad_time.status_code == 422 and "请填写日期和时间" in bad_time.text
        scheduled = await act(
            console, case_id, "schedule", scheduled_for=session_at.strftime("%Y-%m-%dT%H:%M"), location="田寮社区调解室"
        )
        assert scheduled.status_code == 303, scheduled.text
        case = await mediation_case(stack, case_id)
        assert case["state"] == "scheduled"
        assert datetime.fromisoformat(case["sessions"][0]["scheduled_for"]) == session_at

        calendar = await console.get("/mediation/calendar", params={"month": month})
        assert calendar.status_code == 200
        day_cell = calendar.text.split(f'data-date="{session_at.date().isoformat()}"', 1)[1].split("</td>", 1)[0]
        assert leak["tracking_no"] in day_cell and "10:30" in day_cell and "田寮社区调解室" in day_cell
        assert (await console.get("/mediation/calendar", params={"month": "2026-13"})).status_code == 422

        # An agreement without terms is refused by the service: its reason shown, nothing changed.
        deadline = (session_at + timedelta(days=10)).date().isoformat()
        empty = await act(console, case_id, "agreement", terms="  \n", performance_deadline=deadline)
        assert empty.status_code == 422
        assert "操作未完成" in empty.text and "协议条款：" in empty.text
        assert (await mediation_case(stack, case_id))["state"] == "scheduled"

        terms = "被申请人于十日内修复卫生间防水层。\n被申请人赔偿申请人维修费人民币3000元。"
        agreed = await act(console, case_id, "agreement", terms=terms, performance_deadline=deadline)
        assert agreed.status_code == 303, agreed.text
        case = await mediation_case(stack, case_id)
        assert case["state"] == "agreed"
        [document] = [d for d in case["documents"] if d["kind"] == "agreement"]

        preview = await console.get(f"/mediation/documents/{document['id']}")
        assert preview.status_code == 200
        assert preview.headers["content-security-policy"] == DOCUMENT_CSP
        assert "调解协议书" in preview.text and "人民币3000元" in preview.text
        download = await console.get(f"/mediation/documents/{document['id']}/download", params={"title": "调解协议书"})
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment;")
        assert "人民币3000元" in download.text

    async with signed_in_as(namespace, stack, OUTSIDER) as console:
        assert (await console.get(f"/mediation/documents/{document['id']}")).status_code == 404
        assert leak["tracking_no"] not in (await console.get("/mediation/calendar", params={"month": month})).text


async def test_failure_ends_mediation_with_a_termination_notice(namespace: Namespace, stack: Stack) -> None:
    case = await opened_case(stack, MOULD)
    async with signed_in_as(namespace, stack, lead_of(case)) as console:
        await consented(console, stack, case["id"])
        failed = await act(console, case["id"], "failure", reason="双方对赔偿金额分歧过大，无法达成一致。")
        assert failed.status_code == 303, failed.text
        page = await console.get(f"/mediation/{case['id']}")
        assert "调解不成" in page.text
    after = await mediation_case(stack, case["id"])
    assert after["state"] == "failed"
    assert [d["kind"] for d in after["documents"]] == ["termination_notice"]
