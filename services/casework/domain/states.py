"""Case states, the actions that move them, and the table of legal transitions.

The table is the single place that says which action is legal in which state on which track;
the aggregate asks it before every change, and the tests walk every (action, state) pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.events.vocabulary import Status, Track


class CaseState(StrEnum):
    assigned = "assigned"  # 已分派 (lead + co-handling departments)
    signed_for = "signed_for"  # 已签收
    returned = "returned"  # 已退单, waiting for the router to re-assign
    accepted = "accepted"  # 已受理
    not_accepted = "not_accepted"  # 不予受理
    in_progress = "in_progress"  # 办理中
    extended = "extended"  # 已延期
    replied = "replied"  # 已答复
    reopened = "reopened"  # 重办
    review_requested = "review_requested"  # 复查/复核中
    review_decided = "review_decided"  # 已出具复查/复核意见
    closed = "closed"  # 已办结
    transferred_legal = "transferred_legal"  # 已转政法机关
    legal_received = "legal_received"  # 政法机关已接收


class Action(StrEnum):
    sign_for = "sign_for"
    return_case = "return_case"
    accept = "accept"
    not_accept = "not_accept"
    start = "start"
    extend = "extend"
    submit_co_opinion = "submit_co_opinion"
    reply = "reply"
    close = "close"
    reopen = "reopen"
    request_review = "request_review"
    request_re_review = "request_re_review"
    decide_review = "decide_review"
    receive_legal = "receive_legal"
    record_legal_progress = "record_legal_progress"
    conclude_legal = "conclude_legal"


S = CaseState


@dataclass(frozen=True, slots=True)
class Transition:
    track: Track
    sources: frozenset[CaseState]
    target: CaseState | None  # None: the state stays (an opinion or a progress note)


TRANSITIONS: dict[Action, Transition] = {
    Action.sign_for: Transition(Track.petition, frozenset({S.assigned}), S.signed_for),
    Action.return_case: Transition(Track.petition, frozenset({S.assigned, S.signed_for}), S.returned),
    Action.accept: Transition(Track.petition, frozenset({S.signed_for}), S.accepted),
    Action.not_accept: Transition(Track.petition, frozenset({S.signed_for}), S.not_accepted),
    Action.start: Transition(Track.petition, frozenset({S.accepted, S.reopened}), S.in_progress),
    Action.extend: Transition(Track.petition, frozenset({S.in_progress}), S.extended),
    Action.submit_co_opinion: Transition(
        Track.petition, frozenset({S.signed_for, S.accepted, S.in_progress, S.extended, S.reopened}), None
    ),
    Action.reply: Transition(Track.petition, frozenset({S.in_progress, S.extended}), S.replied),
    Action.close: Transition(Track.petition, frozenset({S.replied, S.review_decided}), S.closed),
    Action.reopen: Transition(Track.petition, frozenset({S.replied, S.closed}), S.reopened),
    Action.request_review: Transition(Track.petition, frozenset({S.replied, S.closed}), S.review_requested),
    Action.request_re_review: Transition(Track.petition, frozenset({S.review_decided, S.closed}), S.review_requested),
    # A review ends in review_decided; a re-review closes the matter for good (§36).
    Action.decide_review: Transition(Track.petition, frozenset({S.review_requested}), S.review_decided),
    Action.receive_legal: Transition(Track.litigation, frozenset({S.transferred_legal}), S.legal_received),
    Action.record_legal_progress: Transition(Track.litigation, frozenset({S.legal_received}), None),
    Action.conclude_legal: Transition(Track.litigation, frozenset({S.legal_received}), S.closed),
}

# The citizen-visible status (DESIGN §4) of each state.
STATUS_OF_STATE: dict[CaseState, Status] = {
    S.assigned: Status.assigned,
    S.signed_for: Status.signed_for,
    S.returned: Status.returned,
    S.accepted: Status.accepted,
    S.not_accepted: Status.not_accepted,
    S.in_progress: Status.in_progress,
    S.extended: Status.extended,
    S.replied: Status.replied,
    S.reopened: Status.reopened,
    S.review_requested: Status.review_requested,
    S.review_decided: Status.review_decided,
    S.closed: Status.closed,
    S.transferred_legal: Status.transferred_legal,
    S.legal_received: Status.in_progress,
}

STATE_NAMES_ZH: dict[CaseState, str] = {
    S.assigned: "已分派，待承办单位签收",
    S.signed_for: "承办单位已签收，正在审查是否受理",
    S.returned: "已退回信访局重新分派",
    S.accepted: "已受理",
    S.not_accepted: "不予受理",
    S.in_progress: "正在办理",
    S.extended: "已延期办理",
    S.replied: "已书面答复",
    S.reopened: "正在重新办理",
    S.review_requested: "正在复查（复核）",
    S.review_decided: "已出具复查（复核）意见",
    S.closed: "已办结",
    S.transferred_legal: "已转交政法机关依法处理",
    S.legal_received: "政法机关正在依法办理",
}


class CaseError(Exception):
    """A rule of the procedure forbids what was asked; ``message_zh`` says why, for people."""

    code = "case-rule"

    def __init__(self, message_zh: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh


class IllegalTransition(CaseError):
    code = "illegal-transition"

    def __init__(self, action: Action, state: CaseState, track: Track) -> None:
        super().__init__(f"当前状态（{STATE_NAMES_ZH[state]}）不能执行“{ACTION_NAMES_ZH[action]}”。")
        self.action = action
        self.state = state
        self.track = track


class WindowClosed(CaseError):
    """A time window the regulation gives has passed (退单, 复查, 复核, 重办, 延期)."""

    code = "window-closed"


class RuleViolation(CaseError):
    """The request breaks a rule of the procedure (too long an extension, missing opinions...)."""

    code = "rule-violation"


class NotPermitted(CaseError):
    """The department is involved in the case but this step belongs to another party."""

    code = "not-permitted"


ACTION_NAMES_ZH: dict[Action, str] = {
    Action.sign_for: "签收",
    Action.return_case: "退单",
    Action.accept: "受理",
    Action.not_accept: "不予受理",
    Action.start: "开始办理",
    Action.extend: "延期",
    Action.submit_co_opinion: "提交协办意见",
    Action.reply: "答复",
    Action.close: "办结",
    Action.reopen: "重办",
    Action.request_review: "申请复查",
    Action.request_re_review: "申请复核",
    Action.decide_review: "出具复查（复核）意见",
    Action.receive_legal: "政法机关接收",
    Action.record_legal_progress: "反馈办理进展",
    Action.conclude_legal: "依法办结",
}


def is_legal(action: Action, state: CaseState, track: Track) -> bool:
    transition = TRANSITIONS[action]
    return transition.track is track and state in transition.sources


def next_state(action: Action, state: CaseState, track: Track) -> CaseState:
    """The state after ``action``; raises IllegalTransition when the table forbids it."""
    if not is_legal(action, state, track):
        raise IllegalTransition(action, state, track)
    target = TRANSITIONS[action].target
    return state if target is None else target
