"""Recommendations (§40), assistance referral (§37) and key-case evaluation (评查): the pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from services.casework.domain import assistance, evaluation, recommendation
from services.casework.domain.assistance import Outcome, Scheme
from services.casework.domain.evaluation import Candidate, ChecklistItem, Grade, SampleRule
from services.casework.domain.recommendation import Adoption, RecommendationState
from services.casework.domain.states import CaseError, RuleViolation

TODAY = date(2026, 3, 2)


def test_answer_due_after_today_and_within_a_year() -> None:
    recommendation.check_due_on(date(2026, 3, 3), today=TODAY)
    for bad in (TODAY, date(2026, 3, 1), date(2027, 3, 4)):
        with pytest.raises(RuleViolation):
            recommendation.check_due_on(bad, today=TODAY)


def test_overdue_only_after_the_due_day_and_only_while_unanswered() -> None:
    due = date(2026, 3, 10)
    issued, answered = RecommendationState.issued, RecommendationState.answered
    assert not recommendation.is_overdue(issued, due, today=due)
    assert recommendation.is_overdue(issued, due, today=date(2026, 3, 11))
    assert not recommendation.is_overdue(answered, due, today=date(2026, 4, 1))
    assert recommendation.needs_supervision(issued, due, supervised=False, today=date(2026, 3, 11))
    assert not recommendation.needs_supervision(issued, due, supervised=True, today=date(2026, 3, 11))
    assert recommendation.answered_late(due, date(2026, 3, 11)) and not recommendation.answered_late(due, due)


def test_answer_once_and_reasons_unless_adopted() -> None:
    recommendation.check_answerable(RecommendationState.issued)
    with pytest.raises(CaseError) as refused:
        recommendation.check_answerable(RecommendationState.answered)
    assert refused.value.code == "illegal-transition"
    recommendation.check_reasons(Adoption.adopted, None)
    for adoption in (Adoption.partly_adopted, Adoption.not_adopted):
        with pytest.raises(RuleViolation):
            recommendation.check_reasons(adoption, "  ")


def test_judicial_assistance_goes_to_a_legal_body_and_social_assistance_does_not() -> None:
    assistance.check_referral(Scheme.judicial, referred_to_legal_body=True)
    assistance.check_referral(Scheme.temporary, referred_to_legal_body=False)
    with pytest.raises(RuleViolation):
        assistance.check_referral(Scheme.judicial, referred_to_legal_body=False)
    with pytest.raises(RuleViolation):
        assistance.check_referral(Scheme.minimum_living, referred_to_legal_body=True)
    assert assistance.kind_of(Scheme.judicial) is assistance.AssistanceKind.judicial
    assert assistance.kind_of(Scheme.extreme_poverty) is assistance.AssistanceKind.social


def test_assistance_outcome_is_recorded_once() -> None:
    assistance.check_outcome(Outcome.pending, Outcome.granted)
    with pytest.raises(RuleViolation):
        assistance.check_outcome(Outcome.pending, Outcome.pending)
    with pytest.raises(CaseError):
        assistance.check_outcome(Outcome.granted, Outcome.refused)


POOL = [
    Candidate("c-01", "housing", urgent=True),
    Candidate("c-02", "housing", linked_filings=2),
    Candidate("c-03", "water", repeat=True),
    Candidate("c-04", "water", re_reviewed=True, overdue=True),
    Candidate("c-05", "education", linked_filings=1),
    *[Candidate(f"c-{n:02d}", "education") for n in range(6, 30)],
]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (SampleRule.urgent, {"c-01"}),
        (SampleRule.group, {"c-02"}),
        (SampleRule.repeated, {"c-02", "c-03", "c-05"}),
        (SampleRule.re_review, {"c-04"}),
        (SampleRule.overdue, {"c-04"}),
    ],
)
def test_sampling_rules_pick_the_matching_cases(rule: SampleRule, expected: set[str]) -> None:
    assert {c.grievance_id for c in evaluation.draw_sample(POOL, rule=rule, size=10, seed=1)} == expected


def test_random_sample_is_deterministic_given_the_seed_whatever_the_order() -> None:
    first = evaluation.draw_sample(POOL, rule=SampleRule.random, size=5, seed=42)
    again = evaluation.draw_sample(list(reversed(POOL)), rule=SampleRule.random, size=5, seed=42)
    other = evaluation.draw_sample(POOL, rule=SampleRule.random, size=5, seed=43)
    assert len(first) == 5 and first == again
    assert first != other
    with pytest.raises(RuleViolation):
        evaluation.draw_sample(POOL, rule=SampleRule.random, size=0, seed=1)


def test_scoring_needs_every_item_within_range_and_grades_the_total() -> None:
    full = {item: 18 for item in ChecklistItem}
    assert evaluation.total_score(full) == 90 and evaluation.grade(90) is Grade.excellent
    assert evaluation.grade(75) is Grade.good and evaluation.grade(60) is Grade.passing
    assert evaluation.grade(59) is Grade.failing
    with pytest.raises(RuleViolation):
        evaluation.total_score({ChecklistItem.registration: 20})
    with pytest.raises(RuleViolation):
        evaluation.total_score(full | {ChecklistItem.opinion: 21})
    with pytest.raises(CaseError):
        evaluation.check_scorable(sent=True)
