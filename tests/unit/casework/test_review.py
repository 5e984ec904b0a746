"""After the reply: closing, 重办, 复查 and 复核 windows, and the end of the road after 复核."""

from __future__ import annotations

from datetime import date

import pytest

from services.casework.domain import petition
from services.casework.domain.case import Case, ReviewLevel, ReviewOutcome
from services.casework.domain.deadlines import Step
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.review import (
    close,
    close_if_window_passed,
    decide_review,
    reopen,
    request_review,
    request_window_ends_on,
)
from services.casework.domain.states import CaseState, IllegalTransition, RuleViolation, WindowClosed
from shared.events.vocabulary import PetitionKind
from tests.unit.casework.helpers import CALENDAR, at, new_case, state_of

START = at(date(2026, 3, 2))
REPLIED = at(date(2026, 3, 10))  # 30 days later: Thu 9 April is the last day to ask for review


def replied_case(kind: PetitionKind = PetitionKind.claim) -> Case:
    case = new_case(START, kind=kind)
    petition.sign_for(case, department="housing", now=START)
    petition.accept(case, department="housing", now=START, calendar=CALENDAR)
    petition.start(case, department="housing", now=START)
    decision = {
        PetitionKind.claim: ReplyDecision.explain,
        PetitionKind.suggestion: ReplyDecision.adopted,
        PetitionKind.report: ReplyDecision.not_substantiated,
    }[kind]
    petition.reply(
        case,
        department="housing",
        decision=decision,
        request_summary="疏通排水沟",
        facts_and_reasons="已核查",
        basis="相关规定",
        outstanding_co_reason=None,
        now=REPLIED,
    )
    return case


def ask(case: Case, level: ReviewLevel, day: date) -> None:
    request_review(
        case, level=level, reason="对处理意见不服", reviewer="petitions-bureau", now=at(day), calendar=CALENDAR
    )


def test_review_window_is_30_days_from_the_reply() -> None:
    case = replied_case()
    assert request_window_ends_on(case, CALENDAR) == date(2026, 4, 9)
    ask(case, ReviewLevel.review, date(2026, 4, 9))
    assert state_of(case) is CaseState.review_requested
    clock = case.running(Step.review)
    assert clock is not None and clock.owner == "petitions-bureau"
    # 9 Apr + 30 days = Saturday 9 May, a make-up workday: the decision is due that day
    assert clock.due_on == date(2026, 5, 9)


def test_review_asked_on_day_31_is_refused() -> None:
    case = replied_case()
    with pytest.raises(WindowClosed, match="30日"):
        ask(case, ReviewLevel.review, date(2026, 4, 10))
    assert state_of(case) is CaseState.replied
    assert case.reviews == []


def test_review_decision_then_re_review_within_30_days_then_final() -> None:
    case = replied_case()
    ask(case, ReviewLevel.review, date(2026, 3, 20))
    decide_review(case, outcome=ReviewOutcome.upheld, opinion="维持原处理意见", now=at(date(2026, 4, 1)))
    assert state_of(case) is CaseState.review_decided
    assert case.deadlines[-1].met is True
    assert request_window_ends_on(case, CALENDAR) == date(2026, 5, 6)  # 1 Apr + 30 = 1 May (holiday) → 6 May
    with pytest.raises(IllegalTransition):
        ask(case, ReviewLevel.review, date(2026, 4, 2))
    ask(case, ReviewLevel.re_review, date(2026, 5, 6))
    assert state_of(case) is CaseState.review_requested
    assert case.running(Step.re_review) is not None
    decide_review(case, outcome=ReviewOutcome.upheld, opinion="维持复查意见", now=at(date(2026, 5, 20)))
    assert state_of(case) is CaseState.closed
    assert case.final
    # §36: the same matter is not accepted again, whatever is asked.
    with pytest.raises(RuleViolation, match="第三十六条"):
        ask(case, ReviewLevel.re_review, date(2026, 5, 21))
    with pytest.raises(RuleViolation, match="第三十六条"):
        reopen(case, now=at(date(2026, 5, 21)), calendar=CALENDAR)


def test_a_second_review_is_refused_even_after_closing() -> None:
    case = replied_case()
    ask(case, ReviewLevel.review, date(2026, 3, 20))
    decide_review(case, outcome=ReviewOutcome.upheld, opinion="维持原处理意见", now=at(date(2026, 4, 1)))
    close(case, now=at(date(2026, 4, 2)))
    with pytest.raises(RuleViolation, match="已经复查"):
        ask(case, ReviewLevel.review, date(2026, 4, 3))
    ask(case, ReviewLevel.re_review, date(2026, 4, 3))
    assert state_of(case) is CaseState.review_requested


def test_re_review_window_closes_after_30_days() -> None:
    case = replied_case()
    ask(case, ReviewLevel.review, date(2026, 3, 20))
    decide_review(case, outcome=ReviewOutcome.changed, opinion="部分变更", now=at(date(2026, 4, 1)))
    with pytest.raises(WindowClosed):
        ask(case, ReviewLevel.re_review, date(2026, 5, 7))
    assert state_of(case) is CaseState.review_decided


def test_re_review_needs_a_review_first() -> None:
    case = replied_case()
    with pytest.raises(IllegalTransition):
        ask(case, ReviewLevel.re_review, date(2026, 3, 20))


def test_review_is_for_claims_only() -> None:
    for kind in (PetitionKind.suggestion, PetitionKind.report):
        case = replied_case(kind)
        with pytest.raises(RuleViolation, match="申诉求决"):
            ask(case, ReviewLevel.review, date(2026, 3, 20))


def test_review_may_be_asked_after_a_satisfied_close_within_the_window() -> None:
    case = replied_case()
    close(case, now=at(date(2026, 3, 12)))
    assert state_of(case) is CaseState.closed
    ask(case, ReviewLevel.review, date(2026, 3, 20))
    assert state_of(case) is CaseState.review_requested


def test_unchallenged_reply_closes_the_day_after_the_window() -> None:
    case = replied_case()
    assert not close_if_window_passed(case, now=at(date(2026, 4, 9), 23), calendar=CALENDAR)
    assert state_of(case) is CaseState.replied
    assert close_if_window_passed(case, now=at(date(2026, 4, 10), 0), calendar=CALENDAR)
    assert state_of(case) is CaseState.closed


def test_reopen_within_the_window_once() -> None:
    case = replied_case()
    reopen(case, now=at(date(2026, 3, 15)), calendar=CALENDAR)
    assert state_of(case) is CaseState.reopened
    clock = case.running(Step.reply)
    assert clock is not None and clock.due_on == date(2026, 4, 14)
    petition.start(case, department="housing", now=at(date(2026, 3, 16)))
    petition.reply(
        case,
        department="housing",
        decision=ReplyDecision.support,
        request_summary="疏通",
        facts_and_reasons="已疏通",
        basis="规定",
        outstanding_co_reason=None,
        now=at(date(2026, 3, 20)),
    )
    with pytest.raises(RuleViolation, match="重办过一次"):
        reopen(case, now=at(date(2026, 3, 21)), calendar=CALENDAR)


def test_reopen_after_the_window_is_refused() -> None:
    case = replied_case()
    with pytest.raises(WindowClosed):
        reopen(case, now=at(date(2026, 4, 10)), calendar=CALENDAR)
    assert state_of(case) is CaseState.replied
