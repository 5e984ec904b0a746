"""Hearings (听证) on a case, the public notice board (公示) and the lawyer roster."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from services.casework.api.deps import IdempotencyKey, context, problems
from services.casework.api.idempotent import keyed_action
from services.casework.handlers import hearings
from services.casework.handlers.context import CaseworkContext
from services.casework.hearing_schemas import (
    HearingCreate,
    HearingList,
    HearingRead,
    HearingRecordCreate,
    LawyerRead,
    PublicNoticeList,
)
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.catalog.lawyers import LawyerRole, load_lawyers
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Role
from shared.problems import Problem, problem_responses
from shared.web import MAX_OFFSET, unit_of_work

router = APIRouter(tags=["hearings"])

# Officers open and record their own department's hearings; supervisors act as the 复核 body.
actor = require_roles(Role.department_officer, Role.supervisor)
supervisor = require_roles(Role.supervisor)
ACTION_ERRORS = problem_responses(401, 403, 404, 409, 422)


@contextmanager
def hearing_problems() -> Iterator[None]:
    with problems():
        try:
            yield
        except hearings.HearingNotFound as exc:
            raise Problem(404, slug="hearing-not-found", detail="未找到该听证。") from exc


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
    key: IdempotencyKey = None,
    staff: StaffPrincipal = Depends(actor),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=body,
        problems=hearing_problems,
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
    staff: StaffPrincipal = Depends(actor),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> HearingList:
    async with uow:
        with hearing_problems():
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
    key: IdempotencyKey = None,
    staff: StaffPrincipal = Depends(actor),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=body,
        problems=hearing_problems,
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
    key: IdempotencyKey = None,
    staff: StaffPrincipal = Depends(supervisor),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=None,
        problems=hearing_problems,
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
    limit: int = Query(default=20, ge=1, le=100),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
    uow: UnitOfWork = Depends(unit_of_work),
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
    role: LawyerRole = Query(default=LawyerRole.hearing),
    _: StaffPrincipal = Depends(actor),
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
