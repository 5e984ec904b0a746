"""Load and save the Case aggregate: JSONB for the whole, columns and deadline rows for queries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db
from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.domain.case import Case
from services.casework.domain.kinds import is_confidential
from services.casework.domain.review import request_window_ends_on

_CASE = TypeAdapter(Case)


def dump_case(case: Case) -> dict[str, Any]:
    dumped: dict[str, Any] = _CASE.dump_python(case, mode="json")
    return dumped


def load_case(data: dict[str, Any]) -> Case:
    return _CASE.validate_python(data)


class CaseRepository:
    def __init__(self, session: AsyncSession, calendar: WorkingCalendar) -> None:
        self._session = session
        self._calendar = calendar

    async def get(self, grievance_id: str, *, for_update: bool = False, skip_locked: bool = False) -> Case | None:
        statement = select(db.grievance_case.c.aggregate).where(db.grievance_case.c.grievance_id == grievance_id)
        if for_update:
            statement = statement.with_for_update(skip_locked=skip_locked)
        data = await self._session.scalar(statement)
        return load_case(data) if data is not None else None

    async def add(self, case: Case, *, now: datetime) -> None:
        await self._session.execute(insert(db.grievance_case).values(**self._columns(case), created_at=now))
        await self._write_deadlines(case)

    async def save(self, case: Case) -> None:
        await self._session.execute(
            update(db.grievance_case)
            .where(db.grievance_case.c.grievance_id == case.grievance_id)
            .values(**self._columns(case))
        )
        await self._write_deadlines(case)

    def _columns(self, case: Case) -> dict[str, Any]:
        upcoming = case.next_deadline
        return {
            "grievance_id": case.grievance_id,
            "tracking_no": case.tracking_no,
            "track": case.track.value,
            "petition_kind": case.petition_kind.value if case.petition_kind else None,
            "state": case.state.value,
            "lead_department": case.lead,
            "co_departments": list(case.co),
            "revision": case.revision,
            "urgent": case.urgent,
            "confidential": is_confidential(case.petition_kind),
            "final": case.final,
            "next_due_at": upcoming.due_at if upcoming else None,
            "remedy_window_ends_on": request_window_ends_on(case, self._calendar),
            "aggregate": dump_case(case),
            "updated_at": func.now(),
        }

    async def _write_deadlines(self, case: Case) -> None:
        table = db.deadline
        await self._session.execute(delete(table).where(table.c.grievance_id == case.grievance_id))
        if not case.deadlines:
            return
        await self._session.execute(
            insert(table),
            [
                {
                    "grievance_id": case.grievance_id,
                    "seq": seq,
                    "step": d.step.value,
                    "owner": d.owner,
                    "started_at": d.started_at,
                    "due_on": d.due_on,
                    "done_at": d.done_at,
                    "done_on": local_date(d.done_at) if d.done_at else None,
                    "cancelled": d.cancelled,
                    "warned": d.warned,
                    "supervised": d.supervised,
                    "paused_at": d.paused_at,
                }
                for seq, d in enumerate(case.deadlines)
            ],
        )

    # -- repeat links ---------------------------------------------------------------------------

    async def link_revision(self, grievance_id: str) -> int | None:
        return await self._session.scalar(
            select(db.repeat_link.c.revision).where(db.repeat_link.c.grievance_id == grievance_id)
        )

    async def link_repeat(
        self, *, grievance_id: str, tracking_no: str, open_grievance_id: str, revision: int, outcome: str, now: datetime
    ) -> None:
        values = {
            "tracking_no": tracking_no,
            "open_grievance_id": open_grievance_id,
            "revision": revision,
            "outcome": outcome,
            "linked_at": now,
        }
        await self._session.execute(
            pg_insert(db.repeat_link)
            .values(grievance_id=grievance_id, **values)
            .on_conflict_do_update(index_elements=[db.repeat_link.c.grievance_id], set_=values)
        )

    async def unlink_repeat(self, grievance_id: str) -> None:
        await self._session.execute(delete(db.repeat_link).where(db.repeat_link.c.grievance_id == grievance_id))
