"""Hearings (听证) on a case, the public notice board (公示) and the lawyer roster."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.casework.api.deps import CaseReader, Ctx, IdempotencyKey, Supervisor, Uow
from services.casework.api.idempotent import keyed_action
from services.casework.api.problems import problems
from services.casework.handlers import hearings
from services.casework.schemas.hearings import (
    HearingCreate,
    HearingList,
    HearingRead,
    HearingRecordCreate,
    LawyerRead,
    PublicNoticeList,
)
from shared.catalog.lawyers import LawyerRole, load_lawyers
from shared.problems import problem_responses
from shared.web import MAX_OFFSET

router = APIRouter(tags=["hearings"])

# Officers open and record their own department's hearings; supervisors act as the 复核 body
# (CaseReader); the use cases tell which of them a hearing belongs to.
ACTION_ERRORS = problem_responses(401, 403, 404, 409, 422)


@router.post(
    "/v1/cases/{grievance_id}/hearings",
    response_model=HearingRead,
    status_code=201,
    responses=ACTION_ERRORS,
    summary="举行听证: panel, participants, time and place; the clock pauses",
)
async def open_hearing(
    grievance_id: str,
    body: HearingCreate,
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=body,
        run=lambda: hearings.open_hearing(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, request=body),
        status_code=201,
    )


@router.get(
    "/v1/cases/{grievance_id}/hearings",
    response_model=HearingList,
    responses=problem_responses(401, 403, 404),
    summary="The hearings of a case",
)
async def list_hearings(
    grievance_id: str,
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
) -> HearingList:
    async with uow:
        with problems():
            items = await hearings.list_hearings(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id)
    return HearingList(items=items)


@router.post(
    "/v1/cases/{grievance_id}/hearings/{hearing_id}/record",
    response_model=HearingRead,
    responses=ACTION_ERRORS,
    summary="听证笔录: the hearing is over; the clock runs again with its due date moved",
)
async def record_hearing(
    grievance_id: str,
    hearing_id: str,
    body: HearingRecordCreate,
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=body,
        run=lambda: hearings.record_hearing(
            uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, hearing_id=hearing_id, request=body
        ),
    )


@router.post(
    "/v1/cases/{grievance_id}/hearings/{hearing_id}/publish",
    response_model=HearingRead,
    responses=ACTION_ERRORS,
    summary="公示: make a heard 复核 opinion public, personal data masked (supervisor)",
)
async def publish_opinion(
    grievance_id: str,
    hearing_id: str,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=None,
        run=lambda: hearings.publish_opinion(
            uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, hearing_id=hearing_id
        ),
    )


@router.get(
    "/v1/public/hearing-notices",
    response_model=PublicNoticeList,
    responses=problem_responses(422),
    summary="The public notice board: heard 复核 opinions, personal data masked",
)
async def public_notices(
    uow: Uow,
    limit: int = Query(default=20, ge=1, le=100),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> PublicNoticeList:
    async with uow:
        return await hearings.public_notices(uow=uow, limit=limit, offset=offset)


@router.get(
    "/v1/lawyers",
    response_model=list[LawyerRead],
    responses=problem_responses(401, 403),
    summary="The lawyer roster (法律顾问) for hearing panels",
)
async def lawyers(
    _: CaseReader,
    role: LawyerRole = Query(default=LawyerRole.hearing),
) -> list[LawyerRead]:
    return [
        LawyerRead(
            id=lawyer.id,
            name=lawyer.name,
            firm=lawyer.firm,
            roles=sorted(r.value for r in lawyer.roles),
            specialties=list(lawyer.specialties),
        )
        for lawyer in load_lawyers().for_role(role)
    ]
