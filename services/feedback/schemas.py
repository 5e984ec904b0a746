"""HTTP request and response models of feedback (separate from tables and events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.vocabulary import Rating
from shared.text import RequestModel

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TimelineEntryRead(BaseModel):
    """One status on the citizen's timeline; also the ``data`` of an SSE ``status`` event."""

    sequence: int = Field(description="1, 2, 3... per grievance; the SSE event id")
    status: str
    status_label: str = Field(description="the status in Chinese, as the portal shows it")
    stage: str
    message_zh: str
    actor: str
    due_at: datetime | None
    documents: list[dict[str, Any]]
    detail: dict[str, Any]
    occurred_at: datetime


class RatingRead(BaseModel):
    rating: Rating
    rating_label: str
    comment: str
    reopen_requested: bool
    submitted_at: datetime


class FollowUpRead(BaseModel):
    """What the citizen may do now (回访, 复查, 复核) and until when."""

    can_rate: bool
    can_request_review: bool
    can_request_re_review: bool
    window_ends_at: datetime | None
    last_rating: RatingRead | None


class TimelineRead(BaseModel):
    tracking_no: str
    channel: str | None
    received_at: datetime | None
    status: str
    status_label: str
    last_sequence: int
    follow_up: FollowUpRead
    entries: list[TimelineEntryRead]


class RatingCreate(RequestModel):
    """回访: the citizen's satisfaction with the answer."""

    model_config = _STRICT

    rating: Rating = Field(description="satisfied 满意 / basically_satisfied 基本满意 / dissatisfied 不满意")
    comment: str = Field(default="", max_length=500, description="意见或建议（可选）")


class RatingAccepted(BaseModel):
    rating: Rating
    reopen_requested: bool
    within_window: bool
    message_zh: str


class ReviewCreate(RequestModel):
    """复查 (§35) or 复核 (§36) of an answer."""

    model_config = _STRICT

    level: Literal["review", "re_review"] = "review"
    reason: str = Field(min_length=5, max_length=1000, description="申请理由")


class ReviewAccepted(BaseModel):
    level: Literal["review", "re_review"]
    message_zh: str


class RatingCounts(BaseModel):
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    total: int
    reopen_requested: int
    satisfaction_rate: float | None = Field(description="(满意 + 基本满意) / 全部评价")
    fully_satisfied_rate: float | None = Field(description="满意 / 全部评价")
    reopen_rate: float | None = Field(description="申请重办 / 全部评价")


class GroupCounts(RatingCounts):
    key: str | None


class RepeatFigures(BaseModel):
    routed: int = Field(description="grievances routed in the period")
    repeats: int = Field(description="of those, linked to an earlier case (重复件)")
    repeat_rate: float | None


class SatisfactionStatistics(BaseModel):
    since: datetime | None
    until: datetime | None
    overall: RatingCounts
    by_track: list[GroupCounts]
    by_department: list[GroupCounts]
    repeat: RepeatFigures
