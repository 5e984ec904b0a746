"""Casework metrics (DESIGN §8): running statutory clocks past their due day, per department, and
the last year the working-day calendar knows the public holidays of.

The overdue clocks are computed from the database by the API process (which serves /metrics), so
the figure is right however many workers run.
"""

from __future__ import annotations

from functools import partial

from prometheus_client import Gauge

from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.repositories import CaseworkUnitOfWork
from shared.clock import Clock
from shared.logging import get_logger
from shared.periodic import PeriodicPart
from shared.runtime import Infrastructure

log = get_logger(__name__)

OVERDUE_CLOCKS = Gauge(
    "casework_overdue_clocks", "Running statutory clocks past their due day, by owning department.", ["department"]
)
HOLIDAY_CALENDAR_LAST_YEAR = Gauge(
    "casework_holiday_calendar_last_year",
    "The last year whose public holidays the working-day calendar holds (0: none); later years count Monday-Friday.",
)
# From December on, next year's holidays should be in the calendar (the State Council publishes
# them in November or December).
NEXT_YEAR_DUE_MONTH = 12


async def refresh_overdue(infra: Infrastructure, clock: Clock) -> None:
    async with CaseworkUnitOfWork.of(infra.uow()) as uow:
        counts = await uow.statistics.overdue_by_owner(local_date(clock.now()))
    OVERDUE_CLOCKS.clear()
    for department, count in counts.items():
        OVERDUE_CLOCKS.labels(department).set(count)


def overdue_gauge(infra: Infrastructure, clock: Clock, interval_s: float) -> PeriodicPart[None]:
    """Refreshes the gauge in the background; a database hiccup skips a round, not the API."""
    return PeriodicPart("casework_overdue_gauge", partial(refresh_overdue, infra, clock), interval=interval_s)


def report_calendar(calendar: WorkingCalendar, clock: Clock) -> None:
    """Export the calendar's last year, and warn when this year's holidays (or, from December, next
    year's) are missing: deadlines in such a year skip weekends only, so a clock running over a
    public holiday would fall due days early. The alerts HolidayCalendarMissing and
    HolidayCalendarEndsThisYear say the same to operators (docs/operations.md)."""
    HOLIDAY_CALENDAR_LAST_YEAR.set(max(calendar.covered_years, default=0))
    today = local_date(clock.now())
    due = (today.year, today.year + 1) if today.month >= NEXT_YEAR_DUE_MONTH else (today.year,)
    missing = [year for year in due if year not in calendar.covered_years]
    if missing:
        log.warning(
            "the working-day calendar has no public holidays for these years: their deadlines count Monday to "
            "Friday only; add the State Council's holiday notice (holidays_cn.yaml or CASEWORK_HOLIDAY_CALENDAR_PATH)",
            years=missing,
            covered=sorted(calendar.covered_years),
        )
