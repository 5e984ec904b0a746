"""Statutory clocks of 《信访工作条例》(2022) (DESIGN §2) as data: one deadline per running step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.casework.domain.calendar import WorkingCalendar, end_of_day, local_date

# §23: written notice whether the matter is accepted, within 15 days of receiving it.
ACCEPT_NOTICE_DAYS = 15
# §23: a department that is not responsible objects (退单) within 5 working days.
RETURN_WORKING_DAYS = 5
# §34: handled and answered within 60 days of acceptance.
REPLY_DAYS = 60
# §34: a complex matter may be extended once, by at most 30 days, the reason told to the citizen.
MAX_EXTENSION_DAYS = 30
# §35 / §36: the citizen asks for review (复查) or re-review (复核) within 30 days of the written
# answer, and the reviewing body answers within 30 days of the request.
REVIEW_REQUEST_DAYS = 30
REVIEW_DECISION_DAYS = 30
# Not statutory (bureau practice for 重办): a reopened case is answered again within 30 days, and
# a citizen may ask for it within the same 30 days in which review could be requested.
REOPEN_REPLY_DAYS = 30
REOPEN_REQUEST_DAYS = REVIEW_REQUEST_DAYS
# Not statutory (bureau practice for 涉法涉诉 hand-offs): the 政法 body confirms receipt within 15
# days and reports progress at least every 30 days until the legal procedure concludes.
LEGAL_RECEIPT_DAYS = 15
LEGAL_UPDATE_DAYS = 30


class Step(StrEnum):
    accept = "accept"  # 受理告知
    reply = "reply"  # 办理答复 (信访处理意见书)
    review = "review"  # 复查意见
    re_review = "re_review"  # 复核意见
    legal_receipt = "legal_receipt"  # 政法机关接收
    legal_update = "legal_update"  # 政法机关反馈进展


STEP_NAMES_ZH: dict[Step, str] = {
    Step.accept: "受理告知",
    Step.reply: "办理答复",
    Step.review: "复查",
    Step.re_review: "复核",
    Step.legal_receipt: "政法机关接收",
    Step.legal_update: "政法机关反馈办理进展",
}


@dataclass
class Deadline:
    """One running or finished clock: who owes what by which local date."""

    step: Step
    owner: str  # department code that owes the step
    started_at: datetime
    due_on: date
    original_due_on: date
    done_at: datetime | None = None
    cancelled: bool = False
    warned: bool = False  # near-due warning (预警) sent
    supervised: bool = False  # overdue supervision (督办) sent
    # Set while a hearing (听证) stops the clock: its time is not counted (§36), see hearing.py.
    paused_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.done_at is None and not self.cancelled

    @property
    def due_at(self) -> datetime:
        return end_of_day(self.due_on)

    @property
    def met(self) -> bool | None:
        """True/False once done (on time or late), None while running or cancelled."""
        if self.done_at is None:
            return None
        return local_date(self.done_at) <= self.due_on

    @property
    def paused(self) -> bool:
        return self.running and self.paused_at is not None

    def overdue_on(self, today: date) -> bool:
        return self.running and not self.paused and today > self.due_on

    def near_due_on(self, today: date, calendar: WorkingCalendar, working_days: int) -> bool:
        return (
            self.running
            and not self.paused
            and not self.overdue_on(today)
            and calendar.add_working_days(today, working_days) >= self.due_on
        )


def start_deadline(step: Step, *, owner: str, now: datetime, days: int, calendar: WorkingCalendar) -> Deadline:
    due = calendar.add_days(local_date(now), days)
    return Deadline(step=step, owner=owner, started_at=now, due_on=due, original_due_on=due)
