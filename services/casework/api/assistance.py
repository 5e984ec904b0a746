"""Assistance referral (《信访工作条例》第三十七条) on a case: the handling department records it."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from services.casework.api.deps import IdempotencyKey, context
from services.casework.api.idempotent import keyed_action
from services.casework.api.oversight_errors import problems
from services.casework.handlers import assistance as handlers
from services.casework.handlers.context import CaseworkContext
from services.casework.oversight_schemas import (
    AssistanceCreate,
    AssistanceList,
    AssistanceOutcomeRequest,
    AssistanceRead,
    AssistanceStatistics,
)
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Role
from shared.problems import problem_responses
from shared.statistics_params import StatisticsPeriod
from shared.web import unit_of_work

router = APIRouter(tags=["assistance"])

officer = require_roles(Role.department_officer)
reader = require_roles(Role.department_officer, Role.supervisor)


@router.post(
    "/v1/cases/{grievance_id}/assistance",
    response_model=AssistanceRead,
    status_code=201,
    responses=problem_responses(401, 403, 404, 422),
    summary="Record hardship and a referral to 社会救助 or 司法救助",
)
async def refer(
    grievance_id: str,
    body: AssistanceCreate,
    key: IdempotencyKey = None,
    staff: StaffPrincipal = Depends(officer),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=body,
        problems=problems,
        run=lambda: handlers.refer(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, body=body),
        status_code=201,
    )


@router.post(
    "/v1/cases/{grievance_id}/assistance/{referral_id}/outcome",
    response_model=AssistanceRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Record the referral's outcome",
)
async def record_outcome(
    grievance_id: str,
    referral_id: str,
    body: AssistanceOutcomeRequest,
    key: IdempotencyKey = None,
    staff: StaffPrincipal = Depends(officer),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=grievance_id,
        request=body,
        problems=problems,
        run=lambda: handlers.record_outcome(
            uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, referral_id=referral_id, body=body
        ),
    )


@router.get(
    "/v1/cases/{grievance_id}/assistance",
    response_model=AssistanceList,
    responses=problem_responses(401, 403, 404),
    summary="Assistance referrals on a case",
)
async def list_referrals(
    grievance_id: str,
    staff: StaffPrincipal = Depends(reader),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> AssistanceList:
    async with uow:
        with problems():
            return await handlers.list_for_case(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id)


@router.get(
    "/v1/statistics/assistance",
    response_model=AssistanceStatistics,
    responses=problem_responses(401, 403, 422),
    tags=["statistics"],
    summary="Assistance referrals by kind, programme and outcome",
)
async def assistance_statistics(
    period: StatisticsPeriod,
    staff: StaffPrincipal = Depends(require_roles(Role.supervisor)),
    uow: UnitOfWork = Depends(unit_of_work),
) -> AssistanceStatistics:
    async with uow:
        return await handlers.statistics(uow=uow, since=period.first_day, until=period.last_day)
