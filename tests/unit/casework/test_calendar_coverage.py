"""Casework says when its working-day calendar lacks a year's public holidays: the last year it
holds as a gauge (the alerts HolidayCalendarEndsThisYear and HolidayCalendarMissing watch it), and a
warning at start for this year, and from December for next year."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from prometheus_client import REGISTRY

from services.casework.domain.calendar import WorkingCalendar
from services.casework.metrics import report_calendar
from shared.clock import ManualClock

WARNING = "the working-day calendar has no public holidays"


def warnings(output: io.StringIO) -> list[dict[str, object]]:
    lines = [json.loads(text) for text in output.getvalue().splitlines() if text.startswith("{")]
    return [line for line in lines if str(line["event"]).startswith(WARNING)]


def last_year() -> float | None:
    return REGISTRY.get_sample_value("casework_holiday_calendar_last_year")


@pytest.mark.parametrize(
    ("covered", "now", "missing"),
    [
        ({2026}, datetime(2026, 11, 30, 12, tzinfo=UTC), None),  # next year's notice is not due yet
        ({2026}, datetime(2026, 12, 6, 12, tzinfo=UTC), [2027]),  # December: next year is due
        ({2026}, datetime(2026, 11, 30, 17, tzinfo=UTC), [2027]),  # already 1 December in Shenzhen
        ({2026, 2027}, datetime(2026, 12, 6, 12, tzinfo=UTC), None),
        ({2026}, datetime(2027, 3, 1, 12, tzinfo=UTC), [2027]),  # this year is missing: counted Mon-Fri
        (set(), datetime(2027, 12, 6, 12, tzinfo=UTC), [2027, 2028]),
    ],
)
def test_a_missing_year_is_exported_and_warned_about(
    covered: set[int], now: datetime, missing: list[int] | None, log_output: io.StringIO
) -> None:
    report_calendar(WorkingCalendar(covered_years=frozenset(covered)), ManualClock(now))

    assert last_year() == max(covered, default=0)
    said = warnings(log_output)
    if missing is None:
        assert said == []
    else:
        assert [line["years"] for line in said] == [missing]
        assert said[0]["level"] == "warning"
