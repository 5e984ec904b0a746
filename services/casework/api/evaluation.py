"""Key-case evaluation (重点信访事项评查): supervisors sample, score and send findings; departments
read the findings on their cases."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.casework.api.deps import CaseReader, Ctx, IdempotencyKey, StatisticsPeriod, Supervisor, Uow
from services.casework.api.idempotent import keyed_action
from services.casework.api.problems import problems
from services.casework.handlers import evaluation as handlers
from services.casework.schemas.oversight import (
    EvaluationCreate,
    EvaluationItemRead,
    EvaluationRead,
    EvaluationScore,
    EvaluationStatistics,
    FindingsList,
)
from shared.problems import problem_responses
from shared.web import MAX_OFFSET

router = APIRouter(tags=["evaluation"])


@router.post(
    "/v1/evaluations",
    response_model=EvaluationRead,
    status_code=201,
    responses=problem_responses(401, 403, 422),
    summary="Draw a sample of closed key cases by rule (seeded)",
)
async def create(
    body: EvaluationCreate,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope="evaluations",
        request=body,
        run=lambda: handlers.create(uow=uow, ctx=ctx, staff=staff, body=body),
        status_code=201,
    )


@router.get(
    "/v1/evaluations/{evaluation_id}",
    response_model=EvaluationRead,
    responses=problem_responses(401, 403, 404),
    summary="An evaluation with its sheets",
)
async def read(
    evaluation_id: str,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
) -> EvaluationRead:
    async with uow:
        with problems():
            return await handlers.read(uow=uow, ctx=ctx, evaluation_id=evaluation_id)


@router.put(
    "/v1/evaluations/{evaluation_id}/cases/{grievance_id}",
    response_model=EvaluationItemRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Score one sampled case against the checklist, with findings",
)
async def score(
    evaluation_id: str,
    grievance_id: str,
    body: EvaluationScore,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
) -> EvaluationItemRead:
    async with uow:
        with problems():
            view = await handlers.score(
                uow=uow, ctx=ctx, staff=staff, evaluation_id=evaluation_id, grievance_id=grievance_id, body=body
            )
        await uow.commit()
    return view


@router.post(
    "/v1/evaluations/{evaluation_id}/send",
    response_model=EvaluationRead,
    responses=problem_responses(401, 403, 404, 422),
    summary="Send the scored findings to the departments (their topic and API)",
)
async def send(
    evaluation_id: str,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=f"evaluation:{evaluation_id}",
        request=None,
        run=lambda: handlers.send_findings(uow=uow, ctx=ctx, staff=staff, evaluation_id=evaluation_id),
    )


@router.get(
    "/v1/evaluation-findings",
    response_model=FindingsList,
    responses=problem_responses(401, 403),
    summary="Findings sent to my department (supervisors: all)",
)
async def findings(
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> FindingsList:
    async with uow:
        return await handlers.findings_for(uow=uow, ctx=ctx, staff=staff, limit=limit, offset=offset)


@router.get(
    "/v1/statistics/evaluations",
    response_model=EvaluationStatistics,
    responses=problem_responses(401, 403, 422),
    tags=["statistics"],
    summary="Average evaluation scores per department and checklist item",
)
async def evaluation_statistics(
    period: StatisticsPeriod,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
) -> EvaluationStatistics:
    async with uow:
        return await handlers.statistics(uow=uow, ctx=ctx, since=period.first_day, until=period.last_day)
