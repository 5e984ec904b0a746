"""The citizen portal in headless Chromium against the running stack: intake and feedback as real
processes, the router too when it can run (a stand-in otherwise). File a grievance on the page and
watch "received" and then "classified" arrive over SSE without reloading."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.e2e.portal_router_standin import run_router_standin
from tests.support.namespace import Namespace, create_namespace, drop_namespace
from tests.support.processes import ARTIFACTS, ROOT, ServiceProcess, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def use_real_router() -> bool:
    """The real router when it can be started (``PORTAL_E2E_ROUTER=standin|real`` overrides)."""
    choice = os.environ.get("PORTAL_E2E_ROUTER", "auto")
    if choice in ("real", "standin"):
        return choice == "real"
    return (ROOT / "services" / "router" / "__main__.py").is_file()


@dataclass
class Stack:
    namespace: Namespace
    portal_url: str
    real_router: bool


@pytest.fixture(scope="module")
async def stack() -> AsyncIterator[Stack]:
    real_router = use_real_router()
    services = ["intake", "feedback", *(["router"] if real_router else [])]
    namespace = await create_namespace(services)
    intake_port, feedback_port, router_port = free_port(), free_port(), free_port()
    portal_url = f"http://127.0.0.1:{feedback_port}"
    processes = [
        ServiceProcess(
            "intake",
            "all",
            namespace.env(INTAKE_HTTP_PORT=str(intake_port), INTAKE_CORS_ORIGINS=json.dumps([portal_url])),
            port=intake_port,
            name="portal-e2e-intake",
        ),
        ServiceProcess(
            "feedback",
            "all",
            namespace.env(
                FEEDBACK_HTTP_PORT=str(feedback_port), FEEDBACK_INTAKE_PUBLIC_URL=f"http://127.0.0.1:{intake_port}"
            ),
            port=feedback_port,
            name="portal-e2e-feedback",
        ),
    ]
    if real_router:
        processes.append(
            ServiceProcess(
                "router",
                "all",
                namespace.env(ROUTER_HTTP_PORT=str(router_port)),
                port=router_port,
                name="portal-e2e-router",
            )
        )
    stop_standin = asyncio.Event()
    standin = None if real_router else asyncio.create_task(run_router_standin(namespace, stop_standin))
    try:
        for process in processes:
            process.start()
        for process in processes:
            await process.wait_ready(timeout=90)
        yield Stack(namespace=namespace, portal_url=portal_url, real_router=real_router)
    finally:
        stop_standin.set()
        if standin is not None:
            await standin
        for process in processes:
            await process.stop()
        await drop_namespace(namespace)


async def fill_grievance(page: Page, *, mobile: str, title: str) -> None:
    # Filling by label also proves every field has an accessible name.
    await page.get_by_label("姓名").fill("张三")
    await page.get_by_label("手机号码").fill(mobile)
    await page.get_by_label("街道").select_option("公明街道")
    await page.get_by_label(re.compile(r"^社区")).fill("上村社区")
    await page.get_by_label("标题").fill(title)
    await page.get_by_label("诉求内容").fill(
        "我家楼下的路灯已经坏了两个多星期，晚上出门很黑，老人小孩走路很不安全，请尽快维修。"
    )


async def test_file_a_grievance_and_watch_it_live(stack: Stack) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN")
            page = await context.new_page()
            console_errors: list[str] = []
            page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
            await page.goto(stack.portal_url)
            await expect(page).to_have_title("光明区群众诉求服务平台")
            await page.evaluate("window.__sameDocument = true")

            # Client-side validation, in Chinese, before anything is sent.
            await fill_grievance(page, mobile="1381234", title="路灯")
            await page.get_by_role("button", name="提交诉求").click()
            summary = page.locator("#file-errors")
            await expect(summary).to_be_visible()
            await expect(summary).to_contain_text("手机号码格式不正确，应为 11 位中国大陆手机号")
            await expect(summary).to_contain_text("标题至少 4 个字")
            await expect(page.get_by_label("手机号码")).to_have_attribute("aria-invalid", "true")

            await fill_grievance(page, mobile="13812345678", title="小区门口路灯不亮")
            await page.get_by_role("button", name="提交诉求").click()
            filed = page.locator("#filed")
            await expect(filed).to_be_visible(timeout=15_000)
            tracking_no = await page.locator("#filed-tracking-no").inner_text()
            assert re.fullmatch(r"GM-\d{8}-\d{6}", tracking_no)
            assert len(await page.locator("#filed-token").inner_text()) >= 24

            received = page.locator('#timeline li[data-status="received"]')
            classified = page.locator('#timeline li[data-status="classified"]')
            await expect(received).to_be_visible(timeout=20_000)
            await expect(received).to_contain_text("已登记")
            await expect(classified).to_be_visible(timeout=60_000)
            await expect(classified).to_contain_text("已分类")
            await expect(page.locator("#live-indicator")).to_have_text("实时更新中")
            sequences = await page.locator("#timeline li").evaluate_all("items => items.map(i => i.dataset.status)")
            assert sequences.index("received") < sequences.index("classified")
            assert await page.evaluate("window.__sameDocument === true"), "the page was reloaded"
            await page.screenshot(path=str(ARTIFACTS / "portal-browser.png"), full_page=True)

            # Looking up with a wrong token shows the service's Chinese problem detail.
            await page.get_by_label("查询编号").fill(tracking_no)
            await page.get_by_label("查询码").fill("wrong-token")
            await page.get_by_role("button", name="查询", exact=True).click()
            await expect(page.locator("#lookup-status")).to_have_text("未找到该编号的诉求，或查询码不正确。")
            assert not [e for e in console_errors if "Content Security Policy" in e]
        finally:
            await browser.close()
    assert Path(ARTIFACTS / "portal-browser.png").stat().st_size > 10_000
