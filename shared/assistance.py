"""Assistance referral vocabulary shared by casework and mediation (《信访工作条例》第三十七条).

A petitioner in real hardship is told of, or helped to apply for, social assistance (社会救助);
where the conditions are met, 政法 bodies give judicial assistance (司法救助). One definition of the
kinds, programmes, outcomes and the routing rule, so both services count the same things.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel

# 社会救助 / 司法救助 for petitioners in hardship.
LEGAL_BASIS = "《信访工作条例》第三十七条"


class AssistanceKind(StrEnum):
    social = "social"  # 社会救助
    judicial = "judicial"  # 司法救助


class Scheme(StrEnum):
    """The programme applied for; social ones are those of 《社会救助暂行办法》."""

    minimum_living = "minimum_living"  # 最低生活保障
    extreme_poverty = "extreme_poverty"  # 特困人员供养
    temporary = "temporary"  # 临时救助
    medical = "medical"  # 医疗救助
    education = "education"  # 教育救助
    housing = "housing"  # 住房救助
    employment = "employment"  # 就业救助
    judicial = "judicial"  # 司法救助 (国家司法救助, by a 政法 body)


SCHEME_NAMES_ZH: dict[Scheme, str] = {
    Scheme.minimum_living: "最低生活保障",
    Scheme.extreme_poverty: "特困人员供养",
    Scheme.temporary: "临时救助",
    Scheme.medical: "医疗救助",
    Scheme.education: "教育救助",
    Scheme.housing: "住房救助",
    Scheme.employment: "就业救助",
    Scheme.judicial: "司法救助",
}

KIND_NAMES_ZH: dict[AssistanceKind, str] = {AssistanceKind.social: "社会救助", AssistanceKind.judicial: "司法救助"}


class Outcome(StrEnum):
    pending = "pending"  # referred, no answer yet
    granted = "granted"  # 已获救助
    refused = "refused"  # 不符合条件
    withdrawn = "withdrawn"  # the petitioner did not apply after all


OUTCOME_NAMES_ZH: dict[Outcome, str] = {
    Outcome.pending: "待办理",
    Outcome.granted: "已获救助",
    Outcome.refused: "不符合救助条件",
    Outcome.withdrawn: "本人放弃申请",
}

JUDICIAL_TO_LEGAL_BODY = "司法救助应转介政法机关（法院、检察院、公安、司法行政机关）。"
SOCIAL_NOT_TO_LEGAL_BODY = "社会救助应转介民政等社会救助管理部门，而非政法机关。"
OUTCOME_REQUIRED = "请记录办理结果（已获救助、不符合条件或本人放弃）。"
OUTCOME_ALREADY_RECORDED = "该救助转介的结果已记录，不能再次记录。"


def kind_of(scheme: Scheme) -> AssistanceKind:
    return AssistanceKind.judicial if scheme is Scheme.judicial else AssistanceKind.social


def referral_problem(scheme: Scheme, *, referred_to_legal_body: bool) -> str | None:
    """Why a referral goes to the wrong body, or None: 司法救助 only by 政法 bodies, social never."""
    if scheme is Scheme.judicial and not referred_to_legal_body:
        return JUDICIAL_TO_LEGAL_BODY
    if scheme is not Scheme.judicial and referred_to_legal_body:
        return SOCIAL_NOT_TO_LEGAL_BODY
    return None


def outcome_problem(current: Outcome, new: Outcome) -> str | None:
    """Why an outcome cannot be recorded, or None; returns the message each service raises its way."""
    if new is Outcome.pending:
        return OUTCOME_REQUIRED
    if current is not Outcome.pending:
        return OUTCOME_ALREADY_RECORDED
    return None


class AssistanceCounts(BaseModel):
    kind: AssistanceKind
    scheme: Scheme
    outcome: Outcome
    count: int


class AssistanceStatistics(BaseModel):
    """Referrals made in the window (by the referral's date), by kind, programme and outcome."""

    since: date | None
    until: date | None
    total: int
    rows: list[AssistanceCounts]
