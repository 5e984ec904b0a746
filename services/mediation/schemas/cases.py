"""Response models of cases: the summary in lists, the detail with its team, consents, sessions,
documents, adviser and referrals; the roster; the answer to a recusal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

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
from services.mediation.schemas.assistance import AssistanceRead, LegalAdviserRead


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


class RosterEntryRead(MediatorRead):
    capacity: int
    load: int
    has_account: bool
    conflict_respondents: list[str]


class Accepted(BaseModel):
    """The answer to a command that leaves the caller without access (recusal)."""

    model_config = ConfigDict(extra="allow")
    status: str
