"""HTTP request and response models of the reviewer API (separate from tables and events)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.contracts import RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Track

ReviewStatus = Literal["pending", "decided", "superseded"]


class ReviewSummary(BaseModel):
    review_id: str
    grievance_id: str
    tracking_no: str
    title: str
    street: str | None
    reason: str
    status: ReviewStatus
    proposed_track: Track
    proposed_area: Area
    confidence: float
    urgent: bool
    created_at: datetime


class ReviewPage(BaseModel):
    items: list[ReviewSummary]
    total: int
    limit: int
    offset: int


class ReviewDetail(ReviewSummary):
    content: str
    community: str | None
    address: str | None
    respondent: str | None
    reason_detail: str
    excluded_departments: list[str]
    proposed: RoutingDecision
    decision: RoutingDecision | None = None
    comment: str | None = None
    decided_at: datetime | None = None


class DepartmentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead: str = Field(min_length=1, max_length=60)
    co: list[str] = Field(default_factory=list, max_length=10)


class ReviewDecisionCreate(BaseModel):
    """A reviewer's decision; departments default to the catalog's choice for track and area."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    track: Track
    area: Area
    petition_kind: PetitionKind | None = None
    departments: DepartmentsIn | None = None
    comment: str = Field(min_length=2, max_length=2000, description="why, for the record and for training")


class ReviewDecisionRead(BaseModel):
    review_id: str
    grievance_id: str
    revision: int
    decision: RoutingDecision
