"""RFC 9457 problem details for every HTTP error, with field-level detail for invalid input.

Each invalid field is listed in ``errors`` with a JSON Pointer into the request body, a stable
``code``, an English ``message`` and a Chinese ``message_zh`` the citizen portal shows as is.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.logging import get_logger
from shared.outages import is_infrastructure_outage

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "tag:guangming-grievance,2026:problem:"

log = get_logger(__name__)

_TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid request",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class Problem(Exception):
    """Raise from a route to answer with a problem document."""

    def __init__(
        self,
        status: int,
        *,
        slug: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title or str(status))
        self.status = status
        self.type = f"{TYPE_BASE}{slug}" if slug else "about:blank"
        self.title = title or _TITLES.get(status, "Error")
        self.detail = detail
        self.errors = list(errors or [])
        self.headers = headers
        self.extensions = extensions


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    body: dict[str, Any] = {"type": problem.type, "title": problem.title, "status": problem.status}
    if problem.detail:
        body["detail"] = problem.detail
    body["instance"] = request.url.path
    if problem.errors:
        body["errors"] = problem.errors
    body.update(problem.extensions)
    return JSONResponse(body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers)


def _pointer(loc: Sequence[Any]) -> str:
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in loc[1:]] if loc else []
    return "#/" + "/".join(parts)


_MESSAGES_ZH: dict[str, str] = {
    "missing": "此项必填",
    "string_too_short": "内容太短，至少需要 {min_length} 个字",
    "string_too_long": "内容太长，最多 {max_length} 个字",
    "too_long": "最多 {max_length} 项",
    "too_short": "至少 {min_length} 项",
    "string_pattern_mismatch": "格式不正确",
    "enum": "请从给定选项中选择：{expected}",
    "literal_error": "请从给定选项中选择：{expected}",
    "bool_parsing": "应为是或否",
    "bool_type": "应为是或否",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "url_parsing": "不是有效的网址",
    "url_scheme": "网址必须以 http:// 或 https:// 开头",
    "json_invalid": "请求内容不是有效的 JSON",
    "model_attributes_type": "格式不正确",
    "dict_type": "格式不正确",
    "list_type": "应为列表",
    "extra_forbidden": "不认识的字段",
    "uuid_parsing": "编号格式不正确",
    "control_character": "第 {position} 个字符是不可见的控制字符（如 NUL），请删除后重试",
}


def _message_zh(error: dict[str, Any]) -> str:
    if error["type"] == "value_error":
        # Our own validators raise ValueError("中文说明"); pydantic prefixes "Value error, ".
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = _MESSAGES_ZH.get(error["type"], "输入不正确")
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


def _json_syntax_error(error: dict[str, Any]) -> dict[str, Any]:
    """Malformed JSON: pydantic's loc holds a character position, which is no JSON Pointer."""
    loc = list(error.get("loc", ()))
    position = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
    reason = str((error.get("ctx") or {}).get("error", "")) or "invalid JSON"
    where = f" at character {position}" if position is not None else ""
    item: dict[str, Any] = {
        "pointer": "#",  # the body as a whole
        "field": "",
        "in": "body",
        "code": "json_invalid",
        "message": f"{reason}{where}",
        "message_zh": _MESSAGES_ZH["json_invalid"] + (f"（第 {position} 个字符处）" if position is not None else ""),
    }
    if position is not None:
        item["position"] = position
    return item


def _not_utf8(error: UnicodeDecodeError) -> Problem:
    """A JSON body that is not UTF-8 (RFC 8259 requires it): malformed JSON, at a byte offset."""
    return Problem(
        422,
        slug="validation",
        title="Invalid request",
        detail=f"请求内容不是有效的 JSON（第 {error.start} 个字节处不是 UTF-8 编码）。",
        errors=[
            {
                "pointer": "#",
                "field": "",
                "in": "body",
                "code": "json_invalid",
                "message": f"not UTF-8 at byte {error.start}",
                "message_zh": f"请求内容不是有效的 JSON（第 {error.start} 个字节处）",
                "position": error.start,
            }
        ],
    )


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    items = []
    for error in exc.errors():
        if error["type"] == "json_invalid":
            items.append(_json_syntax_error(error))
            continue
        loc = list(error.get("loc", ()))
        items.append(
            {
                "pointer": _pointer(loc),
                "field": ".".join(str(p) for p in loc[1:]) or str(loc[0] if loc else ""),
                "in": str(loc[0]) if loc else "body",
                "code": error["type"],
                "message": str(error.get("msg", "")),
                "message_zh": _message_zh(error),
            }
        )
    return items


