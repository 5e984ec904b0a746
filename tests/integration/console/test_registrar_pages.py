"""The registrar's pages against the real stack: the ID-card and mobile checks as one types, the
community picker, a walk-in grievance registered through the form and found at intake, a repeat of
the same person shown before saving, the receipt, and refusals (the console's own checks, intake's
422, a missing CSRF token) that save nothing."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest

from shared.events.vocabulary import Role
from tests.support.console import TEST_CSRF, signed_in_as, viewer
from tests.support.namespace import Namespace
from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.slow

ID_CARD = "11010519491231002X"
OLD_ID_CARD = "110105491231002"  # the same person's 15-digit number of before 1999
MOBILE = "13712345670"
TRACKING_NO = re.compile(r"GM-\d{8}-\d{6}")
HTMX = {"HX-Request": "true", "X-CSRF-Token": TEST_CSRF}


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[Stack]:
    running = await start_stack(namespace)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def console(namespace: Namespace, stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with signed_in_as(namespace, stack, viewer(Role.registrar)) as client:
        yield client


async def grievance_count(namespace: Namespace) -> int:
    conn = await asyncpg.connect(namespace.asyncpg_dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM intake.grievance"))
    finally:
        await conn.close()


def walk_in(**changes: str) -> dict[str, str]:
    form = {
        "csrf_token": TEST_CSRF,
        "idempotency_key": uuid.uuid4().hex,
        "channel": "walk_in",
        "name": "林晓梅",
        "id_card": ID_CARD,
        "mobile": MOBILE,
        "street": "马田街道",
        "community": "将石",
        "address_detail": "将石社区二巷 5 号",
        "title": "小区门口积水严重",
        "content": "每次下雨将石社区二巷门口积水到小腿，排水沟堵了好久，老人孩子出门都要蹚水，请尽快疏通。",
        "desired_outcome": "疏通排水沟",
        "step": "save",
    }
    form.update(changes)
    return form


async def test_the_form_offers_pickers_and_checks_numbers_as_typed(console: httpx.AsyncClient) -> None:
    form = await console.get("/registrar")
    assert form.status_code == 200
    for field in ("id_card", "mobile", "name", "street", "community", "title", "content", "anonymous"):
        assert f'<label for="{field}"' in form.text, field
    assert 'hx-post="/registrar/check/id-card"' in form.text
    assert "办理单位看不到信访人的姓名和联系方式" in form.text  # what anonymity means

    async def check(path: str, field: str, value: str) -> str:
        response = await console.post(path, data={field: value}, headers=HTMX)
        assert response.status_code == 200
        return response.text

    assert "校验通过" in await check("/registrar/check/id-card", "id_card", ID_CARD)
    assert "校验位" in await check("/registrar/check/id-card", "id_card", "110105194912310021")
    assert "出生日期" in await check("/registrar/check/id-card", "id_card", "11010519491331002X")
    assert ID_CARD in await check("/registrar/check/id-card", "id_card", OLD_ID_CARD)  # upgraded to 18
    assert "18 位" in await check("/registrar/check/id-card", "id_card", "1101051949")
    assert "格式正确" in await check("/registrar/check/mobile", "mobile", "+86 137 1234 5670")
    assert "11 位" in await check("/registrar/check/mobile", "mobile", "1371234")
    assert "大陆手机号码" in await check("/registrar/check/mobile", "mobile", "12812345678")
    # the checks are POSTs of personal numbers: the session's CSRF token is required there too
    forged = await console.post("/registrar/check/mobile", data={"mobile": MOBILE}, headers={"HX-Request": "true"})
    assert forged.status_code == 403

    communities = await console.get("/registrar/communities", params={"street": "玉塘街道"})
    assert communities.status_code == 200
    assert ">田寮</option>" in communities.text and ">将石</option>" not in communities.text


async def test_a_walk_in_is_checked_for_repeats_registered_found_at_intake_and_receipted(
    namespace: Namespace, stack: Stack, console: httpx.AsyncClient
) -> None:
    first_form = walk_in(step="check")
    checked = await console.post("/registrar", data=first_form)
    assert checked.status_code == 200, checked.text
    assert "未发现该信访人此前登记的诉求" in checked.text
    assert 'value="save"' in checked.text  # the confirm button appears after the check

    saved = await console.post("/registrar", data={**first_form, "step": "save"})
    assert saved.status_code == 200, saved.text
    [tracking_no] = set(TRACKING_NO.findall(saved.text))
    assert "回执" in saved.text and "第二十二条" in saved.text and "查询码" in saved.text
    token = re.search(r'class="tracking-token">([^<]+)<', saved.text)
    assert token is not None and len(token.group(1)) >= 24

    # the same form submitted again (a double click, a reload) registers nothing new
    again = await console.post("/registrar", data={**first_form, "step": "save"})
    assert set(TRACKING_NO.findall(again.text)) == {tracking_no}
    assert await grievance_count(namespace) == 1

    registrar = viewer(Role.registrar).token
    async with httpx.AsyncClient(base_url=stack.url("intake"), timeout=30) as intake:
        record = await intake.get(
            f"/v1/staff/grievances/{tracking_no}", headers={"Authorization": f"Bearer {registrar}"}
        )
    assert record.status_code == 200, record.text
    filed: dict[str, Any] = record.json()
    assert (filed["channel"], filed["title"], filed["address"]["community"]) == ("walk_in", "小区门口积水严重", "将石")
    assert filed["complainant"]["mobile_masked"] == "137****5670"

    # the same person again, this time with the old 15-digit number and another phone
    repeat = await console.post(
        "/registrar", data=walk_in(step="check", id_card=OLD_ID_CARD, mobile="13987654321", title="积水还是没人管")
    )
    assert repeat.status_code == 200
    assert tracking_no in repeat.text
    assert "此前已登记 1 件诉求" in repeat.text and "身份证号" in repeat.text
    assert await grievance_count(namespace) == 1  # checking saves nothing

    reprint = await console.get(f"/registrar/receipts/{tracking_no}")
    assert reprint.status_code == 200
    assert tracking_no in reprint.text and "tracking-token" not in reprint.text  # the token is shown once


async def test_an_anonymous_letter_leaves_no_contact(namespace: Namespace, console: httpx.AsyncClient) -> None:
    before = await grievance_count(namespace)
    form = walk_in(channel="letter", anonymous="1", name="", id_card="", mobile="", title="匿名来信反映积水")
    checked = await console.post("/registrar", data={**form, "step": "check"})
    assert "无法按信访人查找" in checked.text
    saved = await console.post("/registrar", data=form)
    assert saved.status_code == 200, saved.text
    assert "匿名" in saved.text and "来信" in saved.text
    assert await grievance_count(namespace) == before + 1


async def test_bad_input_is_shown_next_to_the_fields_and_saves_nothing(
    namespace: Namespace, console: httpx.AsyncClient
) -> None:
    before = await grievance_count(namespace)
    # the console's own checks, the same as while typing
    wrong_id = await console.post("/registrar", data=walk_in(id_card="110105194912310021", name=""))
    assert wrong_id.status_code == 422
    assert 'id="id_card-error"' in wrong_id.text and "校验位" in wrong_id.text
    assert 'id="name-error"' in wrong_id.text
    assert 'value="110105194912310021"' in wrong_id.text  # the form comes back as typed
    # what only intake checks: its 422 next to the field
    no_chinese = await console.post("/registrar", data=walk_in(content="please fix the drain near my home now"))
    assert no_chinese.status_code == 422
    assert 'id="content-error"' in no_chinese.text and "请用中文描述您的诉求" in no_chinese.text
    short_title = await console.post("/registrar", data=walk_in(title="水"))
    assert short_title.status_code == 422
    assert 'id="title-error"' in short_title.text
    wrong_place = await console.post("/registrar", data=walk_in(street="玉塘街道", community="将石"))
    assert wrong_place.status_code == 422 and 'id="community-error"' in wrong_place.text
    assert await grievance_count(namespace) == before


async def test_without_the_csrf_token_nothing_is_saved(namespace: Namespace, console: httpx.AsyncClient) -> None:
    before = await grievance_count(namespace)
    form = walk_in()
    del form["csrf_token"]
    refused = await console.post("/registrar", data=form)
    assert refused.status_code == 403
    wrong = await console.post("/registrar", data={**form, "csrf_token": "not-the-session-token"})
    assert wrong.status_code == 403
    assert await grievance_count(namespace) == before


async def test_other_roles_are_refused(namespace: Namespace, stack: Stack) -> None:
    async with signed_in_as(namespace, stack, viewer(Role.reviewer)) as reviewer:
        assert (await reviewer.get("/registrar")).status_code == 403
        assert (await reviewer.post("/registrar", data=walk_in())).status_code == 403
