"""The staff console in headless Chromium against the real stack: every service and the console run
as processes; one journey through every role, each in a browser of its own (own cookies).

The admin, made by the CLI, creates the staff, who change their one-time passwords at first
sign-in; the supervisor notes this month's figures; the registrar registers a walk-in (the ID
check answers as one types, over htmx); the reviewer corrects the routing and watches the dispatch
arrive (htmx polling); the housing officer signs for, accepts, starts and answers, and previews the
信访处理意见书; the citizen rates the answer on the phone portal; the supervisor's figures have
moved by one. Then keyboard and label basics on each role's page, a keyboard-only sign-in, and an
officer of another department who sees nothing of the case. A consumer dispute filed at intake
goes straight to mediation; the market-regulation mediator accepts it, records both parties'
consent, schedules a session (seen in the calendar), records the agreement and previews the
调解协议书. Every page runs under the console's strict Content-Security-Policy, and any refusal
fails the journey. Screenshots go to test-artifacts/ (and docs/images/ with
CONSOLE_SCREENSHOTS_TO_DOCS=1)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from playwright.async_api import async_playwright, expect

from shared.clock import CHINA_TZ
from tests.e2e.console_browser import (
    CSP_CONSOLE,
    CSP_EVENT,
    DESKTOP,
    INJECT_INLINE_SCRIPT,
    NEW_PASSWORD,
    Crew,
    assert_keyboard_and_labels,
    change_one_time_password,
    create_admin_by_cli,
    first_sign_in,
    reload_until,
    screenshot,
    sign_in,
    total_of,
)
from tests.e2e.test_portal_browser import CHROMIUM, CHROMIUM_ARGS
from tests.support.console import console_env
from tests.support.namespace import Namespace
from tests.support.processes import ServiceProcess, free_port
from tests.support.stack import Stack, start_stack

pytestmark = pytest.mark.slow

TITLE = "工地夜间施工扰民"
CONTENT = "小区旁边工地夜间施工噪音很大，晚上十一点以后还在打桩，影响休息，请管一管"
ID_CARD = "11010519491231002X"
WRONG_CHECK_DIGIT = "110105194912310021"
FACTS = "经现场核查，该工地夜间违规施工属实，已责令停止夜间作业并立案处罚。"
# A consumer dispute in 凤凰街道: the router is sure of the mediation track (no review), the
# triage rules send consumer disputes to market regulation, whose one mediator in the street leads.
DISPUTE = {
    "complainant": {"name": "何文静", "mobile": "13912345678"},
    "address": {"street": "凤凰街道", "community": "凤凰", "detail": "凤凰社区商业街 12 号"},
    "title": "健身房关门不退会员卡费",
    "content": "我在凤凰社区一家健身房办了两年的会员卡，交了3800元，上个月商家突然关门，店长不接电话也不退款。"
    "不想打官司，希望社区帮忙调解，让商家退还剩余的会员费。",
    "respondent": "凤凰健身会所",
    "desired_outcome": "退还剩余会员费",
}
MINUTES = "双方到场。被申请人承认已停业，同意按未使用月数退还会员费。"
TERMS = "被申请人于七日内退还申请人剩余会员费人民币2600元。\n申请人放弃其他请求。"


@dataclass(frozen=True)
class Member:
    username: str
    display_name: str
    role: str
    department: str
    home: str


STAFF = {
    "registrar": Member("reg.chen", "陈登记", "registrar", "", "/registrar"),
    "reviewer": Member("rev.wang", "王审核", "reviewer", "", "/reviews"),
    "officer": Member("off.housing", "林住建", "department_officer", "housing", "/inbox"),
    "outsider": Member("off.education", "周教育", "department_officer", "education", "/inbox"),
    "supervisor": Member("sup.zhao", "赵督查", "supervisor", "", "/dashboard"),
    # The user name is the mediation roster's account for 孟凡宇 (services/mediation/data/roster.yaml).
    "mediator": Member("mediator.mr-fenghuang-01", "孟凡宇", "mediator", "market-regulation", "/mediation"),
}


@pytest.fixture(scope="module")
async def stack(namespace: Namespace) -> AsyncIterator[Stack]:
    # A demanding review threshold: the registered noise complaint (confidence 0.990 with the
    # current corpus) waits for the reviewer, the consumer dispute (0.9995) goes to mediation.
    running = await start_stack(namespace, extra_env={"ROUTER_REVIEW_THRESHOLD": "0.995"})
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture(scope="module")
async def console(namespace: Namespace, stack: Stack) -> AsyncIterator[ServiceProcess]:
    port = free_port()
    env = console_env(namespace, stack, CONSOLE_HTTP_PORT=str(port))
    process = ServiceProcess("console", "api", env, name=f"{namespace.name}-console", port=port).start()
    try:
        await process.wait_ready(timeout=60)
        yield process
    finally:
        await process.stop()


@pytest.fixture(scope="module")
async def crew(stack: Stack, console: ServiceProcess) -> AsyncIterator[Crew]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield Crew(browser=browser, console_url=console.base_url, portal_url=stack.url("feedback"))
        finally:
            await browser.close()


async def test_admin_from_the_cli_creates_the_staff(namespace: Namespace, stack: Stack, crew: Crew) -> None:
    one_time = await create_admin_by_cli(console_env(namespace, stack))

    page = await (await crew.context()).new_page()
    await sign_in(page, crew.console_url, "admin", one_time)
    await change_one_time_password(page, crew.console_url, one_time, NEW_PASSWORD)
    await page.goto(f"{crew.console_url}/")
    await expect(page).to_have_url(f"{crew.console_url}/admin/users")
    for member in STAFF.values():
        await page.get_by_label("用户名").fill(member.username)
        await page.get_by_label("姓名").fill(member.display_name)
        await page.get_by_label("角色").select_option(member.role)
        await page.get_by_label(re.compile(r"^所属部门")).select_option(member.department)
        await page.get_by_role("button", name="创建账号并生成一次性密码").click()
        await expect(page.get_by_role("heading", name=f"新账号已创建：{member.username}")).to_be_visible()
        crew.passwords[member.username] = (await page.locator("code.one-time-password").inner_text()).strip()
    listed = page.locator("#accounts-heading ~ div table tbody tr")
    await expect(listed).to_have_count(1 + len(STAFF))
    await expect(listed.filter(has_text="待修改一次性密码")).to_have_count(len(STAFF))
    assert len(set(crew.passwords.values())) == len(STAFF), "every account its own one-time password"
    crew.pages["admin"] = page
    await screenshot(page, "admin")
    crew.assert_no_errors()


async def test_pages_run_under_a_strict_content_security_policy(crew: Crew) -> None:
    page = crew.pages["admin"]
    answer = await page.goto(f"{crew.console_url}/admin/users")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe" not in policy, policy
    ran: list[bool] = []

    async def inject() -> None:
        ran.append(await page.evaluate(INJECT_INLINE_SCRIPT))

    # An injected inline script does not run, and both watchers report the refusal.
    refusals = await crew.refusals_of(inject)
    assert ran == [False]
    assert any(r.startswith(CSP_EVENT) and "script-src" in r for r in refusals), refusals
    assert any(r.startswith(CSP_CONSOLE) for r in refusals), refusals
    crew.assert_no_errors()


async def test_supervisor_notes_this_months_figures(crew: Crew) -> None:
    member = STAFF["supervisor"]
    page = await first_sign_in(crew, "supervisor", member.username, member.home)
    await expect(page.get_by_role("heading", level=1)).to_have_text("统计分析")
    # ECharts drew the chart next to the table (static/dashboard.js, no inline script).
    await expect(page.locator('[data-chart="received_track"] svg')).to_have_count(1)
    # Its tooltip is built as DOM nodes: ECharts' own HTML would carry style attributes the policy refuses.
    chart = page.locator('[data-chart="received_track"]')
    await chart.hover()
    await expect(chart.locator(".chart-tip-title")).to_be_visible()
    await expect(chart.locator(".chart-tip-marker")).not_to_have_count(0)
    await screenshot(page, "supervisor-tooltip", docs=False)
    crew.facts["received"] = await total_of(page, "received_track", -1)
    crew.facts["ratings"] = await total_of(page, "satisfaction", 0)
    crew.assert_no_errors()


async def test_registrar_registers_a_walk_in(crew: Crew) -> None:
    member = STAFF["registrar"]
    page = await first_sign_in(crew, "registrar", member.username, member.home)
    await page.evaluate("window.__sameDocument = true")
    id_card, verdict = page.get_by_label(re.compile(r"^居民身份证号码")), page.locator("#id_card-check")
    await id_card.press_sequentially(WRONG_CHECK_DIGIT, delay=15)
    await expect(verdict).to_contain_text("校验位（最后一位）与前 17 位不符")
    await id_card.fill("")
    await id_card.press_sequentially(ID_CARD, delay=15)
    await expect(verdict).to_contain_text("身份证号码校验通过")
    await page.get_by_label(re.compile(r"^手机号码")).press_sequentially("13823456789", delay=15)
    await expect(page.locator("#mobile-check")).to_contain_text("手机号码格式正确")
    assert await page.evaluate("window.__sameDocument === true"), "the checks reloaded the page"

    await page.get_by_label("姓名").fill("郑国强")
    await page.get_by_label("街道").select_option("马田街道")
    # htmx swaps in the street's own communities (no groups of other streets left)
    await expect(page.locator("#community optgroup")).to_have_count(0)
    await page.get_by_label("社区", exact=True).select_option("将石")
    await page.get_by_label(re.compile(r"^详细地址")).fill("将石社区建设路 8 号旁")
    await page.get_by_label(re.compile(r"^标题")).fill(TITLE)
    await page.get_by_label(re.compile(r"^诉求内容")).fill(CONTENT)
    await page.get_by_role("button", name="检查重复").click()
    await expect(page.get_by_role("heading", name="重复件检查")).to_be_visible()
    await expect(page.get_by_text("未发现该信访人此前登记的诉求")).to_be_visible()
    await screenshot(page, "registrar")

    await page.get_by_role("button", name="确认登记").click()
    await expect(page.get_by_role("heading", name="光明区信访局信访事项登记回执")).to_be_visible()
    tracking_no = (await page.locator(".tracking-no").inner_text()).strip()
    token = (await page.locator("code.tracking-token").inner_text()).strip()
    assert re.fullmatch(r"GM-\d{8}-\d{6}", tracking_no), tracking_no
    assert len(token) >= 24
    await expect(page.locator(".receipt")).to_contain_text("马田街道")
    # shown by static/print.js (no inline onclick under the policy)
    await expect(page.get_by_role("button", name="打印回执")).to_be_visible()
    await screenshot(page, "registrar-receipt", docs=False)
    crew.facts.update(tracking_no=tracking_no, token=token)
    crew.assert_no_errors()


async def test_reviewer_corrects_the_routing_and_watches_the_dispatch(crew: Crew) -> None:
    crew.needs("tracking_no")
    member = STAFF["reviewer"]
    page = await first_sign_in(crew, "reviewer", member.username, member.home)
    row = page.get_by_role("row").filter(has_text=crew.facts["tracking_no"])

    async def queued() -> bool:
        return await row.count() == 1

    await reload_until(page, f"{crew.console_url}/reviews", queued, "the grievance in the review queue", 60)
    await screenshot(page, "reviewer-queue", docs=False)
    await row.get_by_role("link", name=TITLE).click()
    await expect(page.locator(".grievance-text mark").filter(has_text="夜间施工")).not_to_have_count(0)

    await page.get_by_label("分流类别").select_option("petition")
    await page.get_by_label(re.compile(r"^信访类别")).select_option("claim")
    await page.get_by_label("责任领域").select_option("城乡建设")
    category = page.get_by_label("二级分类")
    await expect(category.locator('option[value="城市建设和市政管理"]')).to_have_count(1)  # htmx: the area's
    await category.select_option("城市建设和市政管理")
    await page.get_by_label("主办单位").select_option("housing")
    await page.get_by_label(re.compile(r"^审核意见")).fill("工地施工许可和文明施工归住建部门监管")
    await page.get_by_role("button", name="按修改提交").click()

    await expect(page.get_by_role("heading", name="分派进度")).to_be_visible()
    await page.evaluate("window.__sameDocument = true")
    polling = await page.locator("#dispatch[hx-trigger]").count() == 1
    dispatched = page.locator("#dispatch .dispatched")
    await expect(dispatched).to_be_visible(timeout=60_000)
    if polling:  # the dispatch arrived while the page was open: htmx swapped it in, no reload
        assert await page.evaluate("window.__sameDocument === true")
        await expect(page.locator("#dispatch[hx-trigger]")).to_have_count(0)  # and stopped polling
    await expect(dispatched).to_have_attribute("data-status", "assigned")
    await expect(dispatched).to_contain_text("光明区住房和建设局")
    await screenshot(page, "reviewer")
    crew.assert_no_errors()


async def test_department_officer_answers_and_previews_the_opinion(crew: Crew) -> None:
    crew.needs("tracking_no")
    member = STAFF["officer"]
    page = await first_sign_in(crew, "officer", member.username, member.home)
    row = page.get_by_role("row").filter(has_text=crew.facts["tracking_no"])

    async def in_inbox() -> bool:
        return await row.count() == 1

    await reload_until(page, f"{crew.console_url}/inbox", in_inbox, "the case in the inbox", 60)
    await expect(row.locator("span.clock-ok, span.clock-near")).to_contain_text(re.compile(r"剩余\d+天"))
    await screenshot(page, "department-officer-inbox", docs=False)
    await row.get_by_role("link", name=crew.facts["tracking_no"]).click()
    crew.facts["case_url"] = page.url
    await expect(page.locator("#h-clocks ~ table")).to_contain_text(re.compile(r"剩余\d+天"))
    await screenshot(page, "department-officer")

    state = page.locator("#case-state")
    for button, reached in (("签收", "signed_for"), ("受理", "accepted"), ("开始办理", "in_progress")):
        await page.get_by_role("button", name=button, exact=True).click()
        await expect(state).to_have_attribute("data-state", reached)
    reply = page.locator("#action-reply")
    await reply.get_by_label("处理意见").select_option("support")
    await reply.get_by_label("诉求概述").fill("请求制止工地夜间施工噪音")
    await reply.get_by_label("事实和理由").fill(FACTS)
    await reply.get_by_label("依据").fill("《中华人民共和国噪声污染防治法》")
    await reply.get_by_role("button", name="答复（信访处理意见书）").click()
    await expect(state).to_have_attribute("data-state", "replied")
    await expect(page.locator(".history")).to_contain_text("书面答复：支持")
    await screenshot(page, "department-officer-replied", docs=False)

    opinion = page.get_by_role("row").filter(has_text="信访处理意见书")
    async with page.context.expect_page() as opened:
        await opinion.get_by_role("link", name="预览").click()
    preview = await opened.value
    await expect(preview.locator("body")).to_contain_text(FACTS)
    await preview.close()
    crew.assert_no_errors()


async def test_citizen_rates_the_answer_on_the_phone_portal(crew: Crew) -> None:
    crew.needs("tracking_no", "token", "case_url")
    context = await crew.context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = await context.new_page()
    await page.goto(crew.portal_url)
    await page.get_by_label("查询编号").fill(crew.facts["tracking_no"])
    await page.get_by_label("查询码").fill(crew.facts["token"])
    await page.get_by_role("button", name="查询", exact=True).click()
    await expect(page.locator('#timeline li[data-status="replied"]')).to_be_visible(timeout=30_000)
    rate = page.locator("#rate")
    await expect(rate).to_be_visible(timeout=15_000)
    await rate.get_by_label("满意", exact=True).check()
    await rate.get_by_role("button", name="提交评价").click()
    await expect(page.locator("#follow-up-status")).to_have_class(re.compile(r"\bok\b"))
    await expect(rate).to_be_hidden()
    await screenshot(page, "citizen-rating", docs=False)
    await context.close()
    crew.assert_no_errors()


async def test_supervisor_sees_the_figures_move(crew: Crew) -> None:
    crew.needs("received", "ratings")
    page = crew.pages["supervisor"]
    received, ratings = crew.facts["received"], crew.facts["ratings"]
    seen: dict[str, int] = {}

    async def moved() -> bool:
        seen.update(
            received=await total_of(page, "received_track", -1), ratings=await total_of(page, "satisfaction", 0)
        )
        return seen == {"received": received + 1, "ratings": ratings + 1}

    await reload_until(page, f"{crew.console_url}/dashboard", moved, f"received and ratings +1 (now {seen})", 60)
    await screenshot(page, "supervisor")
    crew.assert_no_errors()


async def test_a_consumer_dispute_is_filed_at_intake(stack: Stack, crew: Crew) -> None:
    # Filed after the supervisor's figures were compared, so they moved by the walk-in alone.
    async with httpx.AsyncClient(base_url=stack.url("intake"), timeout=30) as intake:
        filed = await intake.post("/v1/grievances", json=DISPUTE)
    assert filed.status_code == 202, filed.text
    crew.facts["dispute_no"] = filed.json()["tracking_no"]


async def test_mediator_records_consent_session_and_agreement(crew: Crew) -> None:
    crew.needs("dispute_no")
    member = STAFF["mediator"]
    page = await first_sign_in(crew, "mediator", member.username, member.home)
    row = page.get_by_role("row").filter(has_text=crew.facts["dispute_no"])

    async def assigned() -> bool:
        return await row.count() == 1

    await reload_until(page, f"{crew.console_url}/mediation", assigned, "the dispute among the mediator's cases", 60)
    await expect(row).to_contain_text("健身房关门不退会员卡费")
    await row.get_by_role("link", name=crew.facts["dispute_no"]).click()
    crew.facts["mediation_url"] = page.url
    state = page.locator("#case-state")
    await expect(state).to_have_attribute("data-state", "opened")
    await expect(page.locator("#h-team ~ ul")).to_contain_text("孟凡宇（主持调解员）")

    await page.locator("#action-accept").get_by_role("button").click()
    await expect(state).to_have_attribute("data-state", "accepted")
    for party in ("申请人", "被申请人"):
        consent = page.locator("#action-consent")
        await consent.get_by_label("当事人", exact=True).select_option(label=party)
        await consent.get_by_label("同意", exact=True).check()
        await consent.get_by_label("备注").fill("当面确认同意调解")
        await consent.get_by_role("button").click()
        await expect(page.locator("#h-consents ~ table")).to_contain_text(party)
    await expect(state).to_have_attribute("data-state", "in_mediation")

    session_at = (datetime.now(CHINA_TZ) + timedelta(days=2)).replace(hour=10, minute=30)
    schedule = page.locator("#action-schedule")
    await schedule.get_by_label("调解时间").fill(session_at.strftime("%Y-%m-%dT%H:%M"))
    await schedule.get_by_label("地点").fill("凤凰社区人民调解室")
    await schedule.get_by_role("button").click()
    await expect(state).to_have_attribute("data-state", "scheduled")

    await page.get_by_role("link", name="调解会日历").click()
    await page.get_by_label("月份", exact=True).fill(session_at.strftime("%Y-%m"))
    await page.get_by_role("button", name="查看").click()
    day = page.locator(f'td[data-date="{session_at.date().isoformat()}"] .session')
    await expect(day).to_contain_text(crew.facts["dispute_no"])
    await expect(day).to_contain_text("10:30")
    await expect(day).to_contain_text("凤凰社区人民调解室")
    await screenshot(page, "mediator-calendar", docs=False)
    await day.get_by_role("link", name=crew.facts["dispute_no"]).click()

    # The session takes place (held now: the service records no session in the future).
    record = page.locator("#action-record")
    await expect(record.get_by_label("申请人出席", exact=True)).to_be_checked()
    await record.get_by_label("调解笔录").fill(MINUTES)
    await record.get_by_role("button").click()
    await expect(state).to_have_attribute("data-state", "in_mediation")
    await expect(page.locator("#h-sessions ~ table")).to_contain_text(MINUTES)

    agreement = page.locator("#action-agreement")
    await agreement.get_by_label("协议条款（每行一条）").fill(TERMS)
    await agreement.get_by_label("履行期限").fill((session_at + timedelta(days=10)).date().isoformat())
    await agreement.get_by_role("button").click()
    await expect(state).to_have_attribute("data-state", "agreed")
    document = page.get_by_role("row").filter(has_text="调解协议书")
    await expect(document).to_have_count(1)
    # The case from its heading to the 调解协议书 in one view: a taller window for this picture.
    await page.set_viewport_size({"width": DESKTOP["width"], "height": 1240})
    await screenshot(page, "mediator")
    await page.set_viewport_size(DESKTOP)

    async with page.context.expect_page() as opened:
        await document.get_by_role("link", name="预览").click()
    preview = await opened.value
    await expect(preview.locator("body")).to_contain_text("调解协议书")
    await expect(preview.locator("body")).to_contain_text("人民币2600元")
    await preview.close()
    crew.assert_no_errors()


async def test_keyboard_and_labels_on_every_role_page(crew: Crew) -> None:
    crew.needs("case_url", "mediation_url")
    pages = {
        "admin": "/admin/users",
        "registrar": "/registrar",
        "reviewer": "/reviews",
        "officer": "/inbox",
        "supervisor": "/dashboard",
        "mediator": "/mediation",
    }
    for who, path in pages.items():
        await assert_keyboard_and_labels(crew.pages[who], f"{crew.console_url}{path}")
    await assert_keyboard_and_labels(crew.pages["officer"], crew.facts["case_url"])
    await assert_keyboard_and_labels(crew.pages["mediator"], f"{crew.console_url}/mediation/calendar")
    await assert_keyboard_and_labels(crew.pages["mediator"], crew.facts["mediation_url"])
    crew.assert_no_errors()


async def test_keyboard_sign_in_and_another_department_sees_nothing(crew: Crew) -> None:
    crew.needs("tracking_no", "case_url")
    member = STAFF["outsider"]
    # Not watched: the refused case below answers 404, which the browser logs as an error.
    page = await (await crew.context(watch=False)).new_page()
    await page.goto(f"{crew.console_url}/login")
    focused = "document.activeElement.id || document.activeElement.textContent.trim()"
    assert await page.evaluate(focused) == "username", "the user name field has the focus"
    await page.keyboard.type(member.username)
    await page.keyboard.press("Tab")
    assert await page.evaluate(focused) == "password"
    await page.keyboard.type(crew.passwords[member.username])
    await page.keyboard.press("Tab")
    assert await page.evaluate(focused) == "登录"
    await page.keyboard.press("Enter")
    await change_one_time_password(page, crew.console_url, crew.passwords[member.username], NEW_PASSWORD)

    await page.goto(f"{crew.console_url}/inbox")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("部门收件箱")
    await expect(page.get_by_text(crew.facts["tracking_no"])).to_have_count(0)
    refused = await page.goto(crew.facts["case_url"])
    assert refused is not None and refused.status == 404
    await expect(page.locator("main")).not_to_contain_text(CONTENT[:12])
    crew.assert_no_errors()  # a 404 is no fault here, but a refusal of the policy would be
