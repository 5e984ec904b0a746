"""Response model of the session calendar (a mediator's 调解会 in a date range)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from services.mediation.domain.vocabulary import SessionState, State


class SessionEntry(BaseModel):
    mediation_id: str
    tracking_no: str
    title: str
    case_state: State
    number: int
    state: SessionState
    state_zh: str
    scheduled_for: datetime
    location: str
    held_at: datetime | None
