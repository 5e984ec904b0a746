"""Pure feedback rules: what the citizen reads, when a case may be rated (回访) or reviewed (复查),
when 不满意 asks for 重办, and how webhook retries back off. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from shared.clock import CHINA_TZ
from shared.events.vocabulary import Rating, Status

STATUS_LABELS_ZH: dict[Status, str] = {
    Status.received: "已登记",
    Status.classified: "已分类",
    Status.under_review: "人工复核分类中",
    Status.urgent_alert: "紧急预警",
    Status.assigned: "已分派",
    Status.signed_for: "已签收",
    Status.returned: "已退回重新分派",
    Status.accepted: "已受理",
    Status.not_accepted: "不予受理",
    Status.transferred_legal: "已转政法部门",
    Status.in_progress: "办理中",
    Status.extended: "已延期",
    Status.supervised: "督办中",
    Status.replied: "已答复",
    Status.mediation_opened: "调解已启动",
    Status.mediation_scheduled: "调解已安排",
    Status.mediation_agreed: "调解成功",
    Status.mediation_failed: "调解未成功",
    Status.review_requested: "已申请复查",
    Status.review_decided: "复查已决定",
    Status.hearing_scheduled: "听证已安排",
    Status.hearing_held: "听证已举行",
    Status.published: "复核意见已公示",
    Status.rated: "已评价",
    Status.reopened: "已重新办理",
    Status.closed: "已办结",
    Status.assistance_referred: "已转介救助",
    Status.assistance_concluded: "救助转介有结果",
}

RATING_LABELS_ZH: dict[Rating, str] = {
    Rating.satisfied: "满意",
    Rating.basically_satisfied: "基本满意",
    Rating.dissatisfied: "不满意",
}

# Statuses after which the citizen holds an answer and may rate it (回访) or ask for 复查.
ANSWERING_STATUSES = frozenset({Status.replied, Status.closed})
ReviewLevel = Literal["review", "re_review"]


def status_label(status: str) -> str:
    """The Chinese label of a status; an unknown (newer) status shows as itself."""
    try:
        return STATUS_LABELS_ZH[Status(status)]
    except ValueError:
        return status


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


def retry_delay(attempt: int, *, base_s: float, cap_s: float, jitter: float = 0.0) -> float:
    """Exponential backoff for the ``attempt``-th failure (1-based); ``jitter`` in [0, 1) spreads
    retries of many deliveries that failed together."""
    delay = min(cap_s, base_s * float(2 ** max(0, attempt - 1)))
    return delay * (1 + jitter * 0.25)


@dataclass(frozen=True, slots=True)
class SatisfactionFigures:
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    reopen_requested: int

    @property
    def total(self) -> int:
        return self.satisfied + self.basically_satisfied + self.dissatisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """满意率 as the bureau reports it: 满意 and 基本满意 over all ratings."""
        return _ratio(self.satisfied + self.basically_satisfied, self.total)

    @property
    def fully_satisfied_rate(self) -> float | None:
        return _ratio(self.satisfied, self.total)

    @property
    def reopen_rate(self) -> float | None:
        return _ratio(self.reopen_requested, self.total)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
