"""The litigation track (涉法涉诉, §22, §31): transfer to the competent 政法 body, tell the citizen
the legal route, follow receipt and conclusion, supervise when the body goes quiet."""

from __future__ import annotations

from datetime import datetime

from services.casework.domain.calendar import WorkingCalendar
from services.casework.domain.case import Case, LegalUpdate, require_text
from services.casework.domain.deadlines import LEGAL_UPDATE_DAYS, Step, start_deadline
from services.casework.domain.states import Action, next_state


def _legal(case: Case, department: str | None, action_zh: str) -> None:
    case.require_lead(department, action_zh)
    assert case.legal is not None, "a litigation case always has its transfer record"


def receive(
    case: Case, *, department: str | None, reference_no: str | None, now: datetime, calendar: WorkingCalendar
) -> None:
    """The 政法 body confirms it has the matter (and its own case number, if any)."""
    next_state(Action.receive_legal, case.state, case.track)
    _legal(case, department, "确认接收")
    assert case.legal is not None
    case.move(Action.receive_legal)
    case.finish(Step.legal_receipt, now)
    case.legal.received_at = now
    case.legal.reference_no = (reference_no or "").strip() or None
    case.deadlines.append(
        start_deadline(Step.legal_update, owner=case.lead, now=now, days=LEGAL_UPDATE_DAYS, calendar=calendar)
    )


def record_progress(
    case: Case, *, department: str | None, note: str, now: datetime, calendar: WorkingCalendar
) -> LegalUpdate:
    """A progress report restarts the idle clock."""
    next_state(Action.record_legal_progress, case.state, case.track)
    _legal(case, department, "反馈办理进展")
    assert case.legal is not None
    update = LegalUpdate(note=require_text(note, "办理进展"), at=now)
    case.finish(Step.legal_update, now)
    case.legal.updates.append(update)
    case.deadlines.append(
        start_deadline(Step.legal_update, owner=case.lead, now=now, days=LEGAL_UPDATE_DAYS, calendar=calendar)
    )
    return update


def conclude(case: Case, *, department: str | None, outcome: str, now: datetime) -> None:
    """The legal procedure has concluded; the platform's follow-up ends."""
    next_state(Action.conclude_legal, case.state, case.track)
    _legal(case, department, "登记办结")
    assert case.legal is not None
    case.legal.outcome = require_text(outcome, "办理结果")
    case.move(Action.conclude_legal)
    case.finish(Step.legal_update, now)
    case.legal.concluded_at = now
    case.closed_at = now
