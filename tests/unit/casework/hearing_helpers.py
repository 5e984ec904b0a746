"""A hearing on a case being handled, for the domain and document tests."""

from __future__ import annotations

from datetime import date

from services.casework.domain.case import Case
from services.casework.domain.hearing import (
    Hearing,
    HearingBody,
    Participant,
    ParticipantRole,
    build_panel,
    open_hearing,
)
from shared.catalog.lawyers import load_lawyers
from tests.unit.casework.helpers import at

PARTICIPANTS = (
    Participant(ParticipantRole.petitioner, "陈志明"),
    Participant(ParticipantRole.party, "欧阳丽华"),
    Participant(ParticipantRole.department, "光明区住房和建设局", "housing"),
)


def hearing_on(
    case: Case, day: date, *, body: HearingBody = HearingBody.handler, department: str | None = "housing"
) -> Hearing:
    """Opened on ``day`` at 10:00 for 15:00 the same day, chaired with two members and lawyer-01."""
    return open_hearing(
        case,
        hearing_id="h-1",
        body=body,
        opened_by=department or "petitions-bureau",
        department=department,
        panel=build_panel("王主持", ["李听证", "赵听证"], "lawyer-01", load_lawyers(), ["陈志明"]),
        participants=list(PARTICIPANTS),
        scheduled_at=at(day, 15),
        place="光明区信访局听证室",
        open_hearings=0,
        now=at(day),
    )
