"""Inbound cases from the city's "@深圳-民意速办" platform, signed by Standard Webhooks."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import ValidationError

from services.intake.api.deps import Ctx, Uow
from services.intake.api.grievances import accepted_response
from services.intake.domain.complainant import ComplainantIdentity
from services.intake.domain.replay import request_fingerprint
from services.intake.handlers.replays import Replay
from services.intake.handlers.submission import SubmitGrievance, submit_grievance
from services.intake.schemas import MinyiCaseAccepted, MinyiWebhook
from shared.events.vocabulary import Channel
from shared.problem_openapi import raw_body_openapi
from shared.problems import Problem, problem_responses
from shared.web import rate_limit
from shared.webhooks import WebhookVerificationError, verify

router = APIRouter()


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
async def minyi_webhook(request: Request, ctx: Ctx, uow: Uow) -> Response:
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
    replay = Replay("webhook", webhook_id, request_fingerprint(body.decode(errors="replace")))
    async with uow:
        result = await submit_grievance(uow=uow, ctx=ctx, command=command, replay=replay)
    return accepted_response(result)
