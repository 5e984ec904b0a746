"""Statistics for the bureau's supervisors: on-time rate per department, handling figures, and the
overdue clocks (超期) that the scheduler supervises. Every endpoint takes the platform's one period
convention (``shared.statistics_params``); what each counts by is said on the endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Query

from services.casework.api.deps import Ctx, StatisticsPeriod, Supervisor, Uow
from services.casework.domain.deadlines import Step
from services.casework.handlers.statistics import handling_statistics, on_time_statistics, overdue_clocks
from services.casework.schemas.statistics import HandlingStatistics, OnTimeStatistics, OverdueList
from shared.filters import DepartmentCode
from shared.problems import problem_responses
from shared.web import MAX_OFFSET

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])


@router.get(
    "/on-time",
    response_model=OnTimeStatistics,
    responses=problem_responses(401, 403, 422),
    summary="Clocks kept and missed per department and step, by the day they were due",
)
async def on_time(
    period: StatisticsPeriod,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
    department: DepartmentCode | None = Query(default=None, description="one department's clocks (catalog code)"),
) -> OnTimeStatistics:
    async with uow:
        return await on_time_statistics(
            uow=uow, ctx=ctx, since=period.first_day, until=period.last_day, department=department
        )


@router.get(
    "/handling",
    response_model=HandlingStatistics,
    responses=problem_responses(401, 403, 422),
    summary="Cases opened in the period per lead department, 交办, 转送 and 督办 (for the annual report)",
)
async def handling(
    period: StatisticsPeriod,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
) -> HandlingStatistics:
    async with uow:
        return await handling_statistics(uow=uow, ctx=ctx, period=period)


@router.get(
    "/overdue",
    response_model=OverdueList,
    responses=problem_responses(401, 403, 422),
    summary="Running clocks past their due day (超期), most overdue first, with the department and step",
)
async def overdue(
    period: StatisticsPeriod,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
    department: DepartmentCode | None = Query(default=None, description="one owner's clocks (catalog code)"),
    step: Step | None = None,
    limit: int = Query(default=100, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> OverdueList:
    async with uow:
        return await overdue_clocks(
            uow=uow, ctx=ctx, period=period, department=department, step=step, limit=limit, offset=offset
        )
