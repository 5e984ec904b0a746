"""Deadline arithmetic across weekends, public holidays and make-up workdays (2026 data)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.casework.calendars import load_calendar, parse_calendar
from services.casework.domain.calendar import WorkingCalendar, end_of_day, local_date
from services.casework.domain.deadlines import ACCEPT_NOTICE_DAYS, RETURN_WORKING_DAYS, Step, start_deadline
from tests.unit.casework.helpers import CALENDAR, at


def test_packaged_2026_data_has_every_holiday_and_make_up_workday() -> None:
    assert len(CALENDAR.holidays) == 33  # 3 + 9 + 3 + 5 + 3 + 3 + 7 days
    assert CALENDAR.makeup_workdays == {
        date(2026, 1, 4),
        date(2026, 2, 14),
        date(2026, 2, 28),
        date(2026, 5, 9),
        date(2026, 9, 20),
        date(2026, 10, 10),
    }
    assert CALENDAR.covers(date(2026, 6, 1))
    assert not CALENDAR.covers(date(2027, 6, 1))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 3, 2), True),  # an ordinary Monday
        (date(2026, 3, 7), False),  # an ordinary Saturday
        (date(2026, 10, 1), False),  # National Day, a Thursday
        (date(2026, 2, 16), False),  # Spring Festival, a Monday
        (date(2026, 2, 14), True),  # Saturday made a workday for the Spring Festival
        (date(2026, 9, 20), True),  # Sunday made a workday for National Day
        (date(2027, 3, 6), False),  # outside the data: weekends still rest
        (date(2027, 3, 5), True),
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert CALENDAR.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # Mon + 5 working days skips one weekend
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 is Monday
        # Tue 29 Sep: Wed 30 Sep, then the National Day week, Thu 8, Fri 9, Sat 10 (make-up), Mon 12.
        (date(2026, 9, 29), 5, date(2026, 10, 12)),
        # Tue 10 Feb: 11, 12, 13, Sat 14 (make-up), holiday to 23 Feb, then Tue 24.
        (date(2026, 2, 10), 5, date(2026, 2, 24)),
        (date(2026, 4, 30), 1, date(2026, 5, 6)),  # Labour Day holiday 1–5 May
        (date(2026, 5, 8), 1, date(2026, 5, 9)),  # Saturday 9 May is a make-up workday
        (date(2026, 3, 2), 0, date(2026, 3, 2)),
    ],
)
def test_add_working_days(start: date, count: int, expected: date) -> None:
    assert CALENDAR.add_working_days(start, count) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 3, 2), 15, date(2026, 3, 17)),  # ends on a Tuesday: stays
        (date(2026, 3, 6), 15, date(2026, 3, 23)),  # would end Saturday 21: runs to Monday 23
        (date(2026, 9, 20), 15, date(2026, 10, 8)),  # would end 5 Oct (holiday): runs to Thursday 8 Oct
        (date(2026, 2, 13), 15, date(2026, 2, 28)),  # ends Saturday 28 Feb, a make-up workday: stays
        (date(2026, 3, 2), 60, date(2026, 5, 6)),  # would end 1 May (holiday): runs to Wednesday 6 May
    ],
)
def test_periods_in_days_end_on_a_working_day(start: date, days: int, expected: date) -> None:
    assert CALENDAR.add_days(start, days) == expected


def test_working_days_between_counts_the_end_not_the_start() -> None:
    assert CALENDAR.working_days_between(date(2026, 9, 29), date(2026, 10, 12)) == 5
    assert CALENDAR.working_days_between(date(2026, 10, 12), date(2026, 9, 29)) == -5
    assert CALENDAR.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0


def test_accept_clock_counts_from_the_local_day_of_assignment() -> None:
    # 23:30 UTC on 1 March is already 2 March in Shenzhen: the 15 days count from 2 March.
    from datetime import UTC, datetime

    assigned = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert local_date(assigned) == date(2026, 3, 2)
    clock = start_deadline(Step.accept, owner="housing", now=assigned, days=ACCEPT_NOTICE_DAYS, calendar=CALENDAR)
    assert clock.due_on == date(2026, 3, 17)
    assert clock.due_at == end_of_day(date(2026, 3, 17))
    assert clock.due_at.astimezone(UTC).isoformat() == "2026-03-17T15:59:59+00:00"


def test_return_window_is_five_working_days() -> None:
    assert RETURN_WORKING_DAYS == 5
    assert CALENDAR.add_working_days(local_date(at(date(2026, 9, 29))), RETURN_WORKING_DAYS) == date(2026, 10, 12)


def test_calendar_rejects_a_day_both_holiday_and_workday() -> None:
    with pytest.raises(ValueError, match="both"):
        WorkingCalendar(holidays=frozenset({date(2026, 1, 4)}), makeup_workdays=frozenset({date(2026, 1, 4)}))


def test_calendar_file_must_name_its_source(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="source"):
        parse_calendar({"years": {2030: {"holidays": [{"name": "元旦", "from": "2030-01-01", "to": "2030-01-01"}]}}})
    data = tmp_path / "holidays.yaml"
    data.write_text(
        "years:\n  2030:\n    source: test data\n    holidays:\n"
        "      - {name: 元旦, from: 2030-01-01, to: 2030-01-02}\n"
        "    makeup_workdays: [2030-01-05]\n",
        encoding="utf-8",
    )
    calendar = load_calendar(data)
    assert not calendar.is_working_day(date(2030, 1, 2))
    assert calendar.is_working_day(date(2030, 1, 5))  # a Saturday made a workday
