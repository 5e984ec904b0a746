"""Who works a case: the current assignments, the loads they make, and recusals (回避)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.roster import Mediator, Selection
from services.mediation.domain.states import LOAD_STATES
from services.mediation.domain.vocabulary import AssignmentRole
from services.mediation.repositories.mediators import mediator_from_row
from shared.db.planning import plan_each_statement

M, A, C = db.mediator, db.assignment, db.mediation
# One statement object for every assignment insert: compiled once, the rows as parameters.
INSERT_ASSIGNMENTS = insert(A)


@dataclass(frozen=True, slots=True)
class TeamMember:
    mediator: Mediator
    role: AssignmentRole
    assigned_at: datetime


def current_cases_of(mediator_id: str) -> Any:
    """The ids of the cases a mediator is assigned to now, as a subquery for other reads."""
    return select(A.c.mediation_id).where(A.c.mediator_id == mediator_id, A.c.released_at.is_(None))


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._loads: dict[str, int] | None = None
        self._keep_loads = False
        self._planned = False  # plan_each_statement has run in this transaction
        # A consumer batch's new assignments, written at ``flush`` after the cases they belong to
        # (``write_cases``); None: written at once.
        self._deferred: list[dict[str, Any]] | None = None
        self._write_cases: Callable[[], Awaitable[None]] | None = None

    def defer_inserts(self, *, write_cases: Callable[[], Awaitable[None]]) -> None:
        """Keep the assignments ``assign`` makes in memory until ``flush``, which first calls
        ``write_cases`` (the cases of the batch, deferred too); this repository's reads flush first."""
        self._deferred, self._write_cases = [], write_cases

    async def flush(self) -> None:
        if self._deferred:
            rows, self._deferred = self._deferred, []
            if self._write_cases is not None:
                await self._write_cases()
            await self._session.execute(INSERT_ASSIGNMENTS, rows)

    def keep_loads(self) -> None:
        """Count the loads once for the rest of the transaction and add this transaction's
        assignments to them as they are made: a consumer batch of hand-offs, which only opens new
        cases (counted while open) and assigns them, so the count stays what the query would say."""
        self._keep_loads = True

    async def members(self, case_id: str) -> list[TeamMember]:
        """The case's current mediators, the lead first."""
        await self.flush()
        rows = await self._session.execute(
            select(M, A.c.role, A.c.assigned_at)
            .join(A, A.c.mediator_id == M.c.id)
            .where(A.c.mediation_id == case_id, A.c.released_at.is_(None))
            .order_by(A.c.role, A.c.id)
        )
        return [TeamMember(mediator_from_row(row), AssignmentRole(row.role), row.assigned_at) for row in rows]

    async def assign(self, case_id: str, selection: Selection, now: datetime) -> None:
        entries = [(selection.lead, AssignmentRole.lead)] if selection.lead else []
        entries += [(member, AssignmentRole.member) for member in selection.members]
        rows = [
            {"mediation_id": case_id, "mediator_id": mediator.id, "role": role.value, "assigned_at": now}
            for mediator, role in entries
        ]
        if self._deferred is not None:
            self._deferred += rows
        elif rows:
            await self._session.execute(INSERT_ASSIGNMENTS, rows)
        if self._loads is not None:
            for mediator, _ in entries:
                self._loads[mediator.id] = self._loads.get(mediator.id, 0) + 1

    async def release(
        self, case_id: str, now: datetime, reason: str, mediator_ids: Sequence[str] | None = None
    ) -> None:
        """End the current assignments of a case (of the named mediators only, when named)."""
        await self.flush()
        self._loads = None
        condition = and_(A.c.mediation_id == case_id, A.c.released_at.is_(None))
        if mediator_ids is not None:
            condition = and_(condition, A.c.mediator_id.in_(list(mediator_ids)))
        await self._session.execute(update(A).where(condition).values(released_at=now, release_reason=reason))

    async def is_assigned(self, case_id: str, mediator_id: str) -> bool:
        await self.flush()
        found = await self._session.scalar(
            select(A.c.id).where(A.c.mediation_id == case_id, A.c.mediator_id == mediator_id, A.c.released_at.is_(None))
        )
        return found is not None

    async def loads(self) -> dict[str, int]:
        """Open cases per mediator right now (cases waiting only for the follow-up call do not count)."""
        if self._loads is not None:
            return dict(self._loads)
        await self.flush()
        if not self._planned:
            # A join of two tables that grow with every case: a cached plan made while they were
            # small scanned every case once per open assignment (300 ms a batch at 3,000 of them).
            await plan_each_statement(self._session)
            self._planned = True
        rows = await self._session.execute(
            select(A.c.mediator_id, func.count())
            .join(C, C.c.id == A.c.mediation_id)
            .where(A.c.released_at.is_(None), C.c.state.in_([s.value for s in LOAD_STATES]))
            .group_by(A.c.mediator_id)
        )
        loads = {mediator_id: count for mediator_id, count in rows}
        if self._keep_loads:
            self._loads = dict(loads)
        return loads

    async def recused(self, case_id: str) -> frozenset[str]:
        """Who declared a conflict of interest on this case: never picked for it again."""
        rows = await self._session.execute(select(db.recusal.c.mediator_id).where(db.recusal.c.mediation_id == case_id))
        return frozenset(row.mediator_id for row in rows)

    async def add_recusal(self, case_id: str, mediator_id: str, reason: str, now: datetime) -> None:
        await self._session.execute(
            pg_insert(db.recusal)
            .values(mediation_id=case_id, mediator_id=mediator_id, reason=reason, declared_at=now)
            .on_conflict_do_nothing()
        )
