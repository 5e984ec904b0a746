"""The clock a hearing pauses (听证所需时间不计算在期限内: §36 says so for a 复核 hearing; the bureau
pauses a handler's §31(六) hearing alike, docs/legal-basis.md): the working days the hearing took,
the due date moved by them, and the answer refused while the clock is paused. Pure."""

from __future__ import annotations

from datetime import date, datetime

from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.domain.case import Case
from services.casework.domain.deadlines import Deadline, Step
from services.casework.domain.states import RuleViolation


def paused_working_days(calendar: WorkingCalendar, opened_on: date, completed_on: date) -> int:
    """Working days the hearing took: ``(opened_on, completed_on]``, the platform's first-day rule."""
    if completed_on < opened_on:
        raise ValueError("a hearing cannot end before it opened")
    return calendar.working_days_between(opened_on, completed_on)


def resumed_due_on(calendar: WorkingCalendar, due_on: date, paused_days: int) -> date:
    """The due date after a pause of ``paused_days`` working days."""
    return calendar.add_working_days(due_on, paused_days) if paused_days else due_on


def pause(clock: Deadline, now: datetime) -> None:
    clock.paused_at = now


def resume(clock: Deadline, *, now: datetime, calendar: WorkingCalendar) -> int:
    """Run the clock again with its due date moved by the paused working days; returns them."""
    assert clock.paused_at is not None, "only a paused clock resumes"
    days = paused_working_days(calendar, local_date(clock.paused_at), local_date(now))
    clock.due_on = resumed_due_on(calendar, clock.due_on, days)
    # An extension (§34) counts from the original due date, so it must include the pause too.
    clock.original_due_on = resumed_due_on(calendar, clock.original_due_on, days)
    clock.paused_at = None
    if not clock.overdue_on(local_date(now)):
        # A new due date: warnings and supervision of the old one no longer apply.
        clock.warned = clock.supervised = False
    return days


def refuse_while_paused(case: Case, step: Step) -> None:
    """The answer waits for the hearing's conclusion (used by the reply and the review opinion)."""
    clock = case.running(step)
    if clock is not None and clock.paused:
        raise RuleViolation("听证尚未结束（听证笔录未完成），请在听证结束后再出具意见。")
