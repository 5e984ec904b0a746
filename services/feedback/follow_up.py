"""Citizen actions after an answer: rate it (回访, 不满意 → 重办 within the window) and ask for
复查/复核. Each writes its record and its events (to the handling service on
grievance.feedback, and to the citizen's own timeline) in one transaction through the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from services.feedback import db
from services.feedback.domain import (
    RATING_LABELS_ZH,
    FollowUpState,
    ReviewLevel,
    decide_rating,
    decide_review,
    rated_message,
    review_requested_message,
)
from services.feedback.schemas import RatingAccepted, ReviewAccepted
from services.feedback.timeline import grievance_for_citizen
from shared.clock import Clock
from shared.db.uow import UnitOfWork
from shared.events.citizen_status import citizen_status
from shared.events.contracts import CitizenReviewRequested, RatingSubmitted
from shared.events.vocabulary import Rating, Status

BUREAU = "光明区信访局"


@dataclass(frozen=True, slots=True)
class FollowUpPolicy:
    clock: Clock
    review_window: timedelta


async def follow_up_state(session: AsyncSession | AsyncConnection, grievance: Any) -> FollowUpState:
    """The follow-up state of a grievance row plus what the citizen already did."""
    rated_round = await session.scalar(
        select(func.coalesce(func.max(db.rating.c.round), 0)).where(db.rating.c.grievance_id == grievance.grievance_id)
    )
    levels = set(
        (
            await session.execute(
                select(db.review_request.c.level).where(db.review_request.c.grievance_id == grievance.grievance_id)
            )
        ).scalars()
    )
    return FollowUpState(
        answered_at=grievance.answered_at,
        answer_round=grievance.answer_round,
        rated_round=int(rated_round or 0),
        review_decided_at=grievance.review_decided_at,
        review_requested="review" in levels,
        re_review_requested="re_review" in levels,
    )


async def rate(
    *,
    uow: UnitOfWork,
    policy: FollowUpPolicy,
    tracking_no: str,
    token: str | None,
    rating: Rating,
    comment: str,
) -> RatingAccepted:
    # The row lock orders this against the consumer recording a new answer or a reopen.
    grievance = await grievance_for_citizen(uow.session, tracking_no=tracking_no, token=token, for_update=True)
    state = await follow_up_state(uow.session, grievance)
    now = policy.clock.now()
    decision = decide_rating(state=state, rating=rating, now=now, window=policy.review_window)
    assert state.answered_at is not None  # decide_rating refuses otherwise
    await uow.session.execute(
        insert(db.rating).values(
            grievance_id=grievance.grievance_id,
            round=decision.round,
            rating=rating.value,
            comment=comment,
            within_window=decision.within_window,
            reopen_requested=decision.reopen_requested,
            answered_at=state.answered_at,
            answered_by=grievance.answered_by,
            submitted_at=now,
        )
    )
    await uow.publish(
        RatingSubmitted(
            grievance_id=grievance.grievance_id,
            tracking_no=tracking_no,
            rating=rating,
            comment=comment,
            reopen_requested=decision.reopen_requested,
            submitted_at=now,
        ),
        subject=grievance.grievance_id,
    )
    message = rated_message(rating, decision)
    await uow.publish(
        citizen_status(
            grievance_id=grievance.grievance_id,
            tracking_no=tracking_no,
            status=Status.rated,
            stage="feedback",
            message_zh=message,
            detail={
                "rating": rating.value,
                "rating_label": RATING_LABELS_ZH[rating],
                "reopen_requested": decision.reopen_requested,
                "round": decision.round,
            },
            actor=BUREAU,
            occurred_at=now,
        ),
        subject=grievance.grievance_id,
    )
    await uow.commit()
    return RatingAccepted(
        rating=rating,
        reopen_requested=decision.reopen_requested,
        within_window=decision.within_window,
        message_zh=message,
    )


async def request_review(
    *,
    uow: UnitOfWork,
    policy: FollowUpPolicy,
    tracking_no: str,
    token: str | None,
    level: ReviewLevel,
    reason: str,
) -> ReviewAccepted:
    grievance = await grievance_for_citizen(uow.session, tracking_no=tracking_no, token=token, for_update=True)
    state = await follow_up_state(uow.session, grievance)
    now = policy.clock.now()
    decide_review(state=state, level=level, now=now, window=policy.review_window)
    await uow.session.execute(
        insert(db.review_request).values(
            grievance_id=grievance.grievance_id, level=level, reason=reason, requested_at=now
        )
    )
    await uow.publish(
        CitizenReviewRequested(
            grievance_id=grievance.grievance_id, tracking_no=tracking_no, level=level, reason=reason, requested_at=now
        ),
        subject=grievance.grievance_id,
    )
    message = review_requested_message(level)
    await uow.publish(
        citizen_status(
            grievance_id=grievance.grievance_id,
            tracking_no=tracking_no,
            status=Status.review_requested,
            stage="feedback",
            message_zh=message,
            detail={"level": level},
            actor=BUREAU,
            occurred_at=now,
        ),
        subject=grievance.grievance_id,
    )
    await uow.commit()
    return ReviewAccepted(level=level, message_zh=message)
