"""The citizen's way in: a tracking number and its secret token open one grievance."""

from __future__ import annotations

from services.feedback.domain.follow_up import FollowUpState
from services.feedback.domain.grievance import Grievance, GrievanceNotFound
from services.feedback.repositories import FeedbackUnitOfWork
from shared.pii import token_hash, tokens_match

# Compared against when the number is unknown, so both refusals take the same time.
_NO_SUCH_HASH = token_hash("no such grievance")


async def grievance_for_citizen(
    *, uow: FeedbackUnitOfWork, tracking_no: str, token: str | None, for_update: bool = False
) -> Grievance:
    """The grievance if ``token`` opens it; GrievanceNotFound otherwise (also before grievance.received)."""
    grievance = await uow.grievances.by_tracking_no(tracking_no, for_update=for_update)
    expected = (
        grievance.tracking_token_hash if grievance is not None and grievance.tracking_token_hash else _NO_SUCH_HASH
    )
    matched = tokens_match(token or "", expected)
    if grievance is None or not grievance.known or not matched:
        raise GrievanceNotFound(tracking_no)
    return grievance


async def follow_up_state(*, uow: FeedbackUnitOfWork, grievance: Grievance) -> FollowUpState:
    """Where the grievance stands for 回访 and 复查, with what the citizen already did."""
    return grievance.follow_up(
        rated_round=await uow.ratings.last_round(grievance.grievance_id),
        review_levels=await uow.review_requests.levels(grievance.grievance_id),
    )
