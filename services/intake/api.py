"""Intake HTTP API: translate HTTP to the use cases in handlers.py, nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import Field, ValidationError

from services.intake import handlers, lookups, records
from services.intake.domain import ComplainantIdentity
from services.intake.handlers import IntakeContext, Replay, SubmitGrievance
from services.intake.schemas import (
    ComplainantGrievances,
    ComplainantLookup,
    ContactRead,
    GrievanceAccepted,
    GrievanceCreate,
    GrievanceRead,
    GrievanceStatusRead,
    MinyiCaseAccepted,
    MinyiWebhook,
    StaffRegistration,
)
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Channel, Role
from shared.idempotency import REPLAYED_HEADERS, IdempotencyKey
from shared.problem_openapi import raw_body_openapi
from shared.problems import Problem, problem_responses
from shared.text import RequestModel
from shared.web import rate_limit, unit_of_work
from shared.webhooks import WebhookVerificationError, verify

router = APIRouter()


async def context(request: Request) -> IntakeContext:
    ctx: IntakeContext = request.app.state.ctx
    return ctx


def _command(body: GrievanceCreate, *, registered_by: str | None = None) -> SubmitGrievance:
    return SubmitGrievance(
        identity=ComplainantIdentity(
            name=body.complainant.name,
            mobile=body.complainant.mobile,
            id_card=body.complainant.id_card,
            anonymous=body.complainant.anonymous,
        ),
        channel=Channel(body.channel),
        title=body.title,
        content=body.content,
        street=body.address.street.value,
        community=body.address.community,
        address_detail=body.address.detail,
        respondent=body.respondent,
        desired_outcome=body.desired_outcome,
        attachments=[str(url) for url in body.attachments],
        registered_by=registered_by,
    )


def _accepted_response(result: handlers.SubmitResult) -> JSONResponse:
    headers = {"Location": f"/v1/grievances/{result.accepted.tracking_no}"}
    if result.replayed:
        headers.update(REPLAYED_HEADERS)
    return JSONResponse(result.accepted.model_dump(mode="json"), status_code=202, headers=headers)


@router.post(
    "/v1/grievances",
    status_code=202,
    response_model=GrievanceAccepted,
    responses=problem_responses(413, 422, 429),
    summary="File a grievance (citizen portal)",
    dependencies=[rate_limit("submit")],
)
async def file_grievance(
    body: GrievanceCreate,
    idempotency_key: IdempotencyKey = None,
    ctx: IntakeContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    replay = (
        Replay(
            "idempotency", f"portal:{idempotency_key.key}", idempotency_key.fingerprint(body.model_dump(mode="json"))
        )
        if idempotency_key
        else None
    )
    async with uow:
        result = await handlers.submit_grievance(uow=uow, ctx=ctx, command=_command(body), replay=replay)
    return _accepted_response(result)


@router.get(
    "/v1/grievances/{tracking_no}",
    response_model=GrievanceRead,
    responses=problem_responses(404),
    summary="The grievance as filed (citizen, with the tracking token)",
    dependencies=[rate_limit("lookup")],
)
async def get_grievance(
    tracking_no: str,
    x_tracking_token: Annotated[str | None, Header(alias="X-Tracking-Token")] = None,
    token: Annotated[str | None, Query(description="the tracking token, if a header cannot be set")] = None,
    uow: UnitOfWork = Depends(unit_of_work),
) -> GrievanceRead:
    async with uow:
        return await records.read_grievance(uow=uow, tracking_no=tracking_no, token=x_tracking_token or token)


@router.post(
    "/v1/staff/grievances",
    status_code=202,
    response_model=GrievanceAccepted,
    responses=problem_responses(401, 403, 422),
    summary="Register a walk-in, hotline or letter grievance (registrar)",
)
async def register_grievance(
    body: StaffRegistration,
    idempotency_key: IdempotencyKey = None,
    staff: StaffPrincipal = Depends(require_roles(Role.registrar)),
    ctx: IntakeContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    replay = (
        Replay(
            "idempotency",
            f"staff:{staff.subject}:{idempotency_key.key}",
            idempotency_key.fingerprint(body.model_dump(mode="json")),
        )
        if idempotency_key
        else None
    )
    async with uow:
        await records.audit(uow, staff, "register_grievance", None, {"channel": body.channel.value})
        result = await handlers.submit_grievance(
            uow=uow, ctx=ctx, command=_command(body, registered_by=staff.office), replay=replay
        )
    return _accepted_response(result)


@router.get(
    "/v1/staff/grievances/{tracking_no}",
    response_model=GrievanceRead,
    responses=problem_responses(401, 403, 404),
    summary="The grievance as filed, masked (bureau staff)",
)
async def staff_get_grievance(
    tracking_no: str,
    staff: StaffPrincipal = Depends(require_roles(Role.registrar, Role.reviewer, Role.supervisor)),
    uow: UnitOfWork = Depends(unit_of_work),
) -> GrievanceRead:
    async with uow:
        return await records.read_grievance_for_staff(uow=uow, tracking_no=tracking_no, staff=staff)


@router.get(
    "/v1/staff/grievances/{tracking_no}/status",
    response_model=GrievanceStatusRead,
    responses=problem_responses(401, 403, 404),
    summary="Where the grievance stands now: the latest status any service reported (bureau staff)",
)
async def staff_grievance_status(
    tracking_no: str,
    _: StaffPrincipal = Depends(require_roles(Role.registrar, Role.reviewer, Role.supervisor)),
    uow: UnitOfWork = Depends(unit_of_work),
) -> GrievanceStatusRead:
    async with uow:
        return await lookups.grievance_status(uow=uow, tracking_no=tracking_no)


# POST, not GET: the ID and mobile numbers travel in the body, never in a URL or an access log.
@router.post(
    "/v1/staff/complainant-grievances",
    response_model=ComplainantGrievances,
    responses=problem_responses(401, 403, 422),
    summary="Earlier grievances of the person with this ID or mobile number, to spot repeats (registrar; audited)",
)
async def staff_complainant_grievances(
    body: ComplainantLookup,
    staff: StaffPrincipal = Depends(require_roles(Role.registrar, Role.supervisor)),
    ctx: IntakeContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> ComplainantGrievances:
    async with uow:
        return await lookups.complainant_grievances(uow=uow, ctx=ctx, staff=staff, lookup=body)


class ContactAccess(RequestModel):
    purpose: str = Field(min_length=2, max_length=200, description="why the contact data is needed, e.g. 回访")


@router.post(
    "/v1/staff/grievances/{tracking_no}/contact",
    response_model=ContactRead,
    responses=problem_responses(401, 403, 404, 410),
    summary="Decrypt the complainant's contact data for a call-back (audited)",
)
async def staff_read_contact(
    tracking_no: str,
    body: ContactAccess,
    staff: StaffPrincipal = Depends(require_roles(Role.registrar, Role.supervisor)),
    ctx: IntakeContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> ContactRead:
    async with uow:
        return await records.read_contact(uow=uow, ctx=ctx, tracking_no=tracking_no, staff=staff, purpose=body.purpose)


@router.post(
    "/v1/webhooks/minyi",
    status_code=202,
    response_model=MinyiCaseAccepted,
    description=(
        "Idempotent by `webhook-id`: the same id and body again get the first answer without the "
        "tracking token (header `Idempotent-Replayed: true`) and create nothing; a different body "
        "under a used id is refused with 422 `webhook-id-reused`."
    ),
    responses=problem_responses(401, 409, 422, 429),
    summary="Inbound cases from the city's @深圳-民意速办 platform (Standard Webhooks signed)",
    dependencies=[rate_limit("webhook")],
    # The route reads the raw body to check its signature, so FastAPI cannot see the body or headers.
    openapi_extra=raw_body_openapi(
        MinyiWebhook,
        headers={
            "webhook-id": "Standard Webhooks message id (deliveries of one message share it)",
            "webhook-timestamp": "Unix seconds; within five minutes of the server's clock",
            "webhook-signature": "space-separated `v1,<base64 HMAC-SHA256>` signatures",
        },
    ),
)
async def minyi_webhook(
    request: Request,
    ctx: IntakeContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    body = await request.body()
    try:
        webhook_id = verify(ctx.settings.minyi_webhook_secret.get_secret_value(), dict(request.headers), body)
    except WebhookVerificationError as exc:
        raise Problem(401, slug="webhook-signature", detail=f"webhook 签名校验失败：{exc}") from exc
    try:
        payload = MinyiWebhook.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from exc
    case = payload.data
    command = SubmitGrievance(
        identity=ComplainantIdentity(
            case.complainant.name, case.complainant.mobile, case.complainant.id_card, case.anonymous
        ),
        channel=Channel.minyi,
        title=case.title,
        content=case.content,
        street=case.street.value,
        community=case.community,
        address_detail=case.address,
        external_ref=case.external_id,
    )
    replay = Replay("webhook", webhook_id, handlers.request_fingerprint(body.decode(errors="replace")))
    async with uow:
        result = await handlers.submit_grievance(uow=uow, ctx=ctx, command=command, replay=replay)
    return _accepted_response(result)
