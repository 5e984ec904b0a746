"""Signing in to the console against the real PostgreSQL: passwords, lock-out, one-time
passwords, sessions (fixation, sign-out), CSRF, admin-only pages, nothing without a session, and
no password in any log line. The console app runs in process; the browser is an httpx client on
https (the session cookie is Secure)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select, text, update

from services.console.accounts.__main__ import create_admin
from services.console.accounts.store import AccountStore
from services.console.app import create_app
from services.console.db import account, account_audit, staff_session
from services.console.settings import Settings
from services.console.web.pages.auth import SIGN_IN_FAILED
from services.console.web.sessions import SESSION_COOKIE
from shared.auth import verify_token
from shared.events.vocabulary import Role
from shared.logging import configure_logging
from tests.support.console_sign_in import STRONG_PASSWORD, csrf_of, make_account, sign_in
from tests.support.namespace import Namespace

BASE = "https://console.test"
# GET routes that are not pages: the sign-in itself, operations, static files, and the bearer-token
# APIs (the annual report, asserted separately: 401 without a token).
PUBLIC = ("/login", "/healthz", "/readyz", "/metrics", "/static", "/docs", "/redoc", "/openapi.json", "/v1/")


@pytest.fixture(scope="module")
async def app(namespace: Namespace) -> AsyncIterator[FastAPI]:
    console = create_app(namespace.settings(Settings, lockout_threshold=3, lockout_minutes=10))
    async with console.router.lifespan_context(console):
        yield console


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


def accounts_of(app: FastAPI) -> AccountStore:
    store: AccountStore = app.state.accounts
    return store


async def scalar(app: FastAPI, query: object) -> object:
    async with app.state.accounts._engine.connect() as conn:
        return (await conn.execute(query)).scalar()


async def signed_in(browser: httpx.AsyncClient, username: str, password: str = STRONG_PASSWORD) -> str:
    """Sign in and return the CSRF token of the session (from a page's form)."""
    answer = await sign_in(browser, username, password)
    assert answer.status_code == 303, answer.text
    page = await browser.get("/account/password")
    return csrf_of(page.text)


async def test_sign_in_sets_a_secure_session_and_goes_to_the_role_home(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    account_id, password = await make_account(accounts_of(app), "reg.one", Role.registrar)
    answer = await sign_in(browser, "Reg.One", password)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/registrar"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}="))
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "secure", "samesite=lax", "path=/"} <= attributes
    assert not any(a.startswith(("max-age", "expires")) for a in attributes), "a browser-session cookie"
    home = await browser.get("/")
    assert (home.status_code, home.headers["location"]) == (303, "/registrar")
    # The session carries a real staff JWT for the APIs, as this account (by its user name).
    token = await scalar(app, select(staff_session.c.api_token).where(staff_session.c.account_id == account_id))
    principal = verify_token(app.state.settings, str(token))
    assert (principal.subject, principal.role) == ("reg.one", Role.registrar)


