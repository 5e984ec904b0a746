"""HTTP request and response models of the reviewer and statistics API (separate from tables and events)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.router.domain.records import ReviewItem
from services.router.domain.series import Interval
from shared.events.contracts import RoutingDecision
from shared.events.vocabulary import Area, PetitionKind, Track
from shared.text import RequestModel

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
    proposed_category: str | None = Field(default=None, description="二级分类 proposed within the area")
    confidence: float
    urgent: bool
    created_at: datetime

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewSummary:
        return cls(**_summary(item))


def _summary(item: ReviewItem) -> dict[str, Any]:
    received, proposed = item.received, item.proposed
    return {
        "review_id": item.review_id,
        "grievance_id": item.grievance_id,
        "tracking_no": received.tracking_no,
        "title": received.title,
        "street": received.street,
        "reason": item.reason,
        "status": item.status,
        "proposed_track": proposed.track,
        "proposed_area": proposed.area,
        "proposed_category": proposed.category,
        "confidence": proposed.confidence,
        "urgent": proposed.urgent,
        "created_at": item.created_at,
    }


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

    @classmethod
    def of(cls, item: ReviewItem) -> ReviewDetail:
        received = item.received
        return cls(
            **_summary(item),
            content=received.content,
            community=received.community,
            address=received.address,
            respondent=received.respondent,
            reason_detail=item.reason_detail,
            excluded_departments=list(item.excluded_departments),
            proposed=item.proposed,
            decision=item.decision,
            comment=item.comment,
            decided_at=item.decided_at,
        )


class DepartmentsIn(RequestModel):
    model_config = ConfigDict(extra="forbid")

    lead: str = Field(min_length=1, max_length=60)
    co: list[str] = Field(default_factory=list, max_length=10)


class ReviewDecisionCreate(RequestModel):
    """A reviewer's decision; departments default to the catalog's choice for track, area and category."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    track: Track
    area: Area
    category: str | None = Field(
        default=None,
        min_length=1,
        max_length=40,
        description="二级分类 of the area in the taxonomy; omitted: the proposal's, if the area is unchanged",
    )
    item: str | None = Field(default=None, min_length=1, max_length=40, description="三级分类 of the category")
    petition_kind: PetitionKind | None = None
    departments: DepartmentsIn | None = None
    comment: str = Field(min_length=2, max_length=2000, description="why, for the record and for training")


class ReviewDecisionRead(BaseModel):
    review_id: str
    grievance_id: str
    revision: int
    decision: RoutingDecision


# --- routing statistics (supervisors) -------------------------------------------------------


class BucketDecisions(BaseModel):
    automatic: int = Field(description="first decision handed to the track at once")
    to_review: int = Field(description="first decision sent to a reviewer")
    automatic_share: float | None = Field(description="automatic / (automatic + to_review)")


class SeriesBucket(BaseModel):
    start: date = Field(description="the bucket's first day (Asia/Shanghai)")
    received: int
    by_track: dict[str, int]
    by_area: dict[str, int] = Field(description="all 15 areas, zeros included")
    by_street: dict[str, int] = Field(description="the six streets and unknown")
    first_decision: BucketDecisions


class Series(BaseModel):
    interval: Interval
    buckets: list[SeriesBucket]


class LitigationFigures(BaseModel):
    grievances: int = Field(description="涉法涉诉: received in the period and now on the litigation track")
    by_legal_body: dict[str, int] = Field(
        description="per 政法 body the router sent them to (catalog code; all five listed), "
        "other: a lead that is no 政法 body"
    )


class RepeatFigures(BaseModel):
    grievances: int = Field(description="received in the window and linked to an earlier one of the same complainant")
    rate: float | None = Field(description="repeats / received (重复件率); null when nothing was received")


class GroupCaseFigures(BaseModel):
    clusters: int = Field(description="distinct group cases (集体访) with a member received in the window")
    grievances: int = Field(description="grievances received in the window that belong to a group case")


class FirstDecisionFigures(BaseModel):
    automatic: int = Field(description="first decision confident enough to be handed to the track at once")
    to_review: int = Field(description="first decision sent to a reviewer")
    automatic_share: float | None = Field(description="automatic / (automatic + to_review)")
    awaiting_review: int = Field(description="of the window's grievances, those waiting for a reviewer now")


class ReviewFigures(BaseModel):
    requested: int = Field(description="review items of the window's grievances (a grievance may have several)")
    pending: int
    decided: int
    superseded: int = Field(description="overtaken by a re-route before a reviewer decided")
    track_changed: int = Field(description="decided with another track than the proposal")
    area_changed: int = Field(description="decided with another responsibility area than the proposal")
    track_or_area_changed: int
    change_rate: float | None = Field(description="track_or_area_changed / decided")
    by_reason: dict[str, int] = Field(description="items per reason: low_confidence, returned_by_department, reroute")


class RerouteFigures(BaseModel):
    decisions: int = Field(description="decisions after the first (revision > 1)")
    grievances: int = Field(description="grievances decided more than once")
    by_reason: dict[str, int] = Field(
        description="decisions per cause: reviewer, or the handler's reason (returned_by_department 退单, "
        "mediation_failed, mediation_refused, reopened, other)"
    )


class RoutingStatistics(BaseModel):
    """Volumes of the grievances received in the window, and what routing has done with them since."""

    since: datetime | None = Field(description="inclusive, Asia/Shanghai; null: from the beginning")
    until: datetime | None = Field(description="exclusive, Asia/Shanghai; null: up to now")
    time_zone: str
    as_of: datetime
    received: int = Field(description="grievances received in the window (by received_at)")
    by_track: dict[str, int] = Field(description="current track (a grievance waiting for review: the proposal)")
    by_petition_kind: dict[str, int] = Field(description="petitions only: suggestion, report, claim")
    by_area: dict[str, int] = Field(description="all 15 responsibility areas, zeros included")
    by_category: dict[str, int] = Field(
        default_factory=dict,
        description='per 二级分类 as "area/category", those with grievances only (none before the taxonomy)',
    )
    by_street: dict[str, int] = Field(description="the six streets and unknown")
    by_channel: dict[str, int]
    urgent: int = Field(description="grievances for which an urgent alert was raised")
    repeats: RepeatFigures
    group_cases: GroupCaseFigures
    first_decision: FirstDecisionFigures
    reviews: ReviewFigures
    reroutes: RerouteFigures
    litigation: LitigationFigures
    series: Series | None = Field(default=None, description="with ?interval=day|week|month: received over time")
