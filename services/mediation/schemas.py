"""HTTP request and response models (separate from the tables): *Create for commands, *Read out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.mediation.assistance_schemas import AssistanceRead, AssistanceStatistics, LegalAdviserRead
from services.mediation.domain.vocabulary import (
    AssignmentRole,
    DisputeKind,
    MediationType,
    MediatorKind,
    Outcome,
    Party,
    SessionState,
    State,
)
from shared.text import RequestModel

Text200 = Annotated[str, Field(min_length=2, max_length=200)]
Reason = Annotated[str, Field(min_length=2, max_length=1000)]


class _In(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ConsentCreate(_In):
    party: Party
    consented: bool
    note: str = Field(default="", max_length=1000)


class SessionCreate(_In):
    scheduled_for: AwareDatetime
    location: Text200


class SessionReschedule(_In):
    scheduled_for: AwareDatetime
    location: Text200 | None = None
    reason: Reason


class AttendanceEntry(_In):
    party: Party
    present: bool
    note: str = Field(default="", max_length=200)


class SessionRecord(_In):
    held_at: AwareDatetime | None = None
    attendance: list[AttendanceEntry] = Field(min_length=1, max_length=20)
    minutes: str = Field(min_length=2, max_length=20000, description="调解笔录")


class PartyIn(_In):
    role: Party
    name: Annotated[str, Field(min_length=1, max_length=100)]
    representative: str | None = Field(default=None, max_length=100)


class AgreementClose(_In):
    outcome: Literal["agreement"]
    terms: list[Annotated[str, Field(min_length=2, max_length=2000)]] = Field(min_length=1, max_length=30)
    performance_deadline: date
    facts: str | None = Field(default=None, min_length=2, max_length=5000)
    parties: list[PartyIn] | None = Field(default=None, min_length=2, max_length=10)


class FailureClose(_In):
    outcome: Literal["failure"]
    reason: Reason
    to_track: Literal["litigation", "petition"] | None = None


class WithdrawalClose(_In):
    outcome: Literal["withdrawal"]
    reason: Reason


CloseCase = Annotated[AgreementClose | FailureClose | WithdrawalClose, Field(discriminator="outcome")]


class FollowUpCreate(_In):
    performed: bool
    note: str = Field(default="", max_length=2000)


class RecusalCreate(_In):
    reason: Reason


class ReassignCreate(_In):
    mediator_ids: list[Annotated[str, Field(min_length=2, max_length=64)]] | None = Field(
        default=None, min_length=1, max_length=3, description="first is the lead; omit to let the rules pick"
    )
    panel: bool | None = Field(default=None, description="with automatic picking: a panel (三人小组) or one mediator")
    reason: Reason


class MediatorRead(BaseModel):
    id: str
    name: str
    kind: MediatorKind
    office: str
    street: str
    role: AssignmentRole | None = None
    skills: list[DisputeKind] = Field(default_factory=list)


class ConsentRead(BaseModel):
    party: Party
    consented: bool
    note: str
    recorded_at: datetime


class SessionRead(BaseModel):
    number: int
    state: SessionState
    state_zh: str
    scheduled_for: datetime
    location: str
    reschedule_count: int
    reminded_at: datetime | None
    held_at: datetime | None
    attendance: list[dict[str, Any]] | None
    minutes: str | None


class DocumentRead(BaseModel):
    id: str
    kind: str
    number: str | None
    title: str
    url: str
    created_at: datetime


class CaseSummary(BaseModel):
    id: str
    grievance_id: str
    tracking_no: str
    title: str
    state: State
    state_zh: str
    mediation_type: MediationType
    type_zh: str
    dispute_kind: DisputeKind
    dispute_kind_zh: str
    street: str | None
    office: str
    office_name: str
    panel: bool
    opened_at: datetime
    due_at: datetime
    overdue: bool
    supervision_level: int


class CaseDetail(CaseSummary):
    facts: str
    community: str | None
    respondent: str | None
    desired_outcome: str | None
    applicant_name: str
    area: str
    triage: list[dict[str, Any]]
    allowed_actions: list[str]
    mediators: list[MediatorRead]
    consents: list[ConsentRead]
    sessions: list[SessionRead]
    documents: list[DocumentRead]
    outcome: Outcome | None
    outcome_detail: dict[str, Any]
    concluded_at: datetime | None
    performance_deadline: date | None
    follow_up_due_at: datetime | None
    performed: bool | None
    closed_at: datetime | None
    reopen_count: int
    legal_adviser: LegalAdviserRead | None = None
    assistance: list[AssistanceRead] = Field(default_factory=list)


class CountsRead(BaseModel):
    total: int
    open: int
    agreed: int
    failed: int
    refused: int
    withdrawn: int
    success_rate: float | None


class StatisticsRead(BaseModel):
    scope: str = Field(description="all, or the office the caller works for")
    since: datetime | None = Field(description="cases opened from (inclusive, Asia/Shanghai); null: the beginning")
    until: datetime | None = Field(description="cases opened before (exclusive, Asia/Shanghai); null: now")
    overall: CountsRead
    median_duration_days: float | None
    by_type: dict[str, CountsRead]
    by_street: dict[str, CountsRead]
    by_dispute_kind: dict[str, CountsRead]
    assistance: AssistanceStatistics | None = Field(
        default=None, description="assistance referrals (§37) made by mediators in the window, by referral date"
    )


class RosterEntryRead(MediatorRead):
    capacity: int
    load: int
    has_account: bool
    conflict_respondents: list[str]


class Accepted(BaseModel):
    """The answer to a command that leaves the caller without access (recusal)."""

    model_config = ConfigDict(extra="allow")
    status: str
