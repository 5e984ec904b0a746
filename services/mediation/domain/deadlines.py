"""Mediation clocks: the time limit per mediation type, supervision, reminders and the follow-up.

Days are calendar days in the bureau's local time (Asia/Shanghai): a limit ends at the end of its
last local day, so a case opened at 23:50 does not lose a day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from services.mediation.domain.vocabulary import MediationType
from shared.clock import CHINA_TZ


@dataclass(frozen=True, slots=True)
class TimeLimits:
    """Days allowed per mediation type (settings), and the grace given by supervision (督办)."""

    people: int
    administrative: int
    judicial: int
    supervision_extension: int

    def days(self, mediation_type: MediationType) -> int:
        return {
            MediationType.people: self.people,
            MediationType.administrative: self.administrative,
            MediationType.judicial: self.judicial,
        }[mediation_type]


def end_of_local_day(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA_TZ)


def local_date(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


def days_later(start: datetime, days: int) -> datetime:
    """The end of the local day ``days`` calendar days after ``start``."""
    return end_of_local_day(local_date(start) + timedelta(days=days))


def mediation_due(opened_at: datetime, limits: TimeLimits, mediation_type: MediationType) -> datetime:
    return days_later(opened_at, limits.days(mediation_type))


def supervision_due(now: datetime, limits: TimeLimits) -> datetime:
    """The new deadline a supervision (督办) sets."""
    return days_later(now, limits.supervision_extension)


def is_overdue(due_at: datetime, now: datetime) -> bool:
    return now > due_at


def overdue_days(due_at: datetime, now: datetime) -> int:
    return max(0, (local_date(now) - local_date(due_at)).days)


def reminder_at(scheduled_for: datetime, scheduled_at: datetime, lead: timedelta) -> datetime | None:
    """When to remind the parties of a session; None when it was scheduled too late for a
    reminder to add anything to the scheduling notice itself."""
    moment = scheduled_for - lead
    return moment if moment > scheduled_at else None


def follow_up_due(performance_deadline: date, grace_days: int) -> datetime:
    """The follow-up call (回访) on performance comes a few days after the performance deadline."""
    return end_of_local_day(performance_deadline + timedelta(days=grace_days))


def deadline_for_performance(deadline: date) -> datetime:
    return end_of_local_day(deadline)


def format_local(moment: datetime, *, with_time: bool = False) -> str:
    local = moment.astimezone(CHINA_TZ)
    return local.strftime("%Y年%m月%d日 %H:%M" if with_time else "%Y年%m月%d日")
