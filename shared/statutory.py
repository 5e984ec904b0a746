"""Statutory periods in days, counted by one rule in every service (DESIGN §2).

A period of N days starts the day after the event (the first day is not counted) and lasts to the
end of its last day in the platform's local time, Asia/Shanghai (《民法典》§201, §203). A last day
that is a rest day moves to the next working day when the caller has the working calendar
(casework does; intake, which has no holiday data, states the last calendar day, never later).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol

from shared.clock import CHINA_TZ


class WorkingDays(Protocol):
    """The part of a working-day calendar the period rule needs."""

    def next_working_day(self, day: date) -> date: ...


def local_date(moment: datetime) -> date:
    """The platform's calendar date of an aware moment."""
    if moment.tzinfo is None:
        raise ValueError("statutory dates need an aware datetime")
    return moment.astimezone(CHINA_TZ).date()


def end_of_day(day: date) -> datetime:
    """The last second of a local date: a deadline "至某日" is kept until that day ends."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=CHINA_TZ)


def last_day(start: date, days: int, calendar: WorkingDays | None = None) -> date:
    """The last local date of a period of ``days`` days that starts the day after ``start``."""
    if days < 0:
        raise ValueError("a period cannot be negative")
    day = start + timedelta(days=days)
    return calendar.next_working_day(day) if calendar is not None else day


def due_at(start: datetime, days: int, calendar: WorkingDays | None = None) -> datetime:
    """When a period of ``days`` days counted from the moment ``start`` runs out."""
    return end_of_day(last_day(local_date(start), days, calendar))
