"""How the console answers what the pages raise: sign in, a forbidden page, a service's refusal."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.console.web.deps import CsrfRejected, PageForbidden, SignInRequired
from services.console.web.render import page
from services.console.web.service_api import ApiProblem
from services.console.web.sessions import PasswordChangeRequired


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


async def sign_in_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequired)
    target = f"/login?next={quote(exc.next_path, safe='/')}"
    if _is_htmx(request):
        return Response(status_code=401, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


async def password_change_required(request: Request, exc: Exception) -> Response:
    if _is_htmx(request):
        return Response(status_code=403, headers={"HX-Redirect": "/account/password"})
    return RedirectResponse("/account/password", status_code=303)


async def page_forbidden(request: Request, exc: Exception) -> HTMLResponse:
    assert isinstance(exc, PageForbidden)
    return page(request, "error.html", None, status_code=403, title="无权访问", detail=exc.detail)


async def csrf_rejected(request: Request, exc: Exception) -> HTMLResponse:
    return page(
        request, "error.html", None, status_code=403, title="请求已失效", detail="页面已过期或来源不明，请刷新后重试。"
    )


async def api_problem(request: Request, exc: Exception) -> HTMLResponse:
    """The service's own words; its 4xx stays the caller's status, anything else is a 502."""
    assert isinstance(exc, ApiProblem)
    status = exc.status if 400 <= exc.status < 500 else 502
    return page(request, "error.html", None, status_code=status, title="操作未完成", detail=exc.detail)


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequired, sign_in_required)
    app.add_exception_handler(PasswordChangeRequired, password_change_required)
    app.add_exception_handler(PageForbidden, page_forbidden)
    app.add_exception_handler(CsrfRejected, csrf_rejected)
    app.add_exception_handler(ApiProblem, api_problem)
