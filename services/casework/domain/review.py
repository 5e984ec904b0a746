"""After the reply: closing, 重办 (reopen after 不满意), 复查 (§35) and 复核 (§36)."""

from __future__ import annotations

from datetime import date, datetime

from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.domain.case import (
    Case,
    ReviewLevel,
    ReviewOutcome,
    ReviewRecord,
    require_text,
)
from services.casework.domain.clock_pause import refuse_while_paused
from services.casework.domain.deadlines import (
    REOPEN_REPLY_DAYS,
    REOPEN_REQUEST_DAYS,
    REVIEW_DECISION_DAYS,
    REVIEW_REQUEST_DAYS,
    Step,
    start_deadline,
)
from services.casework.domain.kinds import allows_review
from services.casework.domain.states import Action, CaseState, RuleViolation, WindowClosed, next_state
from shared.events.vocabulary import PetitionKind

FINAL_ZH = "该事项已经复核，信访人仍以同一事实和理由提出投诉请求的，不再受理（《信访工作条例》第三十六条）。"


def request_window_ends_on(case: Case, calendar: WorkingCalendar) -> date | None:
    """Last day on which the citizen may still ask for the next remedy (复查, 复核 or 重办)."""
    if case.final:
        return None
    review = case.last_review
    if review is not None:
        if review.decided_at is None or review.level is ReviewLevel.re_review:
            return None
        return calendar.add_days(local_date(review.decided_at), REVIEW_REQUEST_DAYS)
    reply = case.last_reply
    if reply is None:
        return None
    return calendar.add_days(local_date(reply.replied_at), REVIEW_REQUEST_DAYS)


def close(case: Case, *, now: datetime) -> None:
    """办结: the citizen is satisfied, or the time to ask for a remedy has passed."""
    case.move(Action.close)
    case.closed_at = now


def close_if_window_passed(case: Case, *, now: datetime, calendar: WorkingCalendar) -> bool:
    """The scheduler's part: a reply nobody challenged in time is closed."""
    if case.state not in (CaseState.replied, CaseState.review_decided):
        return False
    ends = request_window_ends_on(case, calendar)
    if ends is None or local_date(now) <= ends:
        return False
    close(case, now=now)
    return True


def reopen(case: Case, *, now: datetime, calendar: WorkingCalendar) -> None:
    """重办: the citizen rated the reply 不满意 within the window; the lead handles it again."""
    next_state(Action.reopen, case.state, case.track)
    if case.final:
        raise RuleViolation(FINAL_ZH)
    if case.reviews:
        raise RuleViolation("该事项已进入复查程序，不再重办，复查意见将另行告知。")
    if case.reopen_count >= 1:
        raise RuleViolation("该事项已重办过一次；如对答复仍不服，可依法申请复查。")
    ends = request_window_ends_on(case, calendar)
    reply = case.last_reply
    if reply is None or ends is None:
        raise RuleViolation("该事项尚未答复，不能重办。")
    if local_date(now) > calendar.add_days(local_date(reply.replied_at), REOPEN_REQUEST_DAYS):
        raise WindowClosed(f"重办须在收到答复之日起{REOPEN_REQUEST_DAYS}日内提出（截至{ends}）。")
    case.move(Action.reopen)
    case.reopen_count += 1
    case.closed_at = None
    case.deadlines.append(
        start_deadline(Step.reply, owner=case.lead, now=now, days=REOPEN_REPLY_DAYS, calendar=calendar)
    )


def request_review(
    case: Case, *, level: ReviewLevel, reason: str, reviewer: str, now: datetime, calendar: WorkingCalendar
) -> ReviewRecord:
    """复查 (§35) or 复核 (§36), asked within 30 days; the reviewing body answers within 30 days."""
    action = Action.request_review if level is ReviewLevel.review else Action.request_re_review
    if case.final:
        raise RuleViolation(FINAL_ZH)
    next_state(action, case.state, case.track)
    if not allows_review(case.petition_kind or PetitionKind.claim):
        raise RuleViolation("复查、复核适用于申诉求决类信访事项的处理意见；本事项已答复办结。")
    last = case.last_review
    if level is ReviewLevel.review and last is not None:
        raise RuleViolation("该处理意见已经复查；如不服复查意见，可申请复核。")
    if level is ReviewLevel.re_review and (last is None or last.level is not ReviewLevel.review):
        raise RuleViolation("申请复核须先经复查。")
    ends = request_window_ends_on(case, calendar)
    if ends is None:
        raise RuleViolation("该事项尚无可以申请复查（复核）的书面意见。")
    if local_date(now) > ends:
        what = "复查" if level is ReviewLevel.review else "复核"
        raise WindowClosed(f"申请{what}须在收到书面意见之日起{REVIEW_REQUEST_DAYS}日内提出（截至{ends}）。")
    case.move(action)
    record = ReviewRecord(level=level, reason=require_text(reason, "申请理由"), requested_at=now)
    case.reviews.append(record)
    case.closed_at = None
    step = Step.review if level is ReviewLevel.review else Step.re_review
    case.deadlines.append(start_deadline(step, owner=reviewer, now=now, days=REVIEW_DECISION_DAYS, calendar=calendar))
    return record


def decide_review(case: Case, *, outcome: ReviewOutcome, opinion: str, now: datetime) -> ReviewRecord:
    """复查/复核意见: a re-review's opinion ends the petition procedure for this matter (§36)."""
    next_state(Action.decide_review, case.state, case.track)
    record = case.last_review
    assert record is not None, "review_requested always has a review record"
    refuse_while_paused(case, Step.review if record.level is ReviewLevel.review else Step.re_review)
    record.opinion = require_text(opinion, "复查（复核）意见")
    record.outcome = outcome
    record.decided_at = now
    case.finish(Step.review if record.level is ReviewLevel.review else Step.re_review, now)
    case.move(Action.decide_review)
    if record.level is ReviewLevel.re_review:
        case.state = CaseState.closed
        case.final = True
        case.closed_at = now
    return record
