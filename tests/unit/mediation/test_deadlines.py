"""Mediation clocks: limit per type (a setting), supervision, reminders, follow-up."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.mediation.domain.deadlines import (
    follow_up_due,
    is_overdue,
    mediation_due,
    overdue_days,
    reminder_at,
    supervision_due,
)
from services.mediation.domain.vocabulary import MediationType
from services.mediation.settings import Settings
from shared.clock import CHINA_TZ


def test_each_mediation_type_has_its_own_limit_from_settings() -> None:
    settings = Settings(time_limit_people_days=30, time_limit_administrative_days=20, time_limit_judicial_days=15)
    opened = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # 10:00 in Shenzhen
    dues = {t: mediation_due(opened, settings.time_limits, t) for t in MediationType}
    assert dues[MediationType.people].astimezone(CHINA_TZ).date() == date(2026, 12, 26)
    assert dues[MediationType.administrative].astimezone(CHINA_TZ).date() == date(2026, 12, 16)
    assert dues[MediationType.judicial].astimezone(CHINA_TZ).date() == date(2026, 12, 11)


def test_limits_end_at_the_end_of_the_local_day() -> None:
    settings = Settings()
    late_evening = datetime(2026, 11, 26, 15, 50, tzinfo=UTC)  # 23:50 local
    due = mediation_due(late_evening, settings.time_limits, MediationType.people).astimezone(CHINA_TZ)
    assert (due.date(), due.hour, due.minute) == (date(2026, 12, 26), 23, 59)


def test_overdue_and_supervision() -> None:
    due = datetime(2026, 12, 26, 15, 59, 59, tzinfo=UTC)
    assert not is_overdue(due, due)
    assert is_overdue(due, due + timedelta(seconds=1))
    assert overdue_days(due, due + timedelta(days=3)) == 3
    new_due = supervision_due(due + timedelta(days=3), Settings(supervision_extension_days=10).time_limits)
    assert new_due.astimezone(CHINA_TZ).date() == date(2027, 1, 8)


def test_reminder_comes_ahead_of_the_session_unless_scheduled_too_late() -> None:
    now = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
    session = now + timedelta(days=3)
    assert reminder_at(session, now, timedelta(hours=24)) == session - timedelta(hours=24)
    assert reminder_at(now + timedelta(hours=5), now, timedelta(hours=24)) is None


def test_follow_up_is_due_a_few_days_after_the_performance_deadline() -> None:
    due = follow_up_due(date(2026, 12, 20), 3).astimezone(CHINA_TZ)
    assert due.date() == date(2026, 12, 23)
