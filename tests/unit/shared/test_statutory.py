"""The platform's one period rule: intake's first due date and casework's clocks agree."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.casework.domain.calendar import WorkingCalendar
from services.casework.domain.deadlines import ACCEPT_NOTICE_DAYS, Step, start_deadline
from services.intake.domain.grievance import REGISTER_AND_ASSIGN_DAYS, assign_due
from shared.clock import CHINA_TZ
from shared.statutory import due_at, end_of_day, last_day, local_date


def test_the_first_day_is_not_counted_and_the_period_ends_at_the_end_of_the_local_day() -> None:
    received = datetime(2026, 3, 2, 9, 30, tzinfo=CHINA_TZ)
    assert due_at(received, 15) == datetime(2026, 3, 17, 23, 59, 59, tzinfo=CHINA_TZ)


def test_the_day_is_the_local_day_not_the_utc_day() -> None:
    # 2026-03-01 20:00 UTC is already 2 March in Shanghai: the period counts from 2 March.
    late_evening_utc = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    assert local_date(late_evening_utc) == date(2026, 3, 2)
    assert due_at(late_evening_utc, 15) == end_of_day(date(2026, 3, 17))


def test_a_calendar_moves_a_last_day_on_a_rest_day_to_the_next_working_day() -> None:
    # 2026-03-14 is a Saturday: without a calendar the period ends that day, with one on Monday.
    assert last_day(date(2026, 2, 27), 15) == date(2026, 3, 14)
    assert last_day(date(2026, 2, 27), 15, WorkingCalendar()) == date(2026, 3, 16)


def test_naive_moments_and_negative_periods_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        due_at(datetime(2026, 3, 2, 9, 30), 15)
    with pytest.raises(ValueError, match="negative"):
        last_day(date(2026, 3, 2), -1)


def test_intake_and_casework_give_the_same_15_day_deadline() -> None:
    # A Monday filing whose 15th day (a Tuesday) is a working day: one deadline, not two.
    received = datetime(2026, 3, 2, 1, 15, 42, tzinfo=UTC)
    clock = start_deadline(
        Step.accept, owner="housing", now=received, days=ACCEPT_NOTICE_DAYS, calendar=WorkingCalendar()
    )
    assert REGISTER_AND_ASSIGN_DAYS == ACCEPT_NOTICE_DAYS == 15
    assert assign_due(received) == clock.due_at == datetime(2026, 3, 17, 23, 59, 59, tzinfo=CHINA_TZ)


def test_intake_due_is_end_of_day_not_fifteen_days_to_the_second() -> None:
    received = datetime(2026, 11, 26, 14, 3, 7, tzinfo=CHINA_TZ)
    due = assign_due(received)
    assert due.astimezone(CHINA_TZ).time().isoformat() == "23:59:59"
    assert local_date(due) == date(2026, 12, 11)
