"""Open311 GeoReport v2 routes (services.intake.open311): the specification's HTTP to intake's use cases.

Errors of these routes, whatever raised them (validation, rate limit, a use case's Problem), are
answered as the specification's error list in the format the path asks for, with 400 for bad
input, 403 for a wrong api_key and 404 for an unknown service or request.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.intake.api.deps import Ctx, IdempotencyKey, Uow
from services.intake.handlers.open311 import find_request, find_requests
from services.intake.handlers.replays import Replay
from services.intake.handlers.submission import SubmitGrievance, submit_grievance
from services.intake.open311 import catalog, listing
from services.intake.open311.formats import Format, Open311Error, format_of_path, render, render_errors
from services.intake.open311.forms import Open311Request, derive_title
from services.intake.settings import Settings
from shared.events.vocabulary import Channel
from shared.problems import Problem, validation_errors
from shared.settings import Environment
from shared.web import rate_limit

FORM_MEDIA_TYPE = "application/x-www-form-urlencoded"


def _both() -> dict[str, Any]:
    return {"application/json": {}, "text/xml": {}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text + " (GeoReport v2 error list)", "content": _both()}
    for status, text in (
        (400, "Bad request"),
        (403, "Wrong api_key"),
        (404, "Unknown format, service or request"),
        (409, "The same request is being processed"),
        (415, "Not form-encoded"),
        (429, "Too many requests"),
    )
}


def _documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    documented: dict[int | str, dict[str, Any]] = {
        200: {"description": "In the format the path asks for", "content": _both()}
    }
    documented.update({status: ERROR_RESPONSES[status] for status in statuses})
    return documented


class Open311Route(APIRoute):
    """A route whose errors are the specification's error list instead of problem details."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def route(request: Request) -> Response:
            fmt = format_of_path(request.url.path)
            try:
                return await handle(request)
            except Open311Error as exc:
                return render_errors(fmt, exc.status_code, exc.descriptions, headers=exc.headers)
            except RequestValidationError as exc:
                items = validation_errors(exc)
                if any(item["field"] == "fmt" for item in items):
                    return render_errors(fmt, 404, ["只提供 .json 和 .xml 两种格式"])
                return render_errors(fmt, 400, [f"{item['field']}: {item['message_zh']}" for item in items])
            except Problem as exc:
                # Refused input is a 400 in GeoReport v2 (the platform's 422).
                status = 400 if exc.status == 422 else exc.status
                return render_errors(fmt, status, [exc.detail or exc.title], headers=exc.headers)
            except StarletteHTTPException as exc:
                return render_errors(fmt, exc.status_code, [str(exc.detail)], headers=dict(exc.headers or {}))

        return route


router = APIRouter(prefix="/open311", tags=["open311"], route_class=Open311Route)
FormatPath = Annotated[Format, "the format: json or xml"]


@router.get("/discovery.{fmt}", responses=_documented(404), summary="Discovery: where and how to reach GeoReport v2")
@router.get("/v2/discovery.{fmt}", responses=_documented(404), include_in_schema=False)
async def discovery(fmt: FormatPath, request: Request, ctx: Ctx) -> Response:
    endpoint = str(request.base_url).rstrip("/") + router.prefix + "/v2"
    production = ctx.settings.environment is Environment.production
    return render(fmt, "discovery", catalog.discovery(endpoint, production=production))


@router.get("/v2/services.{fmt}", responses=_documented(404), summary="The services (responsibility areas)")
async def services(fmt: FormatPath) -> Response:
    return render(fmt, "services", catalog.services())


@router.get(
    "/v2/services/{service_code}.{fmt}",
    responses=_documented(404),
    summary="Service definition: the optional attributes a request may carry",
)
async def service_definition(service_code: str, fmt: FormatPath) -> Response:
    if service_code not in catalog.SERVICE_CODES:
        raise Open311Error(404, f"未知的 service_code：{service_code}")
    return render(fmt, "service_definition", catalog.service_definition(service_code))


