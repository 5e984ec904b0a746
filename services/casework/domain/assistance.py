"""Assistance referral (《信访工作条例》第三十七条): a petitioner in real hardship is told of, or
helped to apply for, social assistance (社会救助); where the conditions are met, 政法 bodies give
judicial assistance (司法救助). The vocabulary is shared/assistance.py (mediation uses it too);
here the rules raise casework's own errors."""

from __future__ import annotations

from services.casework.domain.states import CaseError, RuleViolation
from shared.assistance import (
    KIND_NAMES_ZH,
    LEGAL_BASIS,
    OUTCOME_ALREADY_RECORDED,
    OUTCOME_NAMES_ZH,
    SCHEME_NAMES_ZH,
    AssistanceKind,
    Outcome,
    Scheme,
    kind_of,
    outcome_problem,
    referral_problem,
)

__all__ = [
    "KIND_NAMES_ZH",
    "LEGAL_BASIS",
    "OUTCOME_NAMES_ZH",
    "SCHEME_NAMES_ZH",
    "AssistanceKind",
    "Outcome",
    "OutcomeRecorded",
    "Scheme",
    "check_outcome",
    "check_referral",
    "kind_of",
]


class OutcomeRecorded(CaseError):
    code = "illegal-transition"

    def __init__(self) -> None:
        super().__init__(OUTCOME_ALREADY_RECORDED)


def check_referral(scheme: Scheme, *, referred_to_legal_body: bool) -> None:
    """司法救助 is given by 政法 bodies; social assistance by the civil-affairs side, never a 政法 body."""
    problem = referral_problem(scheme, referred_to_legal_body=referred_to_legal_body)
    if problem is not None:
        raise RuleViolation(problem)


def check_outcome(current: Outcome, new: Outcome) -> None:
    problem = outcome_problem(current, new)
    if problem == OUTCOME_ALREADY_RECORDED:
        raise OutcomeRecorded()
    if problem is not None:
        raise RuleViolation(problem)
