"""Key-case evaluation (重点信访事项评查): draw a sample of closed key cases by a rule, score each
against the checklist, grade it. Pure rules; the sample is deterministic given its seed."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.casework.domain.states import CaseError, RuleViolation

MAX_SAMPLE = 200
MAX_ITEM_SCORE = 20  # five items of 20 make a score out of 100


class SampleRule(StrEnum):
    urgent = "urgent"  # 紧急件
    group = "group"  # 群体性: several filings linked to one matter (the intake records no head count)
    repeated = "repeated"  # 重复件
    re_review = "re_review"  # went through 复核
    overdue = "overdue"  # a clock was missed
    random = "random"  # any closed case


class ChecklistItem(StrEnum):
    registration = "registration"  # 登记完整
    classification = "classification"  # 分类准确
    notices = "notices"  # 告知及时、完整
    opinion = "opinion"  # 意见书事实清楚、依据正确
    satisfaction = "satisfaction"  # 群众满意


CHECKLIST_ZH: dict[ChecklistItem, str] = {
    ChecklistItem.registration: "登记要素完整",
    ChecklistItem.classification: "分类、定性准确",
    ChecklistItem.notices: "受理、延期等告知及时完整",
    ChecklistItem.opinion: "处理意见书事实清楚、依据正确",
    ChecklistItem.satisfaction: "群众满意度",
}


class Grade(StrEnum):
    excellent = "excellent"  # 优秀 ≥ 90
    good = "good"  # 良好 ≥ 75
    passing = "passing"  # 合格 ≥ 60
    failing = "failing"  # 不合格


class FindingsSent(CaseError):
    code = "illegal-transition"

    def __init__(self) -> None:
        super().__init__("评查意见已反馈责任单位，不能再修改评分。")


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the sampling rules look at in one closed case."""

    grievance_id: str
    department: str
    urgent: bool = False
    linked_filings: int = 0  # later filings linked to this case as repeats
    repeat: bool = False  # itself a repeat of an earlier filing
    re_reviewed: bool = False
    overdue: bool = False


def matches(candidate: Candidate, rule: SampleRule) -> bool:
    match rule:
        case SampleRule.urgent:
            return candidate.urgent
        case SampleRule.group:
            return candidate.linked_filings >= 2
        case SampleRule.repeated:
            return candidate.repeat or candidate.linked_filings >= 1
        case SampleRule.re_review:
            return candidate.re_reviewed
        case SampleRule.overdue:
            return candidate.overdue
        case SampleRule.random:
            return True


def draw_sample(candidates: Iterable[Candidate], *, rule: SampleRule, size: int, seed: int) -> list[Candidate]:
    """Up to ``size`` matching cases, chosen by a generator seeded with ``seed``: the same pool and
    seed give the same sample, whatever order the database returned the pool in."""
    if not 1 <= size <= MAX_SAMPLE:
        raise RuleViolation(f"抽查数量应在1至{MAX_SAMPLE}件之间。")
    pool = sorted((c for c in candidates if matches(c, rule)), key=lambda c: c.grievance_id)
    if len(pool) <= size:
        return pool
    return random.Random(seed).sample(pool, size)  # noqa: S311 - sampling, not secrecy


def total_score(scores: Mapping[ChecklistItem, int]) -> int:
    """Every checklist item scored 0..MAX_ITEM_SCORE; the total is their sum (out of 100)."""
    missing = [item.value for item in ChecklistItem if item not in scores]
    if missing:
        raise RuleViolation(f"评查表缺少评分项：{', '.join(missing)}。")
    for item, score in scores.items():
        if not 0 <= score <= MAX_ITEM_SCORE:
            raise RuleViolation(f"“{CHECKLIST_ZH[item]}”的得分应在0至{MAX_ITEM_SCORE}分之间。")
    return sum(scores.values())


def grade(total: int) -> Grade:
    if total >= 90:
        return Grade.excellent
    if total >= 75:
        return Grade.good
    if total >= 60:
        return Grade.passing
    return Grade.failing


def check_scorable(sent: bool) -> None:
    if sent:
        raise FindingsSent()
