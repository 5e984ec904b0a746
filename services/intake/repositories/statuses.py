"""Intake's read model of ``grievance.status.v1``: the latest status of every grievance."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db

_S = db.grievance_status


@dataclass(frozen=True, slots=True)
class KnownStatus:
    closed: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """The latest status of one grievance as the read model keeps it."""

    grievance_id: str
    status: str
    closed: bool
    actor: str
    message_zh: str
    due_at: datetime | None
    updated_at: datetime


class StatusRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def for_update(self, grievance_id: str) -> KnownStatus | None:
        """The grievance's current entry, locked until the transaction ends."""
        query = select(_S.c.closed, _S.c.updated_at).where(_S.c.grievance_id == grievance_id).with_for_update()
        row = (await self._session.execute(query)).first()
        return None if row is None else KnownStatus(closed=row.closed, updated_at=row.updated_at)

    async def save(self, entry: StatusEntry) -> None:
        """Insert or replace the grievance's entry."""
        values = asdict(entry)
        changes = {name: value for name, value in values.items() if name != "grievance_id"}
        statement = pg_insert(_S).values(**values)
        await self._session.execute(statement.on_conflict_do_update(index_elements=[_S.c.grievance_id], set_=changes))
