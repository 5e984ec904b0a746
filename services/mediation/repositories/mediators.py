"""The roster in the database: the data file's mediators, kept in step with it at every start."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.roster import Mediator
from services.mediation.domain.vocabulary import DisputeKind, MediatorKind

M = db.mediator
# Serialises roster syncs from processes starting together (any constant would do; this is "MEDR").
ROSTER_LOCK_KEY = 0x4D454452


def mediator_from_row(row: Any) -> Mediator:
    return Mediator(
        id=row.id,
        name=row.name,
        street=row.street,
        office=row.office,
        kind=MediatorKind(row.kind),
        skills=frozenset(DisputeKind(s) for s in row.skills),
        capacity=row.capacity,
        subject=row.subject,
        conflict_respondents=tuple(row.conflict_respondents),
        active=row.active,
    )


class MediatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._roster: list[Mediator] | None = None
        self._keep_roster = False

    def keep_roster(self) -> None:
        """Read the roster once for the rest of the transaction (a consumer batch of hand-offs,
        each of which would read it again; nothing in such a batch changes it)."""
        self._keep_roster = True

    async def sync(self, roster: Sequence[Mediator], now: datetime) -> None:
        self._roster = None
        """Make the table match the data file: upsert every entry, deactivate the ones that left."""
        await self._session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ROSTER_LOCK_KEY})
        # A subject can move between roster entries; free it first so the unique index holds.
        await self._session.execute(
            update(M).where(M.c.subject.in_([m.subject for m in roster if m.subject])).values(subject=None)
        )
        for mediator in roster:
            values = {
                "name": mediator.name,
                "street": mediator.street,
                "office": mediator.office,
                "kind": mediator.kind.value,
                "skills": sorted(s.value for s in mediator.skills),
                "capacity": mediator.capacity,
                "subject": mediator.subject,
                "conflict_respondents": list(mediator.conflict_respondents),
                "active": True,
                "synced_at": now,
            }
            upsert = pg_insert(M).values(id=mediator.id, **values)
            await self._session.execute(upsert.on_conflict_do_update(index_elements=[M.c.id], set_=values))
        await self._session.execute(
            update(M).where(M.c.id.not_in([m.id for m in roster])).values(active=False, subject=None, synced_at=now)
        )

    async def active(self) -> list[Mediator]:
        """Everyone on the roster now, by id (entries that left the file are kept but never listed)."""
        if self._roster is not None:
            return list(self._roster)
        statement = select(M).where(M.c.active.is_(True)).order_by(M.c.id)
        roster = [mediator_from_row(row) for row in await self._session.execute(statement)]
        if self._keep_roster:
            self._roster = roster
        return list(roster)

    async def by_ids(self, ids: Sequence[str]) -> list[Mediator]:
        """The named entries, in the order named; unknown ids are left out."""
        rows = await self._session.execute(select(M).where(M.c.id.in_(list(ids))))
        found = {row.id: mediator_from_row(row) for row in rows}
        return [found[i] for i in ids if i in found]

    async def for_subject(self, subject: str, office: str | None) -> Mediator | None:
        """The roster entry a staff token stands for: same account and same office, still active."""
        statement = select(M).where(M.c.subject == subject, M.c.office == office, M.c.active.is_(True))
        row = (await self._session.execute(statement)).first()
        return mediator_from_row(row) if row else None
