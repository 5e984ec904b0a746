"""OIDC sign-in against a real provider started by the test: node-oidc-provider (OpenID
Certified), run by Node.js from tests/support/oidc_provider. The browser is played by httpx at the
provider (its own login and consent forms) and at the console (in process, on https)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from services.console.accounts.store import AccountStore
from services.console.app import create_app
from services.console.db import account, staff_session
from services.console.settings import Settings
from services.console.web.oidc import STATE_COOKIE
from services.console.web.sessions import SESSION_COOKIE
from shared.auth import verify_token
from shared.events.vocabulary import Role
from tests.support.console_sign_in import make_account
from tests.support.namespace import Namespace
from tests.support.oidc import Provider, running_provider, sign_in_at_provider

pytestmark = pytest.mark.slow
BASE = "https://console.test"
CALLBACK = f"{BASE}/login/oidc/callback"


@pytest.fixture(scope="module")
async def provider() -> AsyncIterator[Provider]:
    async with running_provider(CALLBACK) as running:
        yield running


@pytest.fixture(scope="module")
async def app(namespace: Namespace, provider: Provider) -> AsyncIterator[FastAPI]:
    settings = namespace.settings(
        Settings,
        oidc_issuer=provider.issuer,
        oidc_client_id=provider.client_id,
        oidc_client_secret=provider.client_secret,
        oidc_redirect_url=CALLBACK,
    )
    console = create_app(settings)
    async with console.router.lifespan_context(console):
        yield console


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


def accounts_of(app: FastAPI) -> AccountStore:
    store: AccountStore = app.state.accounts
    return store


async def through_provider(browser: httpx.AsyncClient, username: str, next_path: str = "") -> httpx.Response:
    """Start at the console, sign in at the provider, come back: the console's answer."""
    start = await browser.get("/login/oidc", params={"next": next_path} if next_path else None)
    assert start.status_code == 303, start.text
    callback = await sign_in_at_provider(start.headers["location"], username, CALLBACK)
    parts = urlsplit(callback)
    return await browser.get(f"{parts.path}?{parts.query}")


async def test_login_page_offers_the_organisations_sign_in(browser: httpx.AsyncClient) -> None:
    page = await browser.get("/login")
    assert "使用单位统一身份认证登录" in page.text


async def test_authorization_request_uses_pkce_state_and_nonce(browser: httpx.AsyncClient, provider: Provider) -> None:
    start = await browser.get("/login/oidc")
    location = start.headers["location"]
    assert location.startswith(provider.issuer)
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 40 and len(query["nonce"]) >= 40
    assert query["redirect_uri"] == CALLBACK
    state_cookie = next(c for c in start.headers.get_list("set-cookie") if c.startswith(STATE_COOKIE))
    assert "HttpOnly" in state_cookie and "Secure" in state_cookie


async def test_a_pre_created_account_signs_in_with_its_console_role(app: FastAPI, browser: httpx.AsyncClient) -> None:
    account_id, _ = await make_account(accounts_of(app), "wang.oidc", Role.department_officer, "housing", password=None)
    answer = await through_provider(browser, "uid-wang.oidc", next_path="/inbox?tab=due")
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/inbox?tab=due"
    assert browser.cookies.get(SESSION_COOKIE)
    assert (await browser.get("/")).headers["location"] == "/inbox", "no one-time password to change"
    async with app.state.accounts._engine.connect() as conn:
        bound = (await conn.execute(select(account.c.oidc_subject).where(account.c.account_id == account_id))).scalar()
        token = (
            await conn.execute(select(staff_session.c.api_token).where(staff_session.c.account_id == account_id))
        ).scalar()
    assert bound == "uid-wang.oidc"
    principal = verify_token(app.state.settings, str(token))
    assert (principal.subject, principal.role, principal.department) == (
        "wang.oidc",
        Role.department_officer,
        "housing",
    )
    # The next time the account is found by the provider's subject.
    browser.cookies.clear()
    again = await through_provider(browser, "uid-wang.oidc")
    assert (again.status_code, again.headers["location"]) == (303, "/inbox")


async def test_an_identity_without_an_account_is_refused(browser: httpx.AsyncClient) -> None:
    answer = await through_provider(browser, "uid-stranger")
    assert answer.status_code == 403
    assert "没有开通工作台账号" in answer.text and "stranger" in answer.text
    assert not browser.cookies.get(SESSION_COOKIE)
    assert (await browser.get("/")).headers["location"].startswith("/login")


async def test_a_disabled_account_is_refused(app: FastAPI, browser: httpx.AsyncClient) -> None:
    account_id, _ = await make_account(accounts_of(app), "zhao.disabled", Role.reviewer)
    async with app.state.accounts._engine.begin() as conn:
        await conn.execute(update(account).where(account.c.account_id == account_id).values(disabled=True))
    answer = await through_provider(browser, "uid-zhao.disabled")
    assert answer.status_code == 403
    assert not browser.cookies.get(SESSION_COOKIE)


async def test_callback_needs_this_browsers_state_and_works_once(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await make_account(accounts_of(app), "li.replay", Role.supervisor)
    start = await browser.get("/login/oidc")
    callback = await sign_in_at_provider(start.headers["location"], "uid-li.replay", CALLBACK)
    parts = urlsplit(callback)
    # Another browser (no state cookie) cannot use the code: a login CSRF would need exactly that.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as other:
        foreign = await other.get(f"{parts.path}?{parts.query}")
        assert foreign.status_code == 403 and "已失效" in foreign.text
        assert not other.cookies.get(SESSION_COOKIE)
    first = await browser.get(f"{parts.path}?{parts.query}")
    assert (first.status_code, first.headers["location"]) == (303, "/dashboard")
    browser.cookies.set(STATE_COOKIE, parse_qs(parts.query)["state"][0], domain="console.test", path="/login/oidc")
    replay = await browser.get(f"{parts.path}?{parts.query}")
    assert replay.status_code == 403, "a state is used up by its first callback"


async def test_refusal_at_the_provider_is_explained(browser: httpx.AsyncClient) -> None:
    answer = await browser.get("/login/oidc/callback", params={"error": "access_denied", "state": "x"})
    assert answer.status_code == 400 and "未完成登录" in answer.text
