"""``/login/oidc``: off to the organisation's provider, and back with a verified identity that
must match a console account (the account decides role and department)."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.accounts.store import AccountStore
from services.console.settings import Settings
from services.console.web.deps import PageForbidden
from services.console.web.oidc import FLOW_LIFETIME, STATE_COOKIE, OidcFailed, OidcSignIn
from services.console.web.redirects import safe_next
from services.console.web.render import page
from services.console.web.sessions import request_ip
from shared.logging import get_logger

router = APIRouter(prefix="/login/oidc", include_in_schema=False)
log = get_logger(__name__)


def _oidc(request: Request) -> OidcSignIn:
    oidc: OidcSignIn | None = request.app.state.oidc
    if oidc is None:
        raise PageForbidden("本系统未启用统一身份认证登录。")
    return oidc


def _refused(request: Request, detail: str, *, status_code: int = 403) -> HTMLResponse:
    response = page(request, "error.html", None, status_code=status_code, title="无法登录", detail=detail)
    response.delete_cookie(STATE_COOKIE, path="/login/oidc")
    return response


@router.get("")
async def start(request: Request, next: str | None = None) -> Response:
    oidc = _oidc(request)
    settings: Settings = request.app.state.settings
    try:
        url, state = await oidc.begin(safe_next(next) or "")
    except OidcFailed as exc:
        return _refused(request, exc.detail, status_code=502)
    except (httpx.HTTPError, ValueError, KeyError):  # the provider is down or answers nonsense
        return _refused(request, "统一身份认证服务暂时无法访问，请稍后再试或使用账号密码登录。", status_code=502)
    response = RedirectResponse(url, status_code=303)
    # Lax: the provider sends the browser back with a cross-site top-level GET, which Lax allows.
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(FLOW_LIFETIME.total_seconds()),
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/login/oidc",
    )
    return response


@router.get("/callback")
async def callback(request: Request, state: str = "", code: str = "", error: str | None = None) -> Response:
    oidc = _oidc(request)
    if error:
        return _refused(request, "统一身份认证未完成登录（已取消或被拒绝）。请重新登录。", status_code=400)
    if not state or not code:
        return _refused(request, "登录请求不完整，请重新登录。", status_code=400)
    try:
        identity, next_path = await oidc.finish(cookie_state=request.cookies.get(STATE_COOKIE), state=state, code=code)
    except OidcFailed as exc:
        log.warning("oidc sign-in refused", reason=str(exc))
        return _refused(request, exc.detail)
    accounts: AccountStore = request.app.state.accounts
    settings: Settings = request.app.state.settings
    account = await accounts.for_oidc(identity.subject, identity.preferred_username, ip=request_ip(request, settings))
    if account is None:
        shown = identity.preferred_username or identity.subject
        return _refused(
            request,
            f"统一身份认证账号“{shown}”没有开通工作台账号或已被停用。请联系系统管理员开通后再登录。",
        )
    response = RedirectResponse(safe_next(next_path) or account.home, status_code=303)
    response.delete_cookie(STATE_COOKIE, path="/login/oidc")
    await request.app.state.sessions.start(request, response, account)
    return response
