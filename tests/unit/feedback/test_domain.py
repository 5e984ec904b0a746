"""Follow-up rules (回访, 复查/复核, 重办 window), labels, backoff and the satisfaction figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.feedback.domain.follow_up import (
    FollowUpRefused,
    FollowUpState,
    can_rate,
    decide_rating,
    decide_review,
    follow_status,
    rated_message,
)
from services.feedback.domain.labels import STATUS_LABELS_ZH, status_label
from services.feedback.domain.statistics import SatisfactionFigures
from services.feedback.domain.webhooks import retry_delay
from shared.events.vocabulary import Rating, Status

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
WINDOW = timedelta(days=30)


def answered(at: datetime = T0) -> FollowUpState:
    return follow_status(FollowUpState(), Status.replied, at)


def test_every_status_has_a_chinese_label() -> None:
    assert set(STATUS_LABELS_ZH) == set(Status)
    assert status_label("classified") == "已分类"
    assert status_label("something_new") == "something_new"


def test_a_reply_opens_a_round_and_a_reopen_closes_it() -> None:
    state = answered()
    assert (state.answered_at, state.answer_round) == (T0, 1)
    assert can_rate(state)
    later = T0 + timedelta(days=2)
    # A second reply in the same round moves the window but is not a new answer to rate.
    assert follow_status(state, Status.replied, later) == FollowUpState(answered_at=later, answer_round=1)
    reopened = follow_status(state, Status.reopened, later)
    assert reopened.answered_at is None
    assert not can_rate(reopened)
    again = follow_status(reopened, Status.replied, later + timedelta(days=5))
    assert again.answer_round == 2


def test_closing_without_a_reply_is_the_answer_but_closing_after_one_keeps_the_reply_date() -> None:
    closed = follow_status(FollowUpState(), Status.closed, T0)
    assert (closed.answered_at, closed.answer_round) == (T0, 1)
    after_reply = follow_status(answered(), Status.closed, T0 + timedelta(days=3))
    assert after_reply.answered_at == T0


def test_dissatisfied_within_the_window_requests_a_reopen() -> None:
    decision = decide_rating(state=answered(), rating=Rating.dissatisfied, now=T0 + WINDOW, window=WINDOW)
    assert decision.reopen_requested
    assert decision.within_window
    assert decision.window_ends_at == T0 + WINDOW
    assert "重办" in rated_message(Rating.dissatisfied, decision)


def test_dissatisfied_after_the_window_is_only_recorded() -> None:
    now = T0 + WINDOW + timedelta(seconds=1)
    decision = decide_rating(state=answered(), rating=Rating.dissatisfied, now=now, window=WINDOW)
    assert not decision.reopen_requested
    assert not decision.within_window
    assert "已超过" in rated_message(Rating.dissatisfied, decision)


def test_satisfied_never_reopens() -> None:
    decision = decide_rating(state=answered(), rating=Rating.satisfied, now=T0, window=WINDOW)
    assert not decision.reopen_requested
    assert rated_message(Rating.satisfied, decision) == "您的评价：满意。感谢您的反馈。"


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (FollowUpState(), "not-answered"),
        (FollowUpState(answered_at=T0, answer_round=1, rated_round=1), "already-rated"),
    ],
)
def test_rating_is_refused_before_an_answer_and_twice_per_answer(state: FollowUpState, code: str) -> None:
    with pytest.raises(FollowUpRefused) as refused:
        decide_rating(state=state, rating=Rating.satisfied, now=T0, window=WINDOW)
    assert refused.value.code == code
    assert refused.value.message_zh


def test_review_within_30_days_of_the_reply_once() -> None:
    assert decide_review(state=answered(), level="review", now=T0 + WINDOW, window=WINDOW) == T0 + WINDOW
    with pytest.raises(FollowUpRefused, match="window-closed"):
        decide_review(state=answered(), level="review", now=T0 + WINDOW + timedelta(minutes=1), window=WINDOW)
    requested = FollowUpState(answered_at=T0, answer_round=1, review_requested=True)
    with pytest.raises(FollowUpRefused, match="already-requested"):
        decide_review(state=requested, level="review", now=T0, window=WINDOW)


def test_re_review_needs_a_review_decision() -> None:
    with pytest.raises(FollowUpRefused, match="no-review-decision"):
        decide_review(state=answered(), level="re_review", now=T0, window=WINDOW)
    decided = follow_status(answered(), Status.review_decided, T0 + timedelta(days=40))
    assert decide_review(state=decided, level="re_review", now=T0 + timedelta(days=41), window=WINDOW)


def test_retry_delay_doubles_up_to_the_cap() -> None:
    assert [retry_delay(n, base_s=2, cap_s=30) for n in (1, 2, 3, 4, 5, 6)] == [2, 4, 8, 16, 30, 30]
    assert retry_delay(2, base_s=2, cap_s=30, jitter=0.5) == pytest.approx(4.5)


def test_satisfaction_rate_counts_basically_satisfied_as_satisfied() -> None:
    figures = SatisfactionFigures(satisfied=6, basically_satisfied=2, dissatisfied=2, reopen_requested=1)
    assert figures.total == 10
    assert figures.satisfaction_rate == 0.8
    assert figures.fully_satisfied_rate == 0.6
    assert figures.reopen_rate == 0.1
    assert SatisfactionFigures(0, 0, 0, 0).satisfaction_rate is None
