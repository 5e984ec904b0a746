"""Account administration (admins only): list, create with a one-time password, disable and
enable, reset a password. The role and department an account gets here are what its staff JWT
carries to the services, so this page is where permissions are granted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from services.console.accounts.domain import AccountRejected, new_account
from services.console.accounts.store import AccountStore
from services.console.web.deps import CsrfViewer, PageForbidden, require_roles
from services.console.web.render import ROLE_LABELS, page
from services.console.web.sessions import request_ip
from services.console.web.viewer import Viewer
from shared.catalog import load_catalog
from shared.events.vocabulary import Role

router = APIRouter(prefix="/admin", include_in_schema=False)
FormText = Annotated[str, Form(max_length=200)]


async def admin_with_csrf(viewer: CsrfViewer) -> Viewer:
    if viewer.role is not Role.admin:
        raise PageForbidden()
    return viewer


AdminAction = Annotated[Viewer, Depends(admin_with_csrf)]


def _departments() -> list[tuple[str, str]]:
    return [(code, dept.name) for code, dept in load_catalog().departments.items()]


async def _users_page(
    request: Request,
    viewer: Viewer,
    *,
    status_code: int = 200,
    problems: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    issued: dict[str, str] | None = None,
    notice: str | None = None,
) -> HTMLResponse:
    accounts: AccountStore = request.app.state.accounts
    return page(
        request,
        "admin/users.html",
        viewer,
        status_code=status_code,
        accounts=await accounts.list_all(),
        roles=list(ROLE_LABELS.items()),
        departments=_departments(),
        problems=problems or {},
        form=form or {},
        issued=issued,
        notice=notice,
    )


@router.get("/users")
async def users(request: Request, viewer: Viewer = require_roles()) -> HTMLResponse:
    return await _users_page(request, viewer)


@router.post("/users")
async def create_user(
    request: Request,
    viewer: AdminAction,
    username: FormText = "",
    display_name: FormText = "",
    role: FormText = "",
    department: FormText = "",
) -> HTMLResponse:
    accounts: AccountStore = request.app.state.accounts
    form = {"username": username, "display_name": display_name, "role": role, "department": department}
    try:
        checked = new_account(
            username=username,
            display_name=display_name,
            role=role,
            department=department,
            departments=frozenset(load_catalog().departments),
        )
        created, password = await accounts.create(
            checked, actor_id=viewer.account_id, ip=request_ip(request, request.app.state.settings)
        )
    except AccountRejected as exc:
        return await _users_page(request, viewer, status_code=400, problems=exc.problems, form=form)
    issued = {"username": created.username, "password": password, "what": "新账号已创建"}
    return await _users_page(request, viewer, status_code=201, issued=issued)


@router.post("/users/{account_id}/reset-password")
async def reset_password(request: Request, account_id: str, viewer: AdminAction) -> HTMLResponse:
    accounts: AccountStore = request.app.state.accounts
    try:
        password = await accounts.reset_password(
            account_id, actor_id=viewer.account_id, ip=request_ip(request, request.app.state.settings)
        )
    except AccountRejected as exc:
        return await _users_page(request, viewer, status_code=404, problems=exc.problems)
    account = await accounts.get(account_id)
    issued = {"username": account.username if account else "", "password": password, "what": "密码已重置"}
    return await _users_page(request, viewer, issued=issued)


async def _set_disabled(request: Request, account_id: str, viewer: Viewer, disabled: bool) -> HTMLResponse:
    accounts: AccountStore = request.app.state.accounts
    try:
        await accounts.set_disabled(
            account_id, disabled, actor_id=viewer.account_id, ip=request_ip(request, request.app.state.settings)
        )
    except AccountRejected as exc:
        status = 404 if "没有" in exc.problems.get("account", "") else 400
        return await _users_page(request, viewer, status_code=status, problems=exc.problems)
    notice = "账号已停用，其登录会话已全部结束。" if disabled else "账号已启用。"
    return await _users_page(request, viewer, notice=notice)


@router.post("/users/{account_id}/disable")
async def disable_user(request: Request, account_id: str, viewer: AdminAction) -> HTMLResponse:
    return await _set_disabled(request, account_id, viewer, True)


@router.post("/users/{account_id}/enable")
async def enable_user(request: Request, account_id: str, viewer: AdminAction) -> HTMLResponse:
    return await _set_disabled(request, account_id, viewer, False)