def is_json_media_type(content_type: str) -> bool:
    """application/json or any application/*+json, parameters ignored."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


def _not_json_for_json_body(request: Request, exc: RequestValidationError) -> bool:
    """A route FastAPI parses as JSON got a body of another (or no) media type: FastAPI leaves such
    a body as raw bytes, fails to validate them and would answer 422. Routes that read their own
    body decide for themselves."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return False
    if not isinstance(exc.body, bytes | bytearray) or not exc.body:
        return False
    return not is_json_media_type(request.headers.get("content-type", ""))


def error_summary(exc: BaseException) -> dict[str, Any]:
    """What to log of an unexpected error without its messages: type chain, SQLSTATE, frames."""
    types: list[str] = []
    sqlstate: str | None = None
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        types.append(f"{type(current).__module__}.{type(current).__qualname__}")
        sqlstate = sqlstate or getattr(current, "sqlstate", None) or getattr(current, "pgcode", None)
        current = current.__cause__ or current.__context__
    stack = traceback.extract_tb(exc.__traceback__)
    # Our own code's frames say where it failed; of the libraries' frames only the innermost.
    frames = [f for f in stack if "site-packages" not in f.filename][-10:] + stack[-1:]
    return {
        "error_types": types,
        "sqlstate": sqlstate,
        "frames": [f"{f.filename}:{f.lineno} in {f.name}" for f in frames],
    }


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        if _not_json_for_json_body(request, exc):
            return problem_response(
                Problem(415, slug="unsupported-media-type", detail="请求内容须为 application/json。"), request
            )
        errors = validation_errors(exc)
        syntax = next((e for e in errors if e["code"] == "json_invalid"), None)
        detail = "提交的内容有误，请按提示修改后重试。"
        if syntax is not None:
            detail = (
                "请求内容不是有效的 JSON"
                + (f"（第 {syntax['position']} 个字符处）" if "position" in syntax else "")
                + "。"
            )
        problem = Problem(422, slug="validation", title="Invalid request", detail=detail, errors=errors)
        return problem_response(problem, request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI answers a JSON body that is not UTF-8 with a bare 400; it is malformed JSON.
            return problem_response(_not_utf8(exc.__cause__), request)
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _TITLES.get(exc.status_code) else None
        return problem_response(
            Problem(exc.status_code, detail=detail, headers=dict(exc.headers) if exc.headers else None), request
        )

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Exception messages can quote the request (a database error echoes the offending value,
        # a validation error its input), so only the types and the code locations are logged.
        log.error("unhandled error", path=request.url.path, **error_summary(exc))
        return problem_response(Problem(500, detail="系统繁忙，请稍后再试。"), request)

    async def on_dependency_error(request: Request, exc: Exception) -> JSONResponse:
        # The database is down or restarting: nothing was stored and the request may be repeated,
        # so 503 + Retry-After rather than a 500. Answered here and not by on_unexpected, because
        # Starlette re-raises whatever reaches the catch-all handler and uvicorn then drops the
        # client's keep-alive connection, so its next request would get no answer at all.
        if not is_infrastructure_outage(exc):
            raise exc  # a real error: on_unexpected logs it and answers 500
        log.warning("dependency unavailable", path=request.url.path, error=repr(exc))
        return problem_response(
            Problem(503, slug="unavailable", detail="系统暂时无法处理，请稍后重试。", headers={"Retry-After": "5"}),
            request,
        )

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    for dependency_error in (DBAPIError, ConnectionError, asyncpg.PostgresError, asyncpg.InterfaceError):
        app.add_exception_handler(dependency_error, on_dependency_error)
    app.add_exception_handler(Exception, on_unexpected)


def problem_title(status: int) -> str:
    """The standard title of a problem answered with ``status``."""
    return _TITLES.get(status, "Error")


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting problem+json answers for these statuses."""
    return {status: {"description": _TITLES.get(status, "Error"), "content": {PROBLEM_JSON: {}}} for status in statuses}
