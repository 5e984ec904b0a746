"""Recommendations (《信访工作条例》第四十条): the bureau issues, the agency answers in writing."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from services.casework.api.deps import CaseReader, Ctx, IdempotencyKey, Officer, StatisticsPeriod, Supervisor, Uow
from services.casework.api.idempotent import keyed_action
from services.casework.api.problems import problems
from services.casework.domain.recommendation import RecommendationKind, RecommendationState
from services.casework.handlers import recommendation as handlers
from services.casework.schemas.oversight import (
    RecommendationAnswer,
    RecommendationCreate,
    RecommendationList,
    RecommendationRead,
    RecommendationStatistics,
)
from shared.filters import DepartmentCode
from shared.problems import problem_responses
from shared.web import MAX_OFFSET

router = APIRouter(tags=["recommendations"])


@router.post(
    "/v1/recommendations",
    response_model=RecommendationRead,
    status_code=201,
    responses=problem_responses(401, 403, 422),
    summary="Issue a recommendation (改进工作 / 完善政策 / 追究责任) to an agency",
)
async def issue(
    body: RecommendationCreate,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope="recommendations",
        request=body,
        run=lambda: handlers.issue(uow=uow, ctx=ctx, staff=staff, body=body),
        status_code=201,
    )


@router.get(
    "/v1/recommendations",
    response_model=RecommendationList,
    responses=problem_responses(401, 403),
    summary="Recommendations: an officer's own department's, or all for supervisors",
)
async def list_recommendations(
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
    state: RecommendationState | None = None,
    kind: RecommendationKind | None = None,
    department: DepartmentCode | None = Query(default=None, max_length=64, description="supervisors: one agency's"),
    overdue: bool | None = None,
    limit: int = Query(default=50, ge=1, le=200),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> RecommendationList:
    filters = handlers.RecommendationFilter(
        state=state, kind=kind, department=department, overdue=overdue, limit=limit, offset=offset
    )
    async with uow:
        return await handlers.list_recommendations(uow=uow, ctx=ctx, staff=staff, filters=filters)


@router.get(
    "/v1/recommendations/{recommendation_id}",
    response_model=RecommendationRead,
    responses=problem_responses(401, 403, 404),
    summary="One recommendation",
)
async def read_recommendation(
    recommendation_id: str,
    staff: CaseReader,
    ctx: Ctx,
    uow: Uow,
) -> RecommendationRead:
    async with uow:
        with problems():
            return await handlers.read(uow=uow, ctx=ctx, staff=staff, recommendation_id=recommendation_id)


@router.post(
    "/v1/recommendations/{recommendation_id}/answer",
    response_model=RecommendationRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="书面反馈采纳情况: the agency's written answer",
)
async def answer(
    recommendation_id: str,
    body: RecommendationAnswer,
    staff: Officer,
    ctx: Ctx,
    uow: Uow,
    key: IdempotencyKey = None,
) -> JSONResponse:
    return await keyed_action(
        uow=uow,
        staff=staff,
        key=key,
        scope=f"recommendation:{recommendation_id}",
        request=body,
        run=lambda: handlers.answer(uow=uow, ctx=ctx, staff=staff, recommendation_id=recommendation_id, body=body),
    )


@router.get(
    "/v1/statistics/recommendations",
    response_model=RecommendationStatistics,
    responses=problem_responses(401, 403, 422),
    tags=["statistics"],
    summary="Recommendations issued, answered and adopted per kind and agency",
)
async def recommendation_statistics(
    period: StatisticsPeriod,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
) -> RecommendationStatistics:
    async with uow:
        return await handlers.statistics(uow=uow, ctx=ctx, since=period.first_day, until=period.last_day)
