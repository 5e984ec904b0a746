"""The petition track's department steps: sign for, return, accept or not, handle, extend,
co-handlers' opinions, reply (《信访工作条例》§22–§34)."""

from __future__ import annotations

from datetime import datetime

from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.domain.case import Case, CoOpinion, Extension, ReplyRecord, require_text
from services.casework.domain.clock_pause import refuse_while_paused
from services.casework.domain.deadlines import MAX_EXTENSION_DAYS, REPLY_DAYS, Step, start_deadline
from services.casework.domain.kinds import DECISIONS_BY_KIND, ReplyDecision
from services.casework.domain.legal import GROUNDS, NotAcceptance
from services.casework.domain.states import Action, NotPermitted, RuleViolation, WindowClosed, next_state
from shared.events.vocabulary import PetitionKind


def sign_for(case: Case, *, department: str | None, now: datetime) -> None:
    """签收: the lead department takes the case."""
    next_state(Action.sign_for, case.state, case.track)
    case.require_lead(department, "签收")
    case.move(Action.sign_for)
    case.signed_for_at = now


def return_case(case: Case, *, department: str | None, reason: str, now: datetime) -> None:
    """退单 (§23): not this department's remit, said with a reason within 5 working days."""
    next_state(Action.return_case, case.state, case.track)
    case.require_lead(department, "退单")
    reason = require_text(reason, "退单理由")
    if case.return_window_ends_on is None or local_date(now) > case.return_window_ends_on:
        raise WindowClosed(
            f"退单须在收到之日起5个工作日内提出（截至{case.return_window_ends_on}），已超过期限，请依法受理办理。"
        )
    case.move(Action.return_case)
    case.cancel_running()
    case.return_reason = reason


def accept(case: Case, *, department: str | None, now: datetime, calendar: WorkingCalendar) -> None:
    """受理 (§23): the written acceptance notice; the 60-day handling clock starts (§34)."""
    next_state(Action.accept, case.state, case.track)
    case.require_lead(department, "受理")
    case.move(Action.accept)
    case.finish(Step.accept, now)
    case.accepted_at = now
    case.deadlines.append(start_deadline(Step.reply, owner=case.lead, now=now, days=REPLY_DAYS, calendar=calendar))


def not_accept(case: Case, *, department: str | None, notice: NotAcceptance, now: datetime) -> None:
    """不予受理 (§23): the written notice names the ground and the legal route."""
    next_state(Action.not_accept, case.state, case.track)
    case.require_lead(department, "作出不予受理决定")
    rule = GROUNDS[notice.ground]
    require_text(notice.explanation, "不予受理的具体理由")
    if rule.needs_route and notice.route is None:
        raise RuleViolation("以“应当通过法定途径解决”为由不予受理的，必须告知具体的法定途径。")
    if rule.needs_competent_body and not (notice.competent_body or "").strip():
        raise RuleViolation("以“不属于本机关职权范围”为由不予受理的，必须告知有权处理的机关。")
    case.move(Action.not_accept)
    # The written notice answers the §23 duty just as an acceptance notice would.
    case.finish(Step.accept, now)
    case.not_acceptance = notice
    case.closed_at = now


def start(case: Case, *, department: str | None, now: datetime) -> None:
    """办理: the lead department starts handling an accepted (or reopened) case."""
    next_state(Action.start, case.state, case.track)
    case.require_lead(department, "开始办理")
    case.move(Action.start)


def extend(
    case: Case, *, department: str | None, days: int, reason: str, now: datetime, calendar: WorkingCalendar
) -> None:
    """延期 (§34): once, at most 30 days, before the handling period ends, the reason told."""
    next_state(Action.extend, case.state, case.track)
    case.require_lead(department, "延期")
    reason = require_text(reason, "延期理由")
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise RuleViolation(f"延长期限为1至{MAX_EXTENSION_DAYS}日（《信访工作条例》第三十四条）。")
    if case.extension is not None:
        raise RuleViolation("办理期限只能延长一次。")
    deadline = case.running(Step.reply)
    if deadline is None:
        raise RuleViolation("没有正在计算的办理期限。")
    if local_date(now) > deadline.due_on:
        raise WindowClosed(f"办理期限已于{deadline.due_on}届满，不能再延期，请尽快答复。")
    new_due = calendar.add_days(deadline.original_due_on, days)
    case.move(Action.extend)
    case.extension = Extension(
        days=days, reason=reason, granted_at=now, previous_due_on=deadline.due_on, new_due_on=new_due
    )
    deadline.due_on = new_due
    # A new period: warnings and supervision of the old one no longer apply.
    deadline.warned = deadline.supervised = False


def submit_co_opinion(case: Case, *, department: str | None, opinion: str, now: datetime) -> CoOpinion:
    """协办意见: a co-handling department's opinion, which the lead's reply consolidates."""
    next_state(Action.submit_co_opinion, case.state, case.track)
    if department is None or department not in case.co:
        raise NotPermitted("只有协办单位可以提交协办意见。")
    text = require_text(opinion, "协办意见")
    submitted = CoOpinion(department=department, opinion=text, submitted_at=now)
    case.co_opinions = [o for o in case.co_opinions if o.department != department] + [submitted]
    return submitted


def outstanding_co_handlers(case: Case) -> list[str]:
    given = {o.department for o in case.co_opinions}
    return [code for code in case.co if code not in given]


def reply(
    case: Case,
    *,
    department: str | None,
    decision: ReplyDecision,
    request_summary: str,
    facts_and_reasons: str,
    basis: str,
    outstanding_co_reason: str | None,
    now: datetime,
) -> ReplyRecord:
    """答复 (§32): the 信访处理意见书 with request, facts and reasons, decision and its basis."""
    next_state(Action.reply, case.state, case.track)
    case.require_lead(department, "答复")
    refuse_while_paused(case, Step.reply)
    kind = case.petition_kind or PetitionKind.claim
    if decision not in DECISIONS_BY_KIND[kind]:
        allowed = "、".join(sorted(d.value for d in DECISIONS_BY_KIND[kind]))
        raise RuleViolation(f"该类信访事项的处理意见只能是：{allowed}。")
    record = ReplyRecord(
        decision=decision,
        request_summary=require_text(request_summary, "信访人的请求"),
        facts_and_reasons=require_text(facts_and_reasons, "查明的事实和理由"),
        basis=require_text(basis, "处理依据"),
        replied_at=now,
        co_opinions=list(case.co_opinions),
    )
    outstanding = outstanding_co_handlers(case)
    if outstanding:
        if not (outstanding_co_reason or "").strip():
            raise RuleViolation(f"协办单位（{'、'.join(outstanding)}）尚未提交意见；如需先行答复，须记录原因。")
        record.outstanding_co_reason = (outstanding_co_reason or "").strip()
    case.move(Action.reply)
    case.finish(Step.reply, now)
    case.replies.append(record)
    return record
