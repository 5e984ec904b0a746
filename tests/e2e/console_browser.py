"""Browser helpers for the console's end-to-end test (test_console_browser.py): the staff crew,
each member in a browser context of their own, and what every page is checked for (console errors,
accessible names, the skip link)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.support.processes import ARTIFACTS, ROOT

NEW_PASSWORD = "光明区信访工作台2027"
# Set to 1 to refresh the README's screenshots (docs/images/console-<role>.png); CI leaves docs alone.
SCREENSHOTS_TO_DOCS = "CONSOLE_SCREENSHOTS_TO_DOCS"
DOCS_IMAGES = ROOT / "docs" / "images"
DESKTOP: ViewportSize = {"width": 1366, "height": 900}

# Every visible form control and the accessible name it gets from a <label for>, aria-label or
# aria-labelledby; a control without one is reported by its id or name.
UNNAMED_CONTROLS = """() => {
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const text = (el) => (el ? el.textContent.trim() : "");
  const named = (el) =>
    Array.from(el.labels || []).some((label) => text(label)) ||
    (el.getAttribute("aria-label") || "").trim() ||
    (el.getAttribute("aria-labelledby") || "").split(/\\s+/).some((id) => text(document.getElementById(id)));
  return Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea"))
    .filter(visible)
    .filter((el) => !named(el))
    .map((el) => el.id || el.name || el.outerHTML.slice(0, 80));
}"""


# Every Content-Security-Policy refusal on a page, reported to the test through an exposed binding
# (added by Playwright, so the page's own policy does not stop the report).
REPORT_CSP_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) =>
  window.__reportCspViolation(`${document.URL}: ${e.violatedDirective} refused ${e.blockedURI || "inline"}` +
    ` at ${e.sourceFile || "?"}:${e.lineNumber} ${e.sample || ""}`));"""
CSP_EVENT, CSP_CONSOLE = "CSP event: ", "CSP console: "
INJECT_INLINE_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__inlineScriptRan = true";
  document.head.append(script);
  return window.__inlineScriptRan === true;
}"""


@dataclass
class Crew:
    """The staff of the journey: who they are, their passwords, and a signed-in page each."""

    browser: Browser
    console_url: str
    portal_url: str
    passwords: dict[str, str] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    async def context(self, *, watch: bool = True, **options: Any) -> BrowserContext:
        """A browser of one's own: own cookies, so one role never rides on another's session.
        Watched, a script error or console error on any of its pages (a failed load, a broken
        chart) fails the test. Content-Security-Policy refusals fail it always, watched or not:
        the browser's console message and the page's ``securitypolicyviolation`` event both."""
        options = {"viewport": DESKTOP, "locale": "zh-CN", "timezone_id": "Asia/Shanghai", **options}
        context = await self.browser.new_context(**options)
        context.set_default_timeout(15_000)
        await context.expose_function("__reportCspViolation", lambda text: self.errors.append(CSP_EVENT + text))
        await context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", lambda m: self._console_error(m.location.get("url", ""), m.text, m.type, watch))
        if watch:
            context.on("weberror", lambda e: self.errors.append(f"{e.page and e.page.url}: {e.error}"))
        return context

    def _console_error(self, url: str, text: str, kind: str, watch: bool) -> None:
        if "Content Security Policy" in text:
            self.errors.append(f"{CSP_CONSOLE}{url}: {text}")
        # The portal and casework's document previews declare no icon, so the browser guesses at
        # /favicon.ico (404): not a fault of any page. The console's pages name theirs.
        elif watch and kind == "error" and not url.endswith("/favicon.ico"):
            self.errors.append(f"{url}: {text}")

    async def refusals_of(self, action: Callable[[], Awaitable[Any]]) -> list[str]:
        """What ``action`` made the browser refuse, as both reports (event and console message),
        taken out of ``errors``: for a refusal the test provokes on purpose."""
        before = len(self.errors)
        await action()
        deadline = asyncio.get_running_loop().time() + 5
        while not all(any(e.startswith(kind) for e in self.errors[before:]) for kind in (CSP_EVENT, CSP_CONSOLE)):
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.05)
        caught = self.errors[before:]
        del self.errors[before:]
        return caught

    def assert_no_errors(self) -> None:
        assert not self.errors, self.errors

    def needs(self, *facts: str) -> None:
        missing = [f for f in facts if f not in self.facts]
        assert not missing, f"an earlier step of the journey did not finish: {missing}"


async def create_admin_by_cli(env: dict[str, str]) -> str:
    """``python -m services.console.accounts create-admin`` as up.sh runs it: the one-time password."""
    created = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "services.console.accounts", "create-admin"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    assert "one-time password" in created.stdout, created.stdout
    return created.stdout.strip().splitlines()[-1].strip()


async def sign_in(page: Page, console_url: str, username: str, password: str) -> None:
    await page.goto(f"{console_url}/login")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码", exact=True).fill(password)
    await page.get_by_role("button", name="登录", exact=True).click()


async def change_one_time_password(page: Page, console_url: str, one_time: str, new: str) -> None:
    """The first sign-in lands on the password page, which insists before anything else."""
    await expect(page).to_have_url(f"{console_url}/account/password")
    await expect(page.get_by_role("alert")).to_contain_text("一次性密码")
    await page.get_by_label("当前密码").fill(one_time)
    await page.get_by_label("新密码", exact=True).fill(new)
    await page.get_by_label("再次输入新密码").fill(new)
    await page.get_by_role("button", name="保存新密码").click()
    await expect(page.get_by_role("status")).to_contain_text("密码已修改")


async def first_sign_in(crew: Crew, who: str, username: str, home: str) -> Page:
    """``who`` signs in with the one-time password from the admin, sets their own, reaches home."""
    page = await (await crew.context()).new_page()
    one_time = crew.passwords[username]
    await sign_in(page, crew.console_url, username, one_time)
    await change_one_time_password(page, crew.console_url, one_time, NEW_PASSWORD)
    crew.passwords[username] = NEW_PASSWORD
    await page.get_by_role("link", name="进入工作台").click()
    await expect(page).to_have_url(f"{crew.console_url}{home}")
    crew.pages[who] = page
    return page


async def reload_until(page: Page, url: str, ready: Callable[[], Awaitable[bool]], what: str, timeout: float) -> None:
    """Open ``url`` again until ``ready``: for figures a service computes a moment after the event."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await page.goto(url)
        if await ready():
            return
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(1)


async def total_of(page: Page, table: str, column: int) -> int:
    """A count in a dashboard table's total (合计) row; ``column`` counts the data cells from 0."""
    cells = page.locator(f"#table-{table} tr.total td")
    text = await (cells.last if column < 0 else cells.nth(column)).inner_text()
    return int(text.replace(",", ""))


async def screenshot(page: Page, role: str, *, docs: bool = True) -> None:
    """The role's page as test artifact and, with ``docs``, for the README when asked
    (CONSOLE_SCREENSHOTS_TO_DOCS=1)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"console-{role}.png"
    await page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000, "an empty screenshot"
    if docs and os.environ.get(SCREENSHOTS_TO_DOCS) == "1":
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / path.name)


async def assert_keyboard_and_labels(page: Page, url: str) -> None:
    """On ``url`` freshly loaded: every visible control has an accessible name, and the first Tab
    stop is the skip link, which moves the focus to the main content."""
    await page.goto(url)
    assert await page.evaluate(UNNAMED_CONTROLS) == [], f"controls without a name on {page.url}"
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip-link", page.url
    await expect(page.locator(".skip-link")).to_have_text("跳到正文")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main", page.url
