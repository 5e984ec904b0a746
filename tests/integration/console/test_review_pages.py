"""The reviewer's pages against the real stack: grievances the router is unsure of (a demanding
review threshold) wait in the queue, urgent first; one is shown with its evidence marked; a wrong
correction gets the router's 422 and changes nothing; a correction and an acceptance re-route the
grievances, and the status panel sees them reach the handler; a registrar and a form without the
CSRF token are refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from shared.events.vocabulary import Role
from tests.support.console import TEST_CSRF, signed_in_as, viewer
from tests.support.namespace import Namespace
from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.slow

NOISE = {
    "title": "工地夜间施工扰民",
    "content": "小区旁边工地夜间施工噪音很大，晚上十一点以后还在打桩，影响休息，请管一管",
}
VAGUE = {"title": "反映问题", "content": "这个事情拖了很久了，一直没有人给我一个说法，希望领导重视一下"}
WAGES = {"title": "工资拖欠", "content": "老板拖欠我们工资三个月了，再不解决明天我们几十个人一起去区政府门口拉横幅"}
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[Stack]:
    # Every decision below 1.0: the texts above all wait for a reviewer, however sure the model is
    # (the noise complaint scores 0.99 with the current corpus).
    running = await start_stack(namespace, extra_env={"ROUTER_REVIEW_THRESHOLD": "1.0"})
    try:
        yield running
    finally:
        await running.stop()


async def eventually(probe: Callable[[], Awaitable[Any]], what: str, timeout: float = 90) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await probe()
        if result:
            return result
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


@pytest.fixture(scope="module")
async def queued(stack: Stack) -> dict[str, dict[str, Any]]:
    """The three grievances filed on the portal, each with its pending review item (router's API)."""
    headers = {"Authorization": f"Bearer {viewer(Role.reviewer).token}"}
    filed: dict[str, str] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for name, text in (("noise", NOISE), ("vague", VAGUE), ("wages", WAGES)):
            body = {
                "complainant": {"name": "郑国强", "mobile": "13823456789"},
                "address": {"street": "马田街道", "community": "将石"},
                **text,
            }
            response = await client.post(f"{stack.url('intake')}/v1/grievances", json=body)
            assert response.status_code == 202, response.text
            filed[name] = response.json()["tracking_no"]

        async def all_pending() -> dict[str, dict[str, Any]] | None:
            page = await client.get(f"{stack.url('router')}/v1/reviews", params={"limit": 50}, headers=headers)
            by_no = {item["tracking_no"]: item for item in page.json()["items"]}
            if not set(filed.values()) <= set(by_no):
                return None
            return {name: by_no[no] for name, no in filed.items()}

        found: dict[str, dict[str, Any]] = await eventually(all_pending, "three review items")
        return found


async def test_a_registrar_may_not_review(namespace: Namespace, stack: Stack, queued: dict[str, Any]) -> None:
    async with signed_in_as(namespace, stack, viewer(Role.registrar)) as registrar:
        assert (await registrar.get("/reviews")).status_code == 403
        review_id = queued["noise"]["review_id"]
        assert (await registrar.get(f"/reviews/{review_id}")).status_code == 403
        decision = {"csrf_token": TEST_CSRF, "action": "accept"}
        assert (await registrar.post(f"/reviews/{review_id}/decision", data=decision)).status_code == 403


async def test_the_queue_lists_urgent_first_and_an_item_shows_its_evidence(
    namespace: Namespace, stack: Stack, queued: dict[str, Any]
) -> None:
    async with signed_in_as(namespace, stack, viewer(Role.reviewer)) as console:
        listing = await console.get("/reviews")
        assert listing.status_code == 200
        positions = {name: listing.text.index(item["tracking_no"]) for name, item in queued.items()}
        assert positions["wages"] < positions["noise"] and positions["wages"] < positions["vague"]
        assert "紧急" in listing.text and '<th scope="col">' in listing.text
        assert "第 1 / 1 页" in listing.text

        detail = await console.get(f"/reviews/{queued['noise']['review_id']}")
        assert detail.status_code == 200
        # the rule's evidence (“夜间施工”) marked in the text, the reasons and the proposal shown
        text = re.search(r'<p class="grievance-text">(.*?)</p>', detail.text, re.S)
        assert text is not None and re.search(r"<mark>[^<]*夜间施工[^<]*</mark>", text.group(1))
        assert "企业或工地的废水、废气、噪声" in detail.text
        assert "环境保护" in detail.text and 'name="action" value="accept"' in detail.text


async def test_a_wrong_correction_or_a_forged_form_changes_nothing(
    namespace: Namespace, stack: Stack, queued: dict[str, Any]
) -> None:
    review_id = queued["noise"]["review_id"]
    wrong = {
        "csrf_token": TEST_CSRF,
        "action": "correct",
        "track": "petition",
        "petition_kind": "claim",
        "area": "城乡建设",
        "category": "工资福利",  # a category of 劳动和社会保障, not of 城乡建设
        "comment": "改为住建部门",
    }
    async with signed_in_as(namespace, stack, viewer(Role.reviewer)) as console:
        refused = await console.post(f"/reviews/{review_id}/decision", data=wrong)
        assert refused.status_code == 422
        assert 'id="category-error"' in refused.text and "劳动和社会保障" in refused.text
        no_kind = await console.post(
            f"/reviews/{review_id}/decision", data={**wrong, "petition_kind": "", "category": ""}
        )
        assert no_kind.status_code == 422 and 'id="petition_kind-error"' in no_kind.text
        forged = {k: v for k, v in wrong.items() if k != "csrf_token"} | {"category": ""}
        assert (await console.post(f"/reviews/{review_id}/decision", data=forged)).status_code == 403
        still = await console.get(f"/reviews/{review_id}")
        assert 'name="action" value="correct"' in still.text  # the decision form: still pending


async def watch_dispatch(console: httpx.AsyncClient, review_id: str) -> str:
    """Poll the panel as htmx does (every 2 s in a browser; faster here) until the dispatch shows."""
    polls = iter(range(1, 10_000))

    async def dispatched() -> str | None:
        panel = await console.get(f"/reviews/{review_id}/dispatch", params={"n": next(polls)}, headers=HTMX)
        assert panel.status_code == 200, panel.text
        return panel.text if "notice dispatched" in panel.text else None

    text: str = await eventually(dispatched, "the dispatch to the department")
    return text


async def test_a_correction_reroutes_and_the_panel_sees_the_department_receive_it(
    namespace: Namespace, stack: Stack, queued: dict[str, Any]
) -> None:
    review_id = queued["noise"]["review_id"]
    correction = {
        "csrf_token": TEST_CSRF,
        "action": "correct",
        "track": "petition",
        "petition_kind": "claim",
        "area": "城乡建设",
        "category": "城市建设和市政管理",
        "lead": "housing",
        "comment": "工地施工许可和文明施工归住建部门监管",
    }
    async with signed_in_as(namespace, stack, viewer(Role.reviewer)) as console:
        decided = await console.post(f"/reviews/{review_id}/decision", data=correction)
        assert decided.status_code == 303
        assert decided.headers["location"] == f"/reviews/{review_id}#dispatch"
        shown = await console.get(f"/reviews/{review_id}")
        assert 'id="dispatch"' in shown.text and "光明区住房和建设局" in shown.text
        assert "工地施工许可和文明施工归住建部门监管" in shown.text
        panel = await watch_dispatch(console, review_id)
        assert 'data-status="assigned"' in panel
        assert "光明区住房和建设局" in re.sub(r"<[^>]+>", "", panel.split("notice dispatched", 1)[1])
        assert "hx-trigger" not in panel  # dispatched: the panel stops polling

        again = await console.post(f"/reviews/{review_id}/decision", data=correction)
        assert again.status_code == 409 and "已处理" in again.text


async def test_an_acceptance_takes_the_proposal_and_is_dispatched(
    namespace: Namespace, stack: Stack, queued: dict[str, Any]
) -> None:
    review_id = queued["wages"]["review_id"]
    async with signed_in_as(namespace, stack, viewer(Role.reviewer)) as console:
        # the form's other fields are ignored when accepting: the proposal is what is decided
        accepted = await console.post(
            f"/reviews/{review_id}/decision",
            data={"csrf_token": TEST_CSRF, "action": "accept", "track": "litigation", "area": "政法"},
        )
        assert accepted.status_code == 303
        panel = await watch_dispatch(console, review_id)
        assert 'data-status="mediation_opened"' in panel  # proposed: 矛盾纠纷调解
    async with httpx.AsyncClient(base_url=stack.url("router"), timeout=30) as router:
        headers = {"Authorization": f"Bearer {viewer(Role.reviewer).token}"}
        review = (await router.get(f"/v1/reviews/{review_id}", headers=headers)).json()
    assert review["decision"]["track"] == review["proposed"]["track"] == "mediation"
    assert review["comment"] == "采纳系统分流建议"


async def test_a_correction_without_departments_gets_the_catalogs(
    namespace: Namespace, stack: Stack, queued: dict[str, Any]
) -> None:
    review_id = queued["vague"]["review_id"]
    correction = {
        "csrf_token": TEST_CSRF,
        "action": "correct",
        "track": "petition",
        "petition_kind": "claim",
        "area": "党务政务",
        "lead": "",  # 按分类目录自动确定
        "comment": "反映机关办事拖延，交政务服务部门答复",
    }
    async with signed_in_as(namespace, stack, viewer(Role.reviewer)) as console:
        form = await console.get(f"/reviews/{review_id}")
        # the correction form starts with no department chosen: a corrected category gets the catalog's
        lead = re.search(r'<select id="lead".*?</select>', form.text, re.S)
        assert lead is not None and " selected" not in lead.group(0)
        decided = await console.post(f"/reviews/{review_id}/decision", data=correction)
        assert decided.status_code == 303
        panel = await watch_dispatch(console, review_id)
        assert "主办 <strong>光明区政务服务数据管理局</strong>" in panel
        assert 'data-status="assigned"' in panel