async def test_sign_in_honours_a_local_next_and_ignores_another_site(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await make_account(accounts_of(app), "rev.next", Role.reviewer)
    local = await sign_in(browser, "rev.next", STRONG_PASSWORD, next_path="/reviews?page=2")
    assert local.headers["location"] == "/reviews?page=2"
    browser.cookies.clear()
    elsewhere = await sign_in(browser, "rev.next", STRONG_PASSWORD, next_path="https://evil.example/")
    assert elsewhere.headers["location"] == "/reviews"
    redirect = await browser.get("/login", params={"next": "//evil.example"})
    assert redirect.headers["location"] == "/"


async def test_wrong_password_and_unknown_user_get_the_same_answer(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await make_account(accounts_of(app), "sup.wrong", Role.supervisor)
    wrong = await sign_in(browser, "sup.wrong", "not the password at all")
    unknown = await sign_in(browser, "nobody.here", "not the password at all")
    for answer in (wrong, unknown):
        assert answer.status_code == 401
        assert SIGN_IN_FAILED in answer.text
        assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    assert (await browser.get("/dashboard")).status_code == 303


async def test_lock_out_after_consecutive_failures(app: FastAPI, browser: httpx.AsyncClient) -> None:
    account_id, password = await make_account(accounts_of(app), "med.lock", Role.mediator, "housing")
    for _ in range(3):
        assert (await sign_in(browser, "med.lock", "wrong password 123")).status_code == 401
    locked = await sign_in(browser, "med.lock", password)
    assert locked.status_code == 401, "locked: even the right password is refused"
    assert SIGN_IN_FAILED in locked.text
    assert await scalar(
        app,
        select(account_audit.c.action).where(
            account_audit.c.account_id == account_id, account_audit.c.action == "locked"
        ),
    )
    # The lock ends by itself: pretend the lock-out period has passed.
    async with app.state.accounts._engine.begin() as conn:
        await conn.execute(
            update(account)
            .where(account.c.account_id == account_id)
            .values(locked_until=text("now() - interval '1 second'"))
        )
    assert (await sign_in(browser, "med.lock", password)).status_code == 303
    assert await scalar(app, select(account.c.failed_attempts).where(account.c.account_id == account_id)) == 0


async def test_one_time_password_must_be_changed_before_anything_else(app: FastAPI, browser: httpx.AsyncClient) -> None:
    account_id, one_time = await make_account(
        accounts_of(app), "off.new", Role.department_officer, "housing", password=None
    )
    answer = await sign_in(browser, "off.new", one_time)
    assert answer.headers["location"] == "/account/password"
    for path in ("/", "/inbox", "/admin/users"):
        blocked = await browser.get(path)
        assert (blocked.status_code, blocked.headers["location"]) == (303, "/account/password"), path
    form = await browser.get("/account/password")
    assert "一次性密码" in form.text
    csrf = csrf_of(form.text)

    async def change(current: str, new: str, again: str | None = None) -> httpx.Response:
        data = {
            "csrf_token": csrf,
            "current_password": current,
            "new_password": new,
            "new_password_again": again or new,
        }
        return await browser.post("/account/password", data=data)

    assert "当前密码不正确" in (await change("wrong current pw", STRONG_PASSWORD)).text
    assert "至少需要 10 个字符" in (await change(one_time, "short")).text
    assert "不能与用户名相同" in (await change(one_time, "off.new")).text
    assert "不一致" in (await change(one_time, STRONG_PASSWORD, "something else entirely")).text
    assert (await browser.get("/")).headers["location"] == "/account/password", "nothing changed yet"
    done = await change(one_time, STRONG_PASSWORD)
    assert done.status_code == 200 and "密码已修改" in done.text
    assert (await browser.get("/")).headers["location"] == "/inbox"
    browser.cookies.clear()
    assert (await sign_in(browser, "off.new", one_time)).status_code == 401
    assert (await sign_in(browser, "off.new", STRONG_PASSWORD)).headers["location"] == "/inbox"
    assert await scalar(app, select(account.c.must_change_password).where(account.c.account_id == account_id)) is False


async def test_a_session_id_set_before_sign_in_is_never_adopted(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await make_account(accounts_of(app), "reg.fixation", Role.registrar)
    planted = "attacker-chosen-session-id-0123456789abcdefghijklmnop"
    browser.cookies.set(SESSION_COOKIE, planted, domain="console.test")
    answer = await sign_in(browser, "reg.fixation", STRONG_PASSWORD)
    issued = answer.cookies.get(SESSION_COOKIE)
    assert issued and issued != planted
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as attacker:
        attacker.cookies.set(SESSION_COOKIE, planted, domain="console.test")
        assert (await attacker.get("/registrar")).headers["location"].startswith("/login")
    # Signing in again while holding a session rotates the id: the old cookie no longer works.
    browser.cookies.delete(SESSION_COOKIE)
    form = await browser.get("/login")
    browser.cookies.set(SESSION_COOKIE, issued, domain="console.test")
    again = await browser.post(
        "/login", data={"username": "reg.fixation", "password": STRONG_PASSWORD, "csrf_token": csrf_of(form.text)}
    )
    rotated = again.cookies.get(SESSION_COOKIE)
    assert rotated and rotated != issued
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as old:
        old.cookies.set(SESSION_COOKIE, issued, domain="console.test")
        assert (await old.get("/")).headers["location"].startswith("/login")


async def test_posts_without_the_csrf_token_are_refused_and_change_nothing(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    account_id, _ = await make_account(accounts_of(app), "sup.csrf", Role.supervisor)
    csrf = await signed_in(browser, "sup.csrf")
    for data in ({}, {"csrf_token": "forged"}):
        assert (await browser.post("/logout", data=data)).status_code == 403
        change = {**data, "current_password": STRONG_PASSWORD, "new_password": "another password 1"}
        change["new_password_again"] = change["new_password"]
        assert (await browser.post("/account/password", data=change)).status_code == 403
    # Right token, but the browser says the form came from another site.
    cross = await browser.post("/logout", data={"csrf_token": csrf}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    fetch_site = await browser.post("/logout", data={"csrf_token": csrf}, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch_site.status_code == 403
    assert (await browser.get("/")).headers["location"] == "/dashboard", "still signed in"
    browser.cookies.clear()
    assert (await sign_in(browser, "sup.csrf", STRONG_PASSWORD)).status_code == 303, "password unchanged"
    browser.cookies.clear()
    assert (await sign_in(browser, "sup.csrf", "another password 1")).status_code == 401
    assert account_id


async def test_sign_in_form_has_its_own_csrf_protection(app: FastAPI, browser: httpx.AsyncClient) -> None:
    account_id, _ = await make_account(accounts_of(app), "rev.logincsrf", Role.reviewer)
    form = await browser.get("/login")
    token = csrf_of(form.text)
    # A forged sign-in from another site has no cookie of ours (or a different token).
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as other:
        forged = await other.post(
            "/login", data={"username": "rev.logincsrf", "password": "wrong password!!", "csrf_token": token}
        )
    assert forged.status_code == 403
    mismatched = await browser.post(
        "/login", data={"username": "rev.logincsrf", "password": STRONG_PASSWORD, "csrf_token": "x" * 43}
    )
    assert mismatched.status_code == 403
    assert SESSION_COOKIE not in mismatched.headers.get("set-cookie", "")
    count = await scalar(app, select(account.c.failed_attempts).where(account.c.account_id == account_id))
    assert count == 0, "a refused form never reaches the password check"


async def test_sign_out_ends_the_session(app: FastAPI, browser: httpx.AsyncClient) -> None:
    account_id, _ = await make_account(accounts_of(app), "reg.out", Role.registrar)
    csrf = await signed_in(browser, "reg.out")
    cookie = browser.cookies.get(SESSION_COOKIE)
    out = await browser.post("/logout", data={"csrf_token": csrf})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert f'{SESSION_COOKIE}=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert await scalar(app, select(staff_session.c.account_id).where(staff_session.c.account_id == account_id)) is None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as replay:
        replay.cookies.set(SESSION_COOKIE, str(cookie), domain="console.test")
        assert (await replay.get("/registrar")).headers["location"].startswith("/login")


def get_paths(app: FastAPI) -> list[str]:
    """Every GET path of the app, the role pages' included, with path parameters filled in."""
    paths = []
    for route in iter_route_contexts(app.routes):  # included routers are resolved lazily
        if isinstance(route.original_route, APIRoute) and "GET" in (route.methods or ()):
            paths.append(re.sub(r"\{[^}]+\}", "x1", str(route.path_format)))
    return paths


async def test_no_page_without_a_session(app: FastAPI, browser: httpx.AsyncClient) -> None:
    paths = [path for path in get_paths(app) if not path.startswith(PUBLIC)]
    assert {"/", "/account/password", "/admin/users"} <= set(paths)
    for path in paths:
        answer = await browser.get(path)
        assert answer.status_code == 303, (path, answer.status_code)
        assert answer.headers["location"].startswith("/login?next="), path
        htmx = await browser.get(path, headers={"HX-Request": "true"})
        assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login"), path
    for path in ("/logout", "/account/password", "/admin/users"):
        assert (await browser.post(path, data={"csrf_token": "x"})).status_code == 303, path
    report = next(path for path in get_paths(app) if path.startswith("/v1/"))
    assert (await browser.get(report.replace("x1", "2026"))).status_code == 401


async def test_admin_pages_are_for_admins_only(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await make_account(accounts_of(app), "sup.notadmin", Role.supervisor)
    csrf = await signed_in(browser, "sup.notadmin")
    assert (await browser.get("/admin/users")).status_code == 403
    create = {"csrf_token": csrf, "username": "made.by.supervisor", "display_name": "不该有", "role": "admin"}
    assert (await browser.post("/admin/users", data=create)).status_code == 403
    assert await scalar(app, select(account.c.account_id).where(account.c.username == "made.by.supervisor")) is None


async def test_admin_creates_disables_enables_and_resets_accounts(app: FastAPI, browser: httpx.AsyncClient) -> None:
    await make_account(accounts_of(app), "admin.one", Role.admin)
    csrf = await signed_in(browser, "admin.one")
    listing = await browser.get("/admin/users")
    assert listing.status_code == 200 and "admin.one" in listing.text
    officer = {"csrf_token": csrf, "username": "li.officer", "display_name": "李承办", "role": "department_officer"}
    refused = await browser.post("/admin/users", data={**officer, "department": ""})
    assert refused.status_code == 400 and "必须选择所属部门" in refused.text
    assert await scalar(app, select(account.c.account_id).where(account.c.username == "li.officer")) is None
    created = await browser.post("/admin/users", data={**officer, "department": "housing"})
    assert created.status_code == 201
    one_time = re.search(r'class="one-time-password">([^<]+)<', created.text)
    assert one_time
    duplicate = await browser.post("/admin/users", data={**officer, "department": "housing"})
    assert duplicate.status_code == 400 and "已被使用" in duplicate.text
    officer_id = str(await scalar(app, select(account.c.account_id).where(account.c.username == "li.officer")))

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as officer_browser:
        first = await sign_in(officer_browser, "li.officer", one_time.group(1))
        assert first.headers["location"] == "/account/password"
        disabled = await browser.post(f"/admin/users/{officer_id}/disable", data={"csrf_token": csrf})
        assert disabled.status_code == 200 and "已停用" in disabled.text
        assert (await officer_browser.get("/account/password")).headers["location"].startswith("/login")
        assert (await sign_in(officer_browser, "li.officer", one_time.group(1))).status_code == 401
        assert (await browser.post(f"/admin/users/{officer_id}/enable", data={"csrf_token": csrf})).status_code == 200
        reset = await browser.post(f"/admin/users/{officer_id}/reset-password", data={"csrf_token": csrf})
        new_one_time = re.search(r'class="one-time-password">([^<]+)<', reset.text)
        assert new_one_time and new_one_time.group(1) != one_time.group(1)
        assert (await sign_in(officer_browser, "li.officer", one_time.group(1))).status_code == 401
        assert (await sign_in(officer_browser, "li.officer", new_one_time.group(1))).status_code == 303
    assert (await browser.post("/admin/users/nope/disable", data={"csrf_token": csrf})).status_code == 404


async def test_passwords_never_reach_a_log_or_the_audit(
    app: FastAPI, browser: httpx.AsyncClient, capfd: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    configure_logging(service="console", level="DEBUG", json=True)
    try:
        _, password = await make_account(
            accounts_of(app), "reg.logs", Role.registrar, password="日志里不该出现的密码XYZ"
        )
        wrong = "错误的密码也不该出现ABC"
        await sign_in(browser, "reg.logs", wrong)
        await sign_in(browser, wrong, wrong)  # a password typed into the user name field
        await sign_in(browser, "reg.logs", password)
        logging.getLogger("console-test").info("marker line")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    output = "".join(capfd.readouterr())
    assert "marker line" in output, "the log capture works"
    assert password not in output
    assert wrong not in output
    async with app.state.accounts._engine.connect() as conn:
        audit_text = " ".join(str(row) for row in (await conn.execute(select(account_audit))).all())
    assert "sign_in" in audit_text
    assert password not in audit_text and wrong not in audit_text


async def test_first_admin_is_created_once_with_a_one_time_password(app: FastAPI, browser: httpx.AsyncClient) -> None:
    async with app.state.accounts._engine.begin() as conn:
        await conn.execute(account.delete().where(account.c.role == Role.admin.value))
    one_time = await create_admin(app.state.settings, "first.admin")
    assert one_time is not None
    assert await create_admin(app.state.settings, "second.admin") is None, "idempotent"
    answer = await sign_in(browser, "first.admin", one_time)
    assert answer.headers["location"] == "/account/password"


async def test_idle_and_absolute_limits_end_a_session_and_the_api_token_is_reminted(
    app: FastAPI, browser: httpx.AsyncClient
) -> None:
    account_id, _ = await make_account(accounts_of(app), "rev.limits", Role.reviewer)
    engine = app.state.accounts._engine
    mine = staff_session.c.account_id == account_id

    async def set_session(**values: object) -> None:
        async with engine.begin() as conn:
            await conn.execute(update(staff_session).where(mine).values(**values))

    await signed_in(browser, "rev.limits")
    old_token = await scalar(app, select(staff_session.c.api_token).where(mine))
    await set_session(api_token_expires_at=text("now() + interval '1 minute'"))
    assert (await browser.get("/")).status_code == 303
    assert await scalar(app, select(staff_session.c.api_token).where(mine)) != old_token, "re-minted near expiry"
    await set_session(last_seen_at=text("now() - interval '31 minutes'"))  # idle limit: 30 minutes
    assert (await browser.get("/")).headers["location"].startswith("/login")
    assert await scalar(app, select(staff_session.c.account_id).where(mine)) is None, "the idle session is gone"
    await signed_in(browser, "rev.limits")
    await set_session(expires_at=text("now() - interval '1 second'"))
    assert (await browser.get("/")).headers["location"].startswith("/login")
