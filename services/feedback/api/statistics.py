"""The supervisors' figures over feedback's read model."""

from __future__ import annotations

from fastapi import APIRouter

from services.feedback.api.deps import Supervisor, Uow
from services.feedback.handlers import queries
from services.feedback.schemas import SatisfactionStatistics
from shared.problems import problem_responses
from shared.statistics_params import StatisticsPeriod

router = APIRouter()


@router.get(
    "/v1/statistics/satisfaction",
    response_model=SatisfactionStatistics,
    responses=problem_responses(401, 403, 422),
    summary="满意率, 重办 and 重复件 rates for a period (supervisor)",
)
async def satisfaction(staff: Supervisor, period: StatisticsPeriod, uow: Uow) -> SatisfactionStatistics:
    """Ratings by the time they were submitted; the repeat rate by the latest routing decision."""
    async with uow:
        return await queries.satisfaction_statistics(uow=uow, since=period.since, until=period.until)
