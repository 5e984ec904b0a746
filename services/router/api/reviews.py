"""The reviewer's queue over HTTP: translate requests to the review use cases, nothing else."""

from __future__ import annotations

from fastapi import APIRouter, Query

from services.router.api.deps import Config, Ctx, Reviewer, Uow, problems
from services.router.domain.records import ReviewFilter
from services.router.handlers import reviews
from services.router.schemas import ReviewDecisionCreate, ReviewDecisionRead, ReviewDetail, ReviewPage, ReviewStatus
from shared.events.vocabulary import Area, Street, Track
from shared.filters import CategoryName
from shared.problems import problem_responses
from shared.web import MAX_OFFSET

router = APIRouter(prefix="/v1/reviews", tags=["reviews"])


@router.get("", response_model=ReviewPage, responses=problem_responses(401, 403, 422), summary="Review queue")
async def list_reviews(
    _: Reviewer,
    settings: Config,
    uow: Uow,
    status: ReviewStatus = "pending",
    track: Track | None = Query(default=None, description="proposed track"),
    area: Area | None = Query(default=None, description="proposed area"),
    category: CategoryName | None = Query(default=None, max_length=40, description="proposed category (二级分类)"),
    street: Street | None = None,
    urgent: bool | None = None,
    limit: int = Query(default=20, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=MAX_OFFSET),
) -> ReviewPage:
    wanted = ReviewFilter(
        status=status, track=track, area=area.value if area else None, category=category, street=street, urgent=urgent
    )
    async with uow:
        return await reviews.list_reviews(
            uow=uow, wanted=wanted, limit=min(limit, settings.reviews_page_max), offset=offset
        )


@router.get(
    "/{review_id}",
    response_model=ReviewDetail,
    responses=problem_responses(401, 403, 404),
    summary="One review item: the grievance, the proposed decision and its reasons",
)
async def get_review(review_id: str, _: Reviewer, uow: Uow) -> ReviewDetail:
    async with uow:
        with problems():
            return await reviews.show_review(uow=uow, review_id=review_id)


@router.post(
    "/{review_id}/decision",
    response_model=ReviewDecisionRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Record the reviewer's decision: re-routes the grievance and keeps it as a labelled example",
)
async def decide_review(
    review_id: str, body: ReviewDecisionCreate, staff: Reviewer, ctx: Ctx, uow: Uow
) -> ReviewDecisionRead:
    async with uow:
        with problems():
            result = await reviews.decide(uow=uow, ctx=ctx, review_id=review_id, command=body, staff=staff)
    async with uow:  # a fresh session: the decision's transaction is committed and closed
        await reviews.refresh_pending_gauge(uow=uow)
    return result
