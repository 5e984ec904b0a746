"""What feedback keeps of a grievance (its read model row), and the records of the citizen's actions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from services.feedback.domain.follow_up import FollowUpState, ReviewLevel
from shared.events.vocabulary import Rating


class GrievanceNotFound(Exception):
    """Unknown number, wrong token or not yet received: one refusal, so a number's existence is not revealed."""


@dataclass(frozen=True, slots=True)
class Grievance:
    grievance_id: str
    tracking_no: str
    # None until grievance.received arrives: statuses that came first are kept but not shown.
    tracking_token_hash: str | None = None
    channel: str | None = None
    external_ref: str | None = None
    received_at: datetime | None = None
    last_seq: int = 0
    answered_at: datetime | None = None
    answered_by: str | None = None
    answer_round: int = 0
    review_decided_at: datetime | None = None

    @property
    def known(self) -> bool:
        """grievance.received has arrived: the citizen may see it."""
        return self.tracking_token_hash is not None

    def follow_up(self, *, rated_round: int = 0, review_levels: Collection[str] = ()) -> FollowUpState:
        """The follow-up state of this grievance plus what the citizen already did."""
        return FollowUpState(
            answered_at=self.answered_at,
            answer_round=self.answer_round,
            rated_round=rated_round,
            review_decided_at=self.review_decided_at,
            review_requested="review" in review_levels,
            re_review_requested="re_review" in review_levels,
        )


@dataclass(frozen=True, slots=True)
class Routing:
    """The router's latest decision, kept for the statistics."""

    track: str
    lead_department: str | None
    repeat_of: str | None
    revision: int
    routed_at: datetime


@dataclass(frozen=True, slots=True)
class RatingRecord:
    grievance_id: str
    round: int
    rating: Rating
    comment: str
    within_window: bool
    reopen_requested: bool
    answered_at: datetime
    answered_by: str | None
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class ReviewRequestRecord:
    grievance_id: str
    level: ReviewLevel
    reason: str
    requested_at: datetime
