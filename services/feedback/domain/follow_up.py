"""The citizen's own actions after an answer: 回访 (rating, 不满意 → 重办 within the window) and
复查 (§35) / 复核 (§36), each decided from the follow-up state the timeline builds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from services.feedback.domain.labels import RATING_LABELS_ZH
from shared.clock import CHINA_TZ
from shared.events.vocabulary import Rating, Status

ReviewLevel = Literal["review", "re_review"]


@dataclass(frozen=True, slots=True)
class FollowUpState:
    """Where a grievance stands for the citizen's own actions, as the timeline tells it."""

    answered_at: datetime | None = None  # the answer the citizen may rate, None while in handling
    answer_round: int = 0  # +1 for every new answer (a reopened case answered again)
    rated_round: int = 0  # the last round the citizen rated
    review_decided_at: datetime | None = None
    review_requested: bool = False
    re_review_requested: bool = False


def follow_status(state: FollowUpState, status: Status, occurred_at: datetime) -> FollowUpState:
    """The follow-up state after one more status of the grievance's timeline."""
    if status is Status.replied:
        # A reply is always a (new) answer; a reply in the same round moves the window.
        round_ = state.answer_round + (1 if state.answered_at is None else 0)
        return replace(state, answered_at=occurred_at, answer_round=round_)
    if status is Status.closed and state.answered_at is None:
        # Closed without a written reply (e.g. a mediation agreement): closing is the answer.
        return replace(state, answered_at=occurred_at, answer_round=state.answer_round + 1)
    if status is Status.reopened:
        return replace(state, answered_at=None)
    if status is Status.review_decided:
        return replace(state, review_decided_at=occurred_at)
    return state


class FollowUpRefused(Exception):
    """The citizen's action is not possible now; ``message_zh`` says why."""

    def __init__(self, code: str, message_zh: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_zh = message_zh


@dataclass(frozen=True, slots=True)
class RatingDecision:
    round: int
    within_window: bool
    reopen_requested: bool
    window_ends_at: datetime


def window_end(start: datetime, window: timedelta) -> datetime:
    return start + window


def can_rate(state: FollowUpState) -> bool:
    return state.answered_at is not None and state.rated_round < state.answer_round


def decide_rating(*, state: FollowUpState, rating: Rating, now: datetime, window: timedelta) -> RatingDecision:
    """回访: one rating per answer; 不满意 within the window asks the handling service for 重办."""
    if state.answered_at is None:
        raise FollowUpRefused("not-answered", "诉求尚未答复或办结，答复后才能评价。")
    if state.rated_round >= state.answer_round:
        raise FollowUpRefused("already-rated", "您已对本次答复作出评价。")
    ends = window_end(state.answered_at, window)
    within = now <= ends
    return RatingDecision(
        round=state.answer_round,
        within_window=within,
        reopen_requested=rating is Rating.dissatisfied and within,
        window_ends_at=ends,
    )


def decide_review(*, state: FollowUpState, level: ReviewLevel, now: datetime, window: timedelta) -> datetime:
    """复查 (§35) within the window after a reply, 复核 (§36) within the window after the review
    decision, each once; returns the deadline that was met."""
    if level == "review":
        if state.answered_at is None:
            raise FollowUpRefused("not-answered", "诉求尚未答复，答复后才能申请复查。")
        if state.review_requested:
            raise FollowUpRefused("already-requested", "您已申请过复查。")
        start = state.answered_at
    else:
        if state.review_decided_at is None:
            raise FollowUpRefused("no-review-decision", "复查意见作出后才能申请复核。")
        if state.re_review_requested:
            raise FollowUpRefused("already-requested", "您已申请过复核；复核后同一事项不再受理（§36）。")
        start = state.review_decided_at
    ends = window_end(start, window)
    if now > ends:
        local = ends.astimezone(CHINA_TZ).strftime("%Y年%m月%d日")
        raise FollowUpRefused("window-closed", f"申请期限已于{local}届满（收到答复之日起 30 日内）。")
    return ends


def rated_message(rating: Rating, decision: RatingDecision) -> str:
    label = RATING_LABELS_ZH[rating]
    if decision.reopen_requested:
        return f"您的评价：{label}。已为您申请重新办理（重办），办理单位将重新处理并再次答复。"
    if rating is Rating.dissatisfied:
        return f"您的评价：{label}。已超过 30 日的重办申请期限，您的意见已记录，供督查参考。"
    return f"您的评价：{label}。感谢您的反馈。"


def review_requested_message(level: ReviewLevel) -> str:
    if level == "review":
        return "您已申请复查，复查机关将在 30 日内提出复查意见。"
    return "您已申请复核，复核机关将在 30 日内提出复核意见。"
