"""The citizen portal's routes: file a grievance, read it back with the tracking token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import Response

from services.intake.api.deps import Ctx, IdempotencyKey, Uow
from services.intake.domain.complainant import ComplainantIdentity
from services.intake.handlers.records import read_grievance
from services.intake.handlers.replays import Replay
from services.intake.handlers.submission import SubmitGrievance, SubmitResult, submit_grievance
from services.intake.schemas import GrievanceAccepted, GrievanceCreate, GrievanceRead
from shared.events.vocabulary import Channel
from shared.idempotency import REPLAYED_HEADERS
from shared.problems import problem_responses
from shared.web import rate_limit

router = APIRouter()


def command_of(body: GrievanceCreate) -> SubmitGrievance:
    """The use case's command from a portal filing or a staff registration."""
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
    )


def accepted_response(result: SubmitResult) -> Response:
    """202 with where to read the grievance; a replayed answer says so."""
    headers = {"Location": f"/v1/grievances/{result.accepted.tracking_no}"}
    if result.replayed:
        headers.update(REPLAYED_HEADERS)
    # Serialised by pydantic in one step (no intermediate dict for json.dumps).
    return Response(result.accepted.model_dump_json(), status_code=202, headers=headers, media_type="application/json")


@router.post(
    "/v1/grievances",
    status_code=202,
    response_model=GrievanceAccepted,
    responses=problem_responses(413, 422, 429),
    summary="File a grievance (citizen portal)",
    dependencies=[rate_limit("submit")],
)
async def file_grievance(body: GrievanceCreate, ctx: Ctx, uow: Uow, idempotency_key: IdempotencyKey = None) -> Response:
    replay = (
        Replay(
            "idempotency", f"portal:{idempotency_key.key}", idempotency_key.fingerprint(body.model_dump(mode="json"))
        )
        if idempotency_key
        else None
    )
    async with uow:
        result = await submit_grievance(uow=uow, ctx=ctx, command=command_of(body), replay=replay)
    return accepted_response(result)


@router.get(
    "/v1/grievances/{tracking_no}",
    response_model=GrievanceRead,
    responses=problem_responses(404),
    summary="The grievance as filed (citizen, with the tracking token)",
    dependencies=[rate_limit("lookup")],
)
async def get_grievance(
    tracking_no: str,
    uow: Uow,
    x_tracking_token: Annotated[str | None, Header(alias="X-Tracking-Token")] = None,
    token: Annotated[str | None, Query(description="the tracking token, if a header cannot be set")] = None,
) -> GrievanceRead:
    async with uow:
        return await read_grievance(uow=uow, tracking_no=tracking_no, token=x_tracking_token or token)
