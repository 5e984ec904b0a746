"""What departments read on their topics ``dept.<code>.cases.v1`` (docs/casework.md,
docs/mediation.md): one JSON CloudEvent per change relevant to that department, keyed by the
grievance id (a recommendation by its own id).

Casework publishes case changes, recommendations (§40) and evaluation findings; mediation
publishes its notices to the offices. Only departments read these, never another service; they
live in shared/ so that the topic catalogue (docs/asyncapi.yaml) is generated from them without
loading a service. For reports (检举控告) only the 纪检监察 body receives the grievance itself;
staff names stay out (mediators appear by roster id).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events.contracts import TYPE_PREFIX, EventPayload, FiledGrievance
from shared.events.topics import department_topic
from shared.events.vocabulary import Area, PetitionKind, Track

# ---------------------------------------------------------------------------------------------
# Casework
# ---------------------------------------------------------------------------------------------


class DepartmentAction(StrEnum):
    assigned = "assigned"  # the case is now yours (as lead or co-handler)
    withdrawn = "withdrawn"  # re-routed elsewhere or returned: no longer yours
    signed_for = "signed_for"
    returned = "returned"
    accepted = "accepted"
    not_accepted = "not_accepted"
    in_progress = "in_progress"
    extended = "extended"
    co_opinion_submitted = "co_opinion_submitted"
    replied = "replied"
    closed = "closed"
    reopened = "reopened"  # 重办
    review_requested = "review_requested"
    review_decided = "review_decided"
    due_soon = "due_soon"  # 预警
    supervised = "supervised"  # 督办
    repeat_linked = "repeat_linked"  # a repeat filing was linked to this case (§19)
    transferred_legal = "transferred_legal"
    legal_received = "legal_received"
    legal_progress = "legal_progress"
    legal_concluded = "legal_concluded"
    rated = "rated"
    hearing_scheduled = "hearing_scheduled"  # 听证: the clock is paused
    hearing_held = "hearing_held"  # 听证笔录 complete: the clock runs again
    opinion_published = "opinion_published"  # a heard 复核 opinion made public (公示)


class GrievanceForDepartment(FiledGrievance):
    """The grievance as a handling department sees it: masked complainant, no raw identifiers."""

    complainant_name_masked: str
    complainant_phone_masked: str | None = None


class DueView(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    step: str
    owner: str
    due_on: date
    due_at: datetime
    overdue: bool


class DepartmentCaseChanged(EventPayload):
    event_type: ClassVar[str] = TYPE_PREFIX + "department.case.changed.v1"
    topic: ClassVar[str] = department_topic("<department-code>")  # always published per department

    grievance_id: str
    tracking_no: str
    department: str
    department_name: str
    role: Literal["lead", "co", "reviewer", "former"]
    action: DepartmentAction
    track: Track
    petition_kind: PetitionKind | None = None
    # Added within v1: the routing decision's taxonomy, so a department can sort its cases by matter.
    area: Area | None = None
    category: str | None = Field(default=None, description="二级分类 within the area (taxonomy)")
    item: str | None = Field(default=None, description="三级分类 within the category, when the router was confident")
    state: str
    urgent: bool = False
    revision: int
    lead_department: str
    co_departments: list[str] = Field(default_factory=list)
    due: DueView | None = None
    message_zh: str
    confidential: bool = False
    grievance: GrievanceForDepartment | None = None
    detail: dict[str, Any] = Field(default_factory=dict)
    case_url: str
    occurred_at: datetime


class RecommendationNotice(EventPayload):
    """A recommendation (《信访工作条例》第四十条) on the agency's topic: issued to it, its written answer
    recorded, or the answer supervised (督办) once overdue. Keyed by the recommendation id."""

    event_type: ClassVar[str] = TYPE_PREFIX + "department.recommendation.changed.v1"
    topic: ClassVar[str] = department_topic("<department-code>")

    recommendation_id: str
    department: str
    department_name: str
    action: Literal["issued", "answered", "supervised"]
    kind: Literal["improve_work", "improve_policy", "pursue_responsibility"]
    title: str
    reasons: str
    grievance_ids: list[str] = Field(default_factory=list)
    due_on: date
    state: Literal["issued", "answered"]
    adoption: Literal["adopted", "partly_adopted", "not_adopted"] | None = None
    overdue: bool = False
    message_zh: str
    legal_basis: str
    url: str
    occurred_at: datetime


class EvaluationFindingsSent(EventPayload):
    """Key-case evaluation (评查) findings on one of the department's closed cases. Keyed by the
    grievance id; carries scores and findings, never the grievance itself."""

    event_type: ClassVar[str] = TYPE_PREFIX + "department.evaluation.findings.v1"
    topic: ClassVar[str] = department_topic("<department-code>")

    evaluation_id: str
    grievance_id: str
    tracking_no: str
    department: str
    department_name: str
    rule: str
    scores: dict[str, int]
    total: int
    grade: Literal["excellent", "good", "passing", "failing"]
    findings: str
    evaluator: str
    message_zh: str
    url: str
    occurred_at: datetime


# ---------------------------------------------------------------------------------------------
# Mediation
# ---------------------------------------------------------------------------------------------

NoticeKind = Literal[
    "opened",  # a case arrived for the office's mediators
    "needs_assignment",  # no (or not enough) mediators could be picked: a supervisor must assign
    "reassigned",
    "session_reminder",
    "supervised",  # the time limit passed: 督办
    "follow_up_due",  # the agreement's performance deadline passed: call the parties (回访)
    "concluded",
    "reopened",  # 不满意 after a performed agreement: mediate again
]


class MediationNotice(EventPayload):
    event_type: ClassVar[str] = TYPE_PREFIX + "mediation.notice.v1"
    # Always published per office with an explicit topic; the placeholder is the AsyncAPI address.
    topic: ClassVar[str] = department_topic("{department}")

    grievance_id: str
    tracking_no: str
    mediation_id: str
    notice: NoticeKind
    mediation_type: str
    dispute_kind: str
    # Added within v1: the routing decision's taxonomy, so an office can sort its cases by matter.
    area: Area | None = None
    category: str | None = Field(default=None, description="二级分类 within the area (taxonomy)")
    street: str | None = None
    office: str
    mediators: list[str] = Field(default_factory=list)
    summary_zh: str
    due_at: datetime | None = None
    occurred_at: datetime


# Everything published on department topics, in the order docs/asyncapi.yaml lists them.
DEPARTMENT_PAYLOADS: tuple[type[EventPayload], ...] = (
    DepartmentCaseChanged,
    RecommendationNotice,
    EvaluationFindingsSent,
    MediationNotice,
)
