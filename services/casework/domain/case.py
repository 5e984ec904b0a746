"""The case aggregate: one grievance handled by departments, with its clocks and its records.

Plain data plus the few helpers every step uses; the steps themselves live in petition.py,
review.py and litigation.py as keyword-only functions that change a Case or raise a CaseError.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pydantic import ConfigDict

from services.casework.domain.deadlines import (
    Deadline,
    Step,
)
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.legal import LegalRoute, NotAcceptance
from services.casework.domain.states import Action, CaseState, NotPermitted, RuleViolation, next_state
from shared.events.contracts import FiledGrievance
from shared.events.vocabulary import PetitionKind, Track


class Role(StrEnum):
    """How a department stands to a case."""

    lead = "lead"  # 主办
    co = "co"  # 协办


class GrievanceSnapshot(FiledGrievance):
    """The grievance as filed (masked), kept for the handlers' screens and the documents."""

    # Mutable, like every other part of the Case aggregate.
    model_config = ConfigDict(frozen=False)

    complainant_name_masked: str = "匿名"
    complainant_phone_masked: str | None = None
    anonymous: bool = False


@dataclass
class PreviousAssignment:
    track: Track
    lead: str
    co: list[str]
    revision: int
    assigned_at: datetime
    ended_at: datetime
    ended_because: str  # returned | superseded
    detail: str | None = None  # the department's reason when it returned the case


@dataclass
class CoOpinion:
    department: str
    opinion: str
    submitted_at: datetime


@dataclass
class Extension:
    days: int
    reason: str
    granted_at: datetime
    previous_due_on: date
    new_due_on: date


@dataclass
class ReplyRecord:
    decision: ReplyDecision
    request_summary: str
    facts_and_reasons: str
    basis: str
    replied_at: datetime
    co_opinions: list[CoOpinion] = field(default_factory=list)
    outstanding_co_reason: str | None = None


class ReviewLevel(StrEnum):
    review = "review"  # 复查 §35
    re_review = "re_review"  # 复核 §36


class ReviewOutcome(StrEnum):
    upheld = "upheld"  # 维持原处理意见
    changed = "changed"  # 变更原处理意见
    revoked = "revoked"  # 撤销原处理意见


@dataclass
class ReviewRecord:
    level: ReviewLevel
    reason: str
    requested_at: datetime
    decided_at: datetime | None = None
    outcome: ReviewOutcome | None = None
    opinion: str | None = None


@dataclass
class LegalUpdate:
    note: str
    at: datetime


@dataclass
class LegalTransfer:
    body: str  # department code of the 政法 body
    route: LegalRoute
    transferred_at: datetime
    received_at: datetime | None = None
    reference_no: str | None = None
    updates: list[LegalUpdate] = field(default_factory=list)
    concluded_at: datetime | None = None
    outcome: str | None = None


@dataclass
class Case:
    grievance_id: str
    tracking_no: str
    tracking_token_hash: str
    track: Track
    petition_kind: PetitionKind | None
    snapshot: GrievanceSnapshot
    lead: str
    co: list[str]
    revision: int
    urgent: bool
    state: CaseState
    assigned_at: datetime
    return_window_ends_on: date | None = None
    repeat_of: str | None = None
    routed_departments: list[str] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    co_opinions: list[CoOpinion] = field(default_factory=list)
    signed_for_at: datetime | None = None
    return_reason: str | None = None
    accepted_at: datetime | None = None
    not_acceptance: NotAcceptance | None = None
    extension: Extension | None = None
    replies: list[ReplyRecord] = field(default_factory=list)
    reviews: list[ReviewRecord] = field(default_factory=list)
    reopen_count: int = 0
    rating: str | None = None
    final: bool = False
    closed_at: datetime | None = None
    legal: LegalTransfer | None = None
    history: list[PreviousAssignment] = field(default_factory=list)
    # the routing decision's taxonomy (area, 二级 category, 三级 item); none on cases opened before it
    area: str | None = None
    category: str | None = None
    item: str | None = None

    @property
    def departments(self) -> list[str]:
        return [self.lead, *self.co]

    def role_of(self, department: str | None) -> Role | None:
        if department is None:
            return None
        if department == self.lead:
            return Role.lead
        if department in self.co:
            return Role.co
        return None

    def running(self, step: Step) -> Deadline | None:
        return next((d for d in self.deadlines if d.step is step and d.running), None)

    @property
    def next_deadline(self) -> Deadline | None:
        running = [d for d in self.deadlines if d.running]
        return min(running, key=lambda d: d.due_on) if running else None

    @property
    def last_reply(self) -> ReplyRecord | None:
        return self.replies[-1] if self.replies else None

    @property
    def last_review(self) -> ReviewRecord | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def is_open(self) -> bool:
        """Accepted or being handled (§19): a repeat of it is linked, not handled again."""
        return self.state not in (CaseState.closed, CaseState.not_accepted)

    # -- helpers shared by the steps ------------------------------------------------------------

    def move(self, action: Action) -> None:
        self.state = next_state(action, self.state, self.track)

    def require_lead(self, department: str | None, action_zh: str) -> None:
        if department != self.lead:
            raise NotPermitted(f"只有主办单位可以{action_zh}。")

    def finish(self, step: Step, now: datetime) -> Deadline | None:
        deadline = self.running(step)
        if deadline is not None:
            deadline.done_at = now
        return deadline

    def cancel_running(self) -> None:
        for deadline in self.deadlines:
            if deadline.running:
                deadline.cancelled = True


def require_text(value: str | None, what_zh: str) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(f"{what_zh}不能为空。")
    return text
