"""Recommendations (建议) of 《信访工作条例》第四十条: the bureau recommends that an agency improve its
work (改进工作), improve a policy (完善政策) or pursue responsibility (追究责任); the agency answers in
writing whether it adopted it (书面反馈采纳情况). Pure rules: kinds, due dates, answers, overdue."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from services.casework.domain.states import CaseError, RuleViolation

LEGAL_BASIS = "《信访工作条例》第四十条"
# The answer period is the bureau's to set; a year is the longest any one recommendation may wait.
MAX_ANSWER_DAYS = 366


class RecommendationKind(StrEnum):
    improve_work = "improve_work"  # 改进工作
    improve_policy = "improve_policy"  # 完善政策
    pursue_responsibility = "pursue_responsibility"  # 追究责任


KIND_NAMES_ZH: dict[RecommendationKind, str] = {
    RecommendationKind.improve_work: "改进工作建议",
    RecommendationKind.improve_policy: "完善政策建议",
    RecommendationKind.pursue_responsibility: "追究责任建议",
}


class Adoption(StrEnum):
    adopted = "adopted"  # 采纳
    partly_adopted = "partly_adopted"  # 部分采纳
    not_adopted = "not_adopted"  # 未采纳


ADOPTION_NAMES_ZH: dict[Adoption, str] = {
    Adoption.adopted: "采纳",
    Adoption.partly_adopted: "部分采纳",
    Adoption.not_adopted: "未采纳",
}


class RecommendationState(StrEnum):
    issued = "issued"  # waiting for the agency's written answer
    answered = "answered"


class AlreadyAnswered(CaseError):
    """The written answer is on record; a second one would rewrite it."""

    code = "illegal-transition"

    def __init__(self) -> None:
        super().__init__("该建议已书面反馈采纳情况，不能再次反馈。")


def check_due_on(due_on: date, *, today: date) -> None:
    """The answer is due after today and within a year of it."""
    if due_on <= today:
        raise RuleViolation("书面反馈期限应晚于今天。")
    if (due_on - today).days > MAX_ANSWER_DAYS:
        raise RuleViolation(f"书面反馈期限不能超过{MAX_ANSWER_DAYS}天。")


def check_answerable(state: RecommendationState) -> None:
    if state is not RecommendationState.issued:
        raise AlreadyAnswered()


def check_reasons(adoption: Adoption, reasons: str | None) -> None:
    """Reasons are required unless the recommendation was adopted in full."""
    if adoption is not Adoption.adopted and not (reasons and reasons.strip()):
        raise RuleViolation("部分采纳或未采纳的，应当书面说明理由。")


def is_overdue(state: RecommendationState, due_on: date, *, today: date) -> bool:
    """Unanswered and past the end of its due day (the due day itself is still in time)."""
    return state is RecommendationState.issued and due_on < today


def answered_late(due_on: date, answered_on: date) -> bool:
    return answered_on > due_on


def needs_supervision(state: RecommendationState, due_on: date, *, supervised: bool, today: date) -> bool:
    """督办 once: an overdue answer is supervised on the first scheduler round after its due day."""
    return not supervised and is_overdue(state, due_on, today=today)
