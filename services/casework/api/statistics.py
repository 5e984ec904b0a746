"""On-time statistics per department, for the bureau's supervisors."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from services.casework.api.deps import context
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.handling_statistics import HandlingStatistics, handling_statistics
from services.casework.handlers.statistics import on_time_statistics
from services.casework.schemas import OnTimeStatistics
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Role
from shared.problems import problem_responses
from shared.web import unit_of_work
from shared.windows import checked_window

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])


@router.get(
    "/on-time",
    response_model=OnTimeStatistics,
    responses=problem_responses(401, 403),
    summary="Clocks kept and missed per department and step",
)
async def on_time(
    since: date | None = Query(default=None, description="clocks due on or after this date"),
    until: date | None = Query(default=None, description="clocks due on or before this date"),
    department: str | None = None,
    staff: StaffPrincipal = Depends(require_roles(Role.supervisor)),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> OnTimeStatistics:
    async with uow:
        since, until = checked_window(since, until)
        return await on_time_statistics(uow=uow, ctx=ctx, since=since, until=until, department=department)


@router.get(
    "/handling",
    response_model=HandlingStatistics,
    responses=problem_responses(401, 403, 422),
    summary="Cases per lead department, 交办, 转送 and 督办 (for the annual report)",
)
async def handling(
    since: date | None = Query(default=None, description="cases opened on or after this day"),
    until: date | None = Query(default=None, description="cases opened on or before this day"),
    staff: StaffPrincipal = Depends(require_roles(Role.supervisor)),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> HandlingStatistics:
    async with uow:
        since, until = checked_window(since, until)
        return await handling_statistics(uow=uow, ctx=ctx, since=since, until=until)