def _check_api_key(settings: Settings, given: str | None) -> None:
    """With keys configured, POST needs one of them; compared in constant time."""
    keys = [key.get_secret_value() for key in settings.open311_api_keys]
    if not keys:
        return
    if not given or not any(hmac.compare_digest(given.encode(), key.encode()) for key in keys):
        raise Open311Error(403, "api_key 无效或缺失")


@router.post(
    "/v2/requests.{fmt}",
    responses=_documented(400, 403, 404, 409, 415, 429),
    summary="File a service request (form-encoded, GeoReport v2)",
    dependencies=[rate_limit("open311_submit")],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {FORM_MEDIA_TYPE: {"schema": Open311Request.model_json_schema(by_alias=True)}},
        }
    },
)
async def create_request(
    fmt: FormatPath,
    request: Request,
    ctx: Ctx,
    uow: Uow,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    if not request.headers.get("content-type", "").startswith(FORM_MEDIA_TYPE):
        raise Open311Error(415, f"Open311 请求须为 {FORM_MEDIA_TYPE}")
    body = (await request.body()).decode(errors="replace")
    form = {key: values[0] for key, values in parse_qs(body).items()}
    # Clients put api_key in the query string or the form; the specification allows both.
    _check_api_key(ctx.settings, form.pop("api_key", None) or request.query_params.get("api_key"))
    try:
        filed = Open311Request.from_form(form)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from exc
    command = SubmitGrievance(
        identity=filed.identity(),
        channel=Channel.open311,
        title=derive_title(filed.description),
        content=filed.description,
        street=filed.street.value if filed.street else None,
        community=filed.community,
        address_detail=filed.address_string,
        attachments=[str(filed.media_url)] if filed.media_url else [],
        category_hint=filed.category_hint(),
        latitude=filed.lat,
        longitude=filed.long,
        address_id=filed.address_id,
    )
    replay = (
        Replay("idempotency", f"open311:{idempotency_key.key}", idempotency_key.fingerprint(form))
        if idempotency_key
        else None
    )
    async with uow:
        result = await submit_grievance(uow=uow, ctx=ctx, command=command, replay=replay)
    accepted = result.accepted
    created = {
        "service_request_id": accepted.tracking_no,
        "service_notice": accepted.message_zh,
        "account_id": None,
        # Not in GeoReport v2: the filer's secret for the portal's timeline (shown this once).
        "tracking_token": accepted.tracking_token,
    }
    return render(fmt, "service_requests", [created])


@router.get(
    "/v2/requests.{fmt}",
    responses=_documented(400, 404, 429),
    summary="Service requests filed through Open311 and where they stand",
    dependencies=[rate_limit("lookup")],
)
async def list_requests(
    fmt: FormatPath,
    ctx: Ctx,
    uow: Uow,
    service_request_id: Annotated[str | None, Query(max_length=listing.ID_LIST_MAX_CHARS)] = None,
    service_code: Annotated[str | None, Query(max_length=1000)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    query = listing.parse_query(
        now=ctx.clock.now(),
        service_request_id=service_request_id,
        service_code=service_code,
        start_date=start_date,
        end_date=end_date,
        status=status,
    )
    async with uow:
        rows = await find_requests(uow=uow, query=query)
    return render(fmt, "service_requests", [listing.request_document(row) for row in rows])


@router.get(
    "/v2/requests/{service_request_id}.{fmt}",
    responses=_documented(404, 429),
    summary="One service request and where it stands",
    dependencies=[rate_limit("lookup")],
)
async def get_request(service_request_id: str, fmt: FormatPath, uow: Uow) -> Response:
    async with uow:
        row = await find_request(uow=uow, tracking_no=service_request_id)
    if row is None:
        raise Open311Error(404, f"未找到编号为 {service_request_id} 的 Open311 请求")
    return render(fmt, "service_requests", [listing.request_document(row)])
