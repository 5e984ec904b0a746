"""The console's Content-Security-Policy: every page, error page, redirect and htmx answer carries
the strict policy (script and style only from the console itself); the static files and the API
documentation do not; and no template holds what the policy would refuse (inline script, event
handler attribute or style attribute). The browser journey (tests/e2e/test_console_browser.py)
fails on any refusal the browser reports.

The console app runs in process against a real PostgreSQL (accounts and sessions); the services
are pointed at a closed port, so pages that need them answer with the console's own error page —
which must carry the policy too."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.console.app import create_app
from services.console.settings import Settings
from services.console.web.render import TEMPLATES
from services.console.web.security_headers import CONTENT_SECURITY_POLICY, DOCS_POLICY
from shared.events.vocabulary import Role
from tests.integration.console.test_sign_in import BASE, accounts_of, get_paths
from tests.support.console_sign_in import make_account, sign_in
from tests.support.namespace import Namespace

# Nothing listens on the discard port: every service call fails fast and the page says so.
NOWHERE = "http://127.0.0.1:9"
SERVICES = ("intake", "router", "casework", "mediation", "feedback")
# Not the console's pages: operations, the annual-report API and its documentation, static files.
NOT_PAGES = ("/healthz", "/readyz", "/metrics", "/static", "/docs", "/redoc", "/openapi.json", "/v1/")
# What a strict policy refuses in a template: inline event handlers, style attributes, javascript:
# URLs, and <script> or <style> elements with code (a JSON data block is no code).
REFUSED = {
    "event handler attribute": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "<style> element": re.compile(r"<style\b", re.I),
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
}


@pytest.fixture(scope="module")
async def app(namespace: Namespace) -> AsyncIterator[FastAPI]:
    settings = namespace.settings(Settings, **{f"{s}_url": NOWHERE for s in SERVICES})
    console = create_app(settings)
    async with console.router.lifespan_context(console):
        yield console


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


def page_paths(app: FastAPI) -> list[str]:
    return [path for path in get_paths(app) if not path.startswith(NOT_PAGES)]


def assert_strict(answer: httpx.Response) -> None:
    where = f"{answer.request.method} {answer.request.url.path} → {answer.status_code}"
    assert answer.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, where


async def test_every_page_and_redirect_carries_the_policy_signed_out(app: FastAPI, browser: httpx.AsyncClient) -> None:
    paths = page_paths(app)
    assert {"/login", "/registrar", "/mediation", "/mediation/calendar", "/dashboard"} <= set(paths)
    for path in paths:
        assert_strict(await browser.get(path))  # the sign-in page, or the redirect to it
        assert_strict(await browser.get(path, headers={"HX-Request": "true"}))  # htmx: 401 + HX-Redirect
    assert_strict(await browser.get("/no-such-page"))
    assert_strict(await browser.post("/logout", data={"csrf_token": "forged"}))


async def test_every_page_carries_the_policy_for_the_admin(app: FastAPI, browser: httpx.AsyncClient) -> None:
    """The admin may open every page: rendered (a page or an htmx fragment), refused by a service
    that cannot be reached (the console's error page), or not found — each one under the policy."""
    _, password = await make_account(accounts_of(app), "admin.csp", Role.admin)
    assert (await sign_in(browser, "admin.csp", password)).status_code == 303
    rendered: set[str] = set()
    for path in page_paths(app):
        answer = await browser.get(path)
        assert_strict(answer)
        if answer.status_code == 200 and answer.headers.get("content-type", "").startswith("text/html"):
            rendered.add(path)
    # The console's own pages and fragments render; the services' pages show the error page (502).
    assert {"/admin/users", "/account/password", "/registrar/communities"} <= rendered
    unreachable = await browser.get("/mediation")
    assert unreachable.status_code == 502 and "暂时无法访问" in unreachable.text
    assert_strict(unreachable)


async def test_static_files_and_api_documentation_are_not_pages(browser: httpx.AsyncClient) -> None:
    css = await browser.get("/static/console.css")
    assert css.status_code == 200 and "content-security-policy" not in css.headers
    assert "no-store" not in css.headers.get("cache-control", "")
    # Swagger UI is an inline script and files from its CDN: framing is still refused.
    docs = await browser.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-security-policy"] == DOCS_POLICY


def test_no_template_holds_what_the_policy_refuses() -> None:
    templates = sorted(Path(TEMPLATES).rglob("*.html"))
    assert len(templates) > 20, "the console's templates were not found"
    found = [
        f"{template.relative_to(TEMPLATES)}: {what}"
        for template in templates
        for what, pattern in REFUSED.items()
        if pattern.search(template.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_pattern_catches_what_it_is_meant_to() -> None:
    """The template scan would see each refused construct (so an empty finding means something)."""
    samples = {
        "event handler attribute": '<button type="button" onclick="window.print()">',
        "style attribute": '<div class="x" style="height: 320px">',
        "javascript: URL": '<a href="javascript:void(0)">',
        "<style> element": "<style>.x { color: red }</style>",
        "inline <script>": "<script>draw()</script>",
    }
    for what, sample in samples.items():
        assert REFUSED[what].search(sample), what
    allowed = '<script src="/static/print.js" defer></script><script type="application/json" id="d">[]</script>'
    assert not any(pattern.search(allowed) for pattern in REFUSED.values())
