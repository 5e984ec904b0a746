"""Signing in and out, the password page, and ``/`` (each role's home page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.accounts.domain import HOME_PAGES, MAX_DISPLAY_NAME
from services.console.accounts.store import AccountStore
from services.console.passwords import MAX_LENGTH
from services.console.settings import Settings
from services.console.web import login_csrf
from services.console.web.deps import CsrfPasswordViewer, CurrentViewer, PasswordViewer, same_origin
from services.console.web.redirects import safe_next
from services.console.web.render import page
from services.console.web.sessions import SessionStore, request_ip

router = APIRouter(include_in_schema=False)
# One message for unknown user, wrong password, locked and disabled: nothing to enumerate.
SIGN_IN_FAILED = "用户名或密码不正确，或账号暂时无法登录。多次输错后账号会被临时锁定。"
FormText = Annotated[str, Form(max_length=MAX_LENGTH)]


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _login_page(
    request: Request, *, next_path: str | None, username: str = "", error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    settings = _settings(request)
    token = login_csrf.login_token(request)
    response = page(
        request,
        "login.html",
        None,
        status_code=status_code,
        login_csrf=token,
        next_path=next_path or "",
        username=username[:MAX_DISPLAY_NAME],
        error=error,
        oidc_enabled=settings.oidc_enabled,
    )
    login_csrf.remember(response, token, secure=settings.cookie_secure)
    return response


@router.get("/login")
async def login_form(request: Request, next: str | None = None) -> Response:
    sessions: SessionStore = request.app.state.sessions
    viewer = await sessions.viewer(request, allow_password_change=True)
    if viewer is not None:
        return RedirectResponse(safe_next(next) or "/", status_code=303)
    return _login_page(request, next_path=safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    username: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "",
) -> Response:
    settings = _settings(request)
    next_path = safe_next(next)
    if not same_origin(request) or not login_csrf.login_token_valid(request, csrf_token):
        # Nothing is checked or counted: a forged sign-in never reaches the password.
        return _login_page(request, next_path=next_path, error="登录页面已过期，请重新输入后登录。", status_code=403)
    if not username.strip() or not password:
        missing = "请输入用户名和密码。"
        return _login_page(request, next_path=next_path, username=username, error=missing, status_code=400)
    accounts: AccountStore = request.app.state.accounts
    account = await accounts.authenticate(username, password, ip=request_ip(request, settings))
    if account is None:
        return _login_page(request, next_path=next_path, username=username, error=SIGN_IN_FAILED, status_code=401)
    target = "/account/password" if account.must_change_password else next_path or account.home
    response = RedirectResponse(target, status_code=303)
    await request.app.state.sessions.start(request, response, account)
    login_csrf.forget(response, secure=settings.cookie_secure)
    return response


@router.post("/logout")
async def logout(request: Request, viewer: CsrfPasswordViewer) -> Response:
    response = RedirectResponse("/login", status_code=303)
    await request.app.state.sessions.end(request, response, viewer)
    return response


@router.get("/")
async def home(viewer: CurrentViewer) -> Response:
    return RedirectResponse(HOME_PAGES[viewer.role], status_code=303)


@router.get("/account/password")
async def password_form(request: Request, viewer: PasswordViewer) -> HTMLResponse:
    must_change = await _must_change(request, viewer.account_id)
    return page(request, "account/password.html", viewer, must_change=must_change, problems=[], done=False)


@router.post("/account/password")
async def change_password(
    request: Request,
    viewer: CsrfPasswordViewer,
    current_password: FormText = "",
    new_password: FormText = "",
    new_password_again: FormText = "",
) -> HTMLResponse:
    accounts: AccountStore = request.app.state.accounts
    problems: list[str] = []
    if new_password != new_password_again:
        problems.append("两次输入的新密码不一致。")
    else:
        problems = await accounts.change_password(
            viewer.account_id, current_password, new_password, ip=request_ip(request, _settings(request))
        )
    must_change = await _must_change(request, viewer.account_id)
    status = 400 if problems else 200
    return page(
        request,
        "account/password.html",
        viewer,
        status_code=status,
        must_change=must_change,
        problems=problems,
        done=not problems,
    )


async def _must_change(request: Request, account_id: str) -> bool:
    accounts: AccountStore = request.app.state.accounts
    account = await accounts.get(account_id)
    return account is not None and account.must_change_password
