"""Feedback HTTP API: the citizen's timeline, rating and review requests, and the supervisors'
statistics. Translates HTTP to the use cases, nothing else."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request

from services.feedback import follow_up, queries
from services.feedback.context import FeedbackContext
from services.feedback.domain import FollowUpRefused
from services.feedback.schemas import (
    RatingAccepted,
    RatingCreate,
    ReviewAccepted,
    ReviewCreate,
    SatisfactionStatistics,
    TimelineRead,
)
from shared.auth.dependencies import require_roles
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Role
from shared.problems import Problem, problem_responses
from shared.statistics_params import StatisticsPeriod
from shared.web import rate_limit, unit_of_work

router = APIRouter()

TrackingNo = Annotated[str, Path(min_length=1, max_length=40, description="查询编号, e.g. GM-20261126-000123")]


async def context(request: Request) -> FeedbackContext:
    ctx: FeedbackContext = request.app.state.ctx
    return ctx


def tracking_token(
    x_tracking_token: Annotated[str | None, Header(alias="X-Tracking-Token", max_length=200)] = None,
    token: Annotated[
        str | None, Query(max_length=200, description="the tracking token, where a header cannot be set (EventSource)")
    ] = None,
) -> str | None:
    return x_tracking_token or token


def refused(exc: FollowUpRefused) -> Problem:
    return Problem(409, slug=exc.code, detail=exc.message_zh)


@router.get(
    "/v1/grievances/{tracking_no}/timeline",
    response_model=TimelineRead,
    responses=problem_responses(404, 429),
    summary="The grievance's timeline and what the citizen may do next (tracking token)",
    dependencies=[rate_limit("lookup")],
)
async def get_timeline(
    tracking_no: TrackingNo,
    token: str | None = Depends(tracking_token),
    ctx: FeedbackContext = Depends(context),
) -> TimelineRead:
    async with ctx.infra.session_factory() as session:
        return await queries.read_timeline(session=session, policy=ctx.policy, tracking_no=tracking_no, token=token)


@router.post(
    "/v1/grievances/{tracking_no}/rating",
    status_code=201,
    response_model=RatingAccepted,
    responses=problem_responses(404, 409, 422, 429),
    summary="回访: rate the answer; 不满意 within 30 days asks for 重办",
    dependencies=[rate_limit("action")],
)
async def rate_answer(
    tracking_no: TrackingNo,
    body: RatingCreate,
    token: str | None = Depends(tracking_token),
    ctx: FeedbackContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> RatingAccepted:
    async with uow:
        try:
            return await follow_up.rate(
                uow=uow,
                policy=ctx.policy,
                tracking_no=tracking_no,
                token=token,
                rating=body.rating,
                comment=body.comment,
            )
        except FollowUpRefused as exc:
            raise refused(exc) from exc


@router.post(
    "/v1/grievances/{tracking_no}/review-requests",
    status_code=201,
    response_model=ReviewAccepted,
    responses=problem_responses(404, 409, 422, 429),
    summary="Ask for 复查 (§35) or 复核 (§36) of the answer",
    dependencies=[rate_limit("action")],
)
async def request_review(
    tracking_no: TrackingNo,
    body: ReviewCreate,
    token: str | None = Depends(tracking_token),
    ctx: FeedbackContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> ReviewAccepted:
    async with uow:
        try:
            return await follow_up.request_review(
                uow=uow, policy=ctx.policy, tracking_no=tracking_no, token=token, level=body.level, reason=body.reason
            )
        except FollowUpRefused as exc:
            raise refused(exc) from exc


@router.get(
    "/v1/statistics/satisfaction",
    response_model=SatisfactionStatistics,
    responses=problem_responses(401, 403, 422),
    summary="满意率, 重办 and 重复件 rates for a period (supervisor)",
    dependencies=[Depends(require_roles(Role.supervisor))],
)
async def satisfaction(
    period: StatisticsPeriod,
    ctx: FeedbackContext = Depends(context),
) -> SatisfactionStatistics:
    """Ratings by the time they were submitted; the repeat rate by the latest routing decision."""
    async with ctx.infra.session_factory() as session:
        return await queries.satisfaction_statistics(session=session, since=period.since, until=period.until)
