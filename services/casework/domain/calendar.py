"""Working-day calendar: weekends, public holidays and make-up workdays (调休上班日).

Statutory periods are counted in the bureau's local dates. The first day is not counted and a
period whose last day is a rest day ends on the next working day (《民法典》§201, §203), which
is how periods in days ("15日内") are read; periods in working days ("5个工作日") skip rest days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

# Re-exported: casework counts its clocks by the platform's one period rule (shared.statutory).
from shared.statutory import end_of_day as end_of_day
from shared.statutory import last_day
from shared.statutory import local_date as local_date

SATURDAY = 5


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Which dates are working days; years outside the data fall back to Monday to Friday."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)
    covered_years: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        both = self.holidays & self.makeup_workdays
        if both:
            raise ValueError(f"dates both holiday and make-up workday: {sorted(both)}")

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < SATURDAY

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_days(self, start: date, days: int) -> date:
        """The last day of a period of ``days`` calendar days starting the day after ``start``."""
        return last_day(start, days, self)

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself is not counted)."""
        if count < 0:
            raise ValueError("a period cannot be negative")
        day = start
        remaining = count
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in ``(start, end]``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for n in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=n)))

    def covers(self, day: date) -> bool:
        return day.year in self.covered_years
