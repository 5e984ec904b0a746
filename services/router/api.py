"""Reviewer and statistics HTTP API: translate HTTP to the review use cases and the routing
statistics, nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from services.router import reviews
from services.router.handlers import RouterContext
from services.router.schemas import (
    ReviewDecisionCreate,
    ReviewDecisionRead,
    ReviewDetail,
    ReviewPage,
    ReviewStatus,
    RoutingStatistics,
)
from services.router.statistics_queries import routing_statistics
from services.router.statistics_series import Interval
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Area, Role, Street, Track
from shared.filters import CategoryName
from shared.problems import problem_responses
from shared.statistics_params import StatisticsPeriod
from shared.web import MAX_OFFSET, unit_of_work

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])
statistics_router = APIRouter(prefix="/v1/statistics", tags=["statistics"])
Reviewer = Annotated[StaffPrincipal, Depends(require_roles(Role.reviewer))]
Supervisor = Annotated[StaffPrincipal, Depends(require_roles(Role.supervisor))]


async def context(request: Request) -> RouterContext:
    ctx: RouterContext = request.app.state.ctx
    return ctx


@router.get("", response_model=ReviewPage, responses=problem_responses(401, 403, 422), summary="Review queue")
async def list_reviews(
    request: Request,
    _: Reviewer,
    status: ReviewStatus = "pending",
    track: Track | None = Query(default=None, description="proposed track"),
    area: Area | None = Query(default=None, description="proposed area"),
    category: CategoryName | None = Query(default=None, max_length=40, description="proposed category (二级分类)"),
    street: Street | None = None,
    urgent: bool | None = None,
    limit: int = Query(default=20, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
    uow: UnitOfWork = Depends(unit_of_work),
) -> ReviewPage:
    limit = min(limit, request.app.state.settings.reviews_page_max)
    async with uow:
        return await reviews.list_reviews(
            uow=uow,
            status=status,
            track=track,
            area=area.value if area else None,
            category=category,
            street=street,
            urgent=urgent,
            limit=limit,
            offset=offset,
        )


@router.get(
    "/{review_id}",
    response_model=ReviewDetail,
    responses=problem_responses(401, 403, 404),
    summary="One review item: the grievance, the proposed decision and its reasons",
)
async def get_review(review_id: str, _: Reviewer, uow: UnitOfWork = Depends(unit_of_work)) -> ReviewDetail:
    async with uow:
        return reviews.detail(await reviews.get_review(uow=uow, review_id=review_id))


@router.post(
    "/{review_id}/decision",
    response_model=ReviewDecisionRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Record the reviewer's decision: re-routes the grievance and keeps it as a labelled example",
)
async def decide_review(
    review_id: str,
    body: ReviewDecisionCreate,
    staff: Reviewer,
    ctx: RouterContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> ReviewDecisionRead:
    async with uow:
        result = await reviews.decide(uow=uow, ctx=ctx, review_id=review_id, command=body, staff=staff)
    async with uow:  # a fresh session: the decision's transaction is committed and closed
        await reviews.refresh_pending_gauge(uow)
    return result


@statistics_router.get(
    "/routing",
    response_model=RoutingStatistics,
    responses=problem_responses(401, 403, 422),
    summary="Volumes of received grievances per track, kind, area, street and channel; repeats, group "
    "cases, automatic routing, reviews and re-routes (supervisor)",
)
async def routing(
    _: Supervisor,
    period: StatisticsPeriod,
    interval: Interval | None = Query(
        default=None, description="add a series of received grievances per day, ISO week or month (Asia/Shanghai)"
    ),
    ctx: RouterContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> RoutingStatistics:
    """Counts the grievances **received** in the period (docs/statistics.md)."""
    async with uow:
        return await routing_statistics(session=uow.session, window=period, as_of=ctx.clock.now(), interval=interval)
