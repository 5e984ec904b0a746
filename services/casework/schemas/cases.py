"""Request and response models of the case endpoints: actions, reading, documents."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.casework.domain.case import ReviewOutcome
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.legal import LegalRoute, NotAcceptGround
from services.casework.domain.states import Action
from shared.events.department import GrievanceForDepartment
from shared.events.vocabulary import PetitionKind, Track
from shared.text import RequestModel

Text2000 = Field(min_length=2, max_length=2000)


class Request(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ReturnRequest(Request):
    reason: str = Field(min_length=4, max_length=2000, description="why the matter is not this department's remit")


class RefuseRequest(Request):
    ground: NotAcceptGround
    explanation: str = Text2000
    route: LegalRoute | None = Field(default=None, description="required for ground statutory_route")
    competent_body: str | None = Field(default=None, max_length=200, description="required for other_authority")


class ExtendRequest(Request):
    days: int = Field(ge=1, le=30, description="《信访工作条例》§34: at most 30 days")
    reason: str = Text2000


class CoOpinionRequest(Request):
    opinion: str = Field(min_length=2, max_length=4000)


class ReplyRequest(Request):
    decision: ReplyDecision
    request_summary: str = Text2000
    facts_and_reasons: str = Field(min_length=2, max_length=8000)
    basis: str = Text2000
    outstanding_co_reason: str | None = Field(
        default=None, max_length=2000, description="why the reply goes out before every co-handler's opinion"
    )


class LegalReceiptRequest(Request):
    reference_no: str | None = Field(default=None, max_length=100, description="the body's own case number")


class LegalProgressRequest(Request):
    note: str = Text2000


class LegalConclusionRequest(Request):
    outcome: str = Text2000


class ReviewDecisionRequest(Request):
    outcome: ReviewOutcome
    opinion: str = Field(min_length=2, max_length=4000)


class Office(BaseModel):
    code: str
    name: str


class DeadlineRead(BaseModel):
    step: str
    step_zh: str
    owner: Office
    started_at: datetime
    due_on: date
    due_at: datetime
    done_at: datetime | None
    met: bool | None
    running: bool
    overdue: bool
    near_due: bool


class DocumentRead(BaseModel):
    id: str
    kind: str
    title: str
    doc_no: str
    created_at: datetime
    html_url: str
    pdf_url: str


class CoOpinionRead(BaseModel):
    department: Office
    opinion: str
    submitted_at: datetime


class ReplyRead(BaseModel):
    decision: ReplyDecision
    decision_zh: str
    request_summary: str
    facts_and_reasons: str
    basis: str
    replied_at: datetime
    outstanding_co_reason: str | None


class ReviewRead(BaseModel):
    level: str
    reason: str
    requested_at: datetime
    decided_at: datetime | None
    outcome: ReviewOutcome | None
    opinion: str | None


class LegalRead(BaseModel):
    body: Office
    route: LegalRoute
    route_zh: str
    transferred_at: datetime
    received_at: datetime | None
    reference_no: str | None
    concluded_at: datetime | None
    outcome: str | None


class CaseSummary(BaseModel):
    grievance_id: str
    tracking_no: str
    title: str | None = Field(description="null when the reader may not see the grievance (reports)")
    track: Track
    petition_kind: PetitionKind | None
    state: str
    state_zh: str
    urgent: bool
    my_role: str
    lead: Office
    co: list[Office]
    revision: int
    assigned_at: datetime
    next_due: DeadlineRead | None
    overdue: bool
    confidential: bool


class CaseRead(CaseSummary):
    return_window_ends_on: date | None
    grievance: GrievanceForDepartment | None
    deadlines: list[DeadlineRead]
    co_opinions: list[CoOpinionRead]
    outstanding_co: list[Office]
    extension_days: int | None
    extension_reason: str | None
    replies: list[ReplyRead]
    reviews: list[ReviewRead]
    not_accepted_ground: NotAcceptGround | None
    legal: LegalRead | None
    final: bool
    closed_at: datetime | None
    documents: list[DocumentRead]
    # A default: idempotent replays return responses stored before this field existed.
    allowed_actions: list[Action] = Field(
        default_factory=list,
        description="what the calling staff member may do now (state, part on the case, windows); "
        "names as in GET /v1/cases/vocabulary",
    )


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int


class SuperviseRequest(Request):
    note: str = Field(default="", max_length=500, description="督办意见, sent to the late departments")
