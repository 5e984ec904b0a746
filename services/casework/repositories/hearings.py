"""Hearings (听证): JSONB for the whole, columns for the queries (open ones, 公示)."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db
from services.casework.domain.hearing import Hearing, HearingState

_HEARING = TypeAdapter(Hearing)


class HearingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, grievance_id: str, hearing_id: str) -> Hearing | None:
        data = await self._session.scalar(
            select(db.hearing.c.aggregate).where(
                db.hearing.c.id == hearing_id, db.hearing.c.grievance_id == grievance_id
            )
        )
        return _HEARING.validate_python(data) if data is not None else None

    async def of_case(self, grievance_id: str) -> list[Hearing]:
        rows = await self._session.scalars(
            select(db.hearing.c.aggregate)
            .where(db.hearing.c.grievance_id == grievance_id)
            .order_by(db.hearing.c.opened_at, db.hearing.c.id)
        )
        return [_HEARING.validate_python(row) for row in rows]

    async def count_open(self, grievance_id: str) -> int:
        count = await self._session.scalar(
            select(func.count()).where(
                db.hearing.c.grievance_id == grievance_id, db.hearing.c.state == HearingState.scheduled.value
            )
        )
        return int(count or 0)

    async def add(self, hearing: Hearing) -> None:
        await self._session.execute(insert(db.hearing).values(id=hearing.id, **self._columns(hearing)))

    async def save(self, hearing: Hearing) -> None:
        await self._session.execute(
            update(db.hearing).where(db.hearing.c.id == hearing.id).values(**self._columns(hearing))
        )

    async def published(self, *, limit: int, offset: int) -> tuple[int, list[Hearing]]:
        t = db.hearing
        where = t.c.published_at.is_not(None)
        total = await self._session.scalar(select(func.count()).select_from(t).where(where))
        rows = await self._session.scalars(
            select(t.c.aggregate).where(where).order_by(t.c.published_at.desc(), t.c.id).limit(limit).offset(offset)
        )
        return int(total or 0), [_HEARING.validate_python(row) for row in rows]

    @staticmethod
    def _columns(hearing: Hearing) -> dict[str, Any]:
        return {
            "grievance_id": hearing.grievance_id,
            "body": hearing.body.value,
            "state": hearing.state.value,
            "opened_by": hearing.opened_by,
            "scheduled_at": hearing.scheduled_at,
            "opened_at": hearing.opened_at,
            "completed_at": hearing.record.completed_at if hearing.record else None,
            "paused_working_days": hearing.paused_working_days,
            "published_at": hearing.notice.published_at if hearing.notice else None,
            "public_notice": hearing.notice.text if hearing.notice else None,
            "aggregate": _HEARING.dump_python(hearing, mode="json"),
        }
