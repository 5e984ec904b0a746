"""The citizen's routes (tracking number + token): the timeline, 回访 rating, 复查/复核 requests."""

from __future__ import annotations

from fastapi import APIRouter

from services.feedback.api.deps import Ctx, ReadUow, TrackingNo, TrackingToken, Uow, problems
from services.feedback.handlers import follow_up, queries
from services.feedback.schemas import RatingAccepted, RatingCreate, ReviewAccepted, ReviewCreate, TimelineRead
from shared.problems import problem_responses
from shared.web import rate_limit

router = APIRouter()


@router.get(
    "/v1/grievances/{tracking_no}/timeline",
    response_model=TimelineRead,
    responses=problem_responses(404, 429),
    summary="The grievance's timeline and what the citizen may do next (tracking token)",
    dependencies=[rate_limit("lookup")],
)
async def get_timeline(tracking_no: TrackingNo, token: TrackingToken, ctx: Ctx, uow: ReadUow) -> TimelineRead:
    with problems():
        async with uow:
            return await queries.read_timeline(uow=uow, ctx=ctx, tracking_no=tracking_no, token=token)


@router.post(
    "/v1/grievances/{tracking_no}/rating",
    status_code=201,
    response_model=RatingAccepted,
    responses=problem_responses(404, 409, 422, 429),
    summary="回访: rate the answer; 不满意 within 30 days asks for 重办",
    dependencies=[rate_limit("action")],
)
async def rate_answer(
    tracking_no: TrackingNo, body: RatingCreate, token: TrackingToken, ctx: Ctx, uow: Uow
) -> RatingAccepted:
    with problems():
        async with uow:
            return await follow_up.rate(
                uow=uow, ctx=ctx, tracking_no=tracking_no, token=token, rating=body.rating, comment=body.comment
            )


@router.post(
    "/v1/grievances/{tracking_no}/review-requests",
    status_code=201,
    response_model=ReviewAccepted,
    responses=problem_responses(404, 409, 422, 429),
    summary="Ask for 复查 (§35) or 复核 (§36) of the answer",
    dependencies=[rate_limit("action")],
)
async def request_review(
    tracking_no: TrackingNo, body: ReviewCreate, token: TrackingToken, ctx: Ctx, uow: Uow
) -> ReviewAccepted:
    with problems():
        async with uow:
            return await follow_up.request_review(
                uow=uow, ctx=ctx, tracking_no=tracking_no, token=token, level=body.level, reason=body.reason
            )
