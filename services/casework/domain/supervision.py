"""Supervision (督办): which running clocks are near their end or past it, each told once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from services.casework.domain.calendar import WorkingCalendar
from services.casework.domain.case import Case
from services.casework.domain.deadlines import Deadline


class SupervisionLevel(StrEnum):
    near_due = "near_due"  # 预警: the owner is reminded
    overdue = "overdue"  # 督办: the owner is supervised and the citizen told


@dataclass(frozen=True, slots=True)
class SupervisionNotice:
    level: SupervisionLevel
    deadline: Deadline


def due_notices(
    case: Case, *, today: date, calendar: WorkingCalendar, near_working_days: int
) -> list[SupervisionNotice]:
    """Mark and return the warnings and supervisions this case now needs; repeat calls add none."""
    notices: list[SupervisionNotice] = []
    for deadline in case.deadlines:
        if deadline.overdue_on(today):
            if not deadline.supervised:
                deadline.supervised = deadline.warned = True
                notices.append(SupervisionNotice(SupervisionLevel.overdue, deadline))
        elif deadline.near_due_on(today, calendar, near_working_days) and not deadline.warned:
            deadline.warned = True
            notices.append(SupervisionNotice(SupervisionLevel.near_due, deadline))
    return notices
