"""Routing statistics for supervisors over HTTP: translate the request to the use case, nothing else."""

from __future__ import annotations

from fastapi import APIRouter, Query

from services.router.api.deps import Ctx, Supervisor, Uow, problems
from services.router.domain.series import Interval
from services.router.handlers.statistics import routing_statistics
from services.router.schemas import RoutingStatistics
from shared.problems import problem_responses
from shared.statistics_params import StatisticsPeriod

router = APIRouter(prefix="/v1/statistics", tags=["statistics"])


@router.get(
    "/routing",
    response_model=RoutingStatistics,
    responses=problem_responses(401, 403, 422),
    summary="Volumes of received grievances per track, kind, area, street and channel; repeats, group "
    "cases, automatic routing, reviews and re-routes (supervisor)",
)
async def routing(
    _: Supervisor,
    period: StatisticsPeriod,
    ctx: Ctx,
    uow: Uow,
    interval: Interval | None = Query(
        default=None, description="add a series of received grievances per day, ISO week or month (Asia/Shanghai)"
    ),
) -> RoutingStatistics:
    """Counts the grievances **received** in the period (docs/statistics.md)."""
    async with uow:
        with problems():
            return await routing_statistics(
                uow=uow, catalog=ctx.catalog, window=period, as_of=ctx.clock.now(), interval=interval
            )
