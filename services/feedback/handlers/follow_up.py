"""Citizen actions after an answer: rate it (回访, 不满意 → 重办 within the window) and ask for
复查/复核. Each writes its record and its events (to the handling service on
grievance.feedback, and to the citizen's own timeline) in one transaction through the outbox."""

from __future__ import annotations

from services.feedback.domain.follow_up import (
    ReviewLevel,
    decide_rating,
    decide_review,
    rated_message,
    review_requested_message,
)
from services.feedback.domain.grievance import RatingRecord, ReviewRequestRecord
from services.feedback.domain.labels import RATING_LABELS_ZH
from services.feedback.handlers.access import follow_up_state, grievance_for_citizen
from services.feedback.handlers.context import FeedbackContext
from services.feedback.repositories import FeedbackUnitOfWork
from services.feedback.schemas import RatingAccepted, ReviewAccepted
from shared.events.citizen_status import citizen_status
from shared.events.contracts import CitizenReviewRequested, RatingSubmitted
from shared.events.vocabulary import Rating, Status

BUREAU = "光明区信访局"


async def rate(
    *,
    uow: FeedbackUnitOfWork,
    ctx: FeedbackContext,
    tracking_no: str,
    token: str | None,
    rating: Rating,
    comment: str,
) -> RatingAccepted:
    # The row lock orders this against the consumer recording a new answer or a reopen.
    grievance = await grievance_for_citizen(uow=uow, tracking_no=tracking_no, token=token, for_update=True)
    state = await follow_up_state(uow=uow, grievance=grievance)
    now = ctx.clock.now()
    decision = decide_rating(state=state, rating=rating, now=now, window=ctx.review_window)
    assert state.answered_at is not None  # decide_rating refuses otherwise
    await uow.ratings.add(
        RatingRecord(
            grievance_id=grievance.grievance_id,
            round=decision.round,
            rating=rating,
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
    uow: FeedbackUnitOfWork,
    ctx: FeedbackContext,
    tracking_no: str,
    token: str | None,
    level: ReviewLevel,
    reason: str,
) -> ReviewAccepted:
    grievance = await grievance_for_citizen(uow=uow, tracking_no=tracking_no, token=token, for_update=True)
    state = await follow_up_state(uow=uow, grievance=grievance)
    now = ctx.clock.now()
    decide_review(state=state, level=level, now=now, window=ctx.review_window)
    await uow.review_requests.add(
        ReviewRequestRecord(grievance_id=grievance.grievance_id, level=level, reason=reason, requested_at=now)
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
