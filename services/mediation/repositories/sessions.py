"""Sessions (调解会) of a case: scheduled, moved, held or cancelled; reminders; the calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.vocabulary import SessionState, State
from services.mediation.repositories.teams import current_cases_of

S, C = db.mediation_session, db.mediation


@dataclass(frozen=True, slots=True)
class MediationSessionRecord:
    id: int
    mediation_id: str
    number: int
    state: SessionState
    scheduled_for: datetime
    location: str
    scheduled_at: datetime
    reschedule_count: int = 0
    remind_at: datetime | None = None
    reminded_at: datetime | None = None
    held_at: datetime | None = None
    attendance: list[dict[str, Any]] | None = None
    minutes: str | None = None


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    """A session with what a calendar shows of its case."""

    mediation_session: MediationSessionRecord
    tracking_no: str
    title: str
    case_state: State


def _session(row: Any) -> MediationSessionRecord:
    values = {name: getattr(row, name) for name in MediationSessionRecord.__dataclass_fields__}
    return MediationSessionRecord(**{**values, "state": SessionState(row.state)})


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_case(self, case_id: str) -> list[MediationSessionRecord]:
        rows = await self._session.execute(select(S).where(S.c.mediation_id == case_id).order_by(S.c.number))
        return [_session(row) for row in rows]

    async def pending(self, case_id: str) -> MediationSessionRecord | None:
        """The case's one scheduled session, locked for a change."""
        statement = select(S).where(S.c.mediation_id == case_id, S.c.state == SessionState.scheduled.value)
        row = (await self._session.execute(statement.with_for_update())).first()
        return _session(row) if row else None

    async def add(
        self,
        case_id: str,
        *,
        scheduled_for: datetime,
        location: str,
        scheduled_at: datetime,
        remind_at: datetime | None,
    ) -> int:
        """Schedule the case's next session; its number (1, 2, …)."""
        latest = await self._session.scalar(
            select(func.coalesce(func.max(S.c.number), 0)).where(S.c.mediation_id == case_id)
        )
        number = int(latest or 0) + 1
        await self._session.execute(
            insert(S).values(
                mediation_id=case_id,
                number=number,
                state=SessionState.scheduled.value,
                scheduled_for=scheduled_for,
                location=location,
                scheduled_at=scheduled_at,
                remind_at=remind_at,
            )
        )
        return number

    async def change(self, session_id: int, **values: Any) -> None:
        """Set columns of a session (its state may be given as a member)."""
        changes = {name: value.value if isinstance(value, Enum) else value for name, value in values.items()}
        await self._session.execute(update(S).where(S.c.id == session_id).values(**changes))

    async def cancel_pending(self, case_id: str) -> None:
        """A case that ends takes its scheduled session with it."""
        await self._session.execute(
            update(S)
            .where(S.c.mediation_id == case_id, S.c.state == SessionState.scheduled.value)
            .values(state=SessionState.cancelled.value)
        )

    async def due_for_reminder(self, now: datetime, limit: int) -> list[MediationSessionRecord]:
        """Scheduled sessions whose reminder time has come, still ahead and not yet reminded; locked,
        and rows another scheduler holds are skipped."""
        rows = await self._session.execute(
            select(S)
            .where(
                S.c.state == SessionState.scheduled.value,
                S.c.reminded_at.is_(None),
                S.c.remind_at <= now,
                S.c.scheduled_for > now,
            )
            .order_by(S.c.remind_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_session(row) for row in rows]

    async def between(self, start: datetime, end: datetime, *, assigned_to: str | None) -> list[CalendarEntry]:
        """Sessions scheduled in [start, end) of every case, or of those ``assigned_to`` a mediator."""
        statement = (
            select(S, C.c.tracking_no, C.c.title, C.c.state.label("case_state"))
            .join(C, C.c.id == S.c.mediation_id)
            .where(S.c.scheduled_for >= start, S.c.scheduled_for < end)
            .order_by(S.c.scheduled_for, S.c.mediation_id, S.c.number)
        )
        if assigned_to is not None:
            statement = statement.where(S.c.mediation_id.in_(current_cases_of(assigned_to)))
        return [
            CalendarEntry(_session(row), row.tracking_no, row.title, State(row.case_state))
            for row in await self._session.execute(statement)
        ]
