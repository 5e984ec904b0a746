"""Assistance referral (《信访工作条例》第三十七条) on a case: the handling department records it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from services.casework.api.deps import CaseReader, Ctx, IdempotencyKey, Officer, StatisticsPeriod, Supervisor, Uow
from services.casework.api.idempotent import keyed_action
from services.casework.api.problems import problems
from services.casework.handlers import assistance as handlers
from services.casework.schemas.oversight import (
    AssistanceCreate,
    AssistanceList,
    AssistanceOutcomeRequest,
    AssistanceRead,
)
from shared.assistance import AssistanceStatistics
from shared.problems import problem_responses

router = APIRouter(tags=["assistance"])


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
    staff: Officer,
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
    staff: Officer,
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
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
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
    staff: Supervisor,
    uow: Uow,
) -> AssistanceStatistics:
    async with uow:
        return await handlers.statistics(uow=uow, since=period.first_day, until=period.last_day)
