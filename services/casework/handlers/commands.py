"""Commands staff give a case (orders, named as such); the API builds them from requests."""

from __future__ import annotations

from dataclasses import dataclass

from services.casework.domain.case import ReviewOutcome
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.legal import LegalRoute, NotAcceptGround


@dataclass(frozen=True, slots=True)
class SignFor:
    pass


@dataclass(frozen=True, slots=True)
class ReturnCase:
    reason: str


@dataclass(frozen=True, slots=True)
class AcceptCase:
    pass


@dataclass(frozen=True, slots=True)
class RefuseCase:
    """不予受理."""

    ground: NotAcceptGround
    explanation: str
    route: LegalRoute | None = None
    competent_body: str | None = None


@dataclass(frozen=True, slots=True)
class StartHandling:
    pass


@dataclass(frozen=True, slots=True)
class ExtendHandling:
    days: int
    reason: str


@dataclass(frozen=True, slots=True)
class SubmitCoOpinion:
    opinion: str


@dataclass(frozen=True, slots=True)
class ReplyToCitizen:
    decision: ReplyDecision
    request_summary: str
    facts_and_reasons: str
    basis: str
    outstanding_co_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ConfirmLegalReceipt:
    reference_no: str | None = None


@dataclass(frozen=True, slots=True)
class ReportLegalProgress:
    note: str


@dataclass(frozen=True, slots=True)
class ConcludeLegal:
    outcome: str


@dataclass(frozen=True, slots=True)
class DecideReview:
    outcome: ReviewOutcome
    opinion: str


Command = (
    SignFor
    | ReturnCase
    | AcceptCase
    | RefuseCase
    | StartHandling
    | ExtendHandling
    | SubmitCoOpinion
    | ReplyToCitizen
    | ConfirmLegalReceipt
    | ReportLegalProgress
    | ConcludeLegal
    | DecideReview
)
