"""The repository that finds, locks, adds and changes mediation cases.

A consumer batch of hand-offs (``lock_many`` then ``defer_inserts``) reads and locks every case
of its grievances in one statement, answers the hand-offs' reads from memory and writes the cases
it opens in one statement at ``flush`` (commit flushes) instead of four round trips per case.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

from services.mediation import db
from services.mediation.domain.states import OPEN_STATES
from services.mediation.domain.statistics import CaseFacts
from services.mediation.domain.vocabulary import Outcome, State
from services.mediation.repositories.case_record import CaseRecord, as_stored, column_value
from services.mediation.repositories.teams import current_cases_of

__all__ = ["CaseRecord", "CaseRepository"]

CASE = db.mediation


@cache
def _insert_cases() -> Insert:
    # One statement object: compiled once, the rows as parameters (a conflict fails the batch,
    # which is then replayed one hand-off per transaction, where ``add`` answers False).
    return insert(CASE)


@cache
def _cases_of_grievances() -> Any:
    return (
        select(CASE)
        .where(CASE.c.grievance_id == any_(bindparam("ids", type_=ARRAY(CASE.c.grievance_id.type))))
        .order_by(CASE.c.grievance_id, CASE.c.revision)
        .with_for_update()
    )


def _case(row: Any) -> CaseRecord:
    return CaseRecord.from_mapping(row._mapping)


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A consumer batch's grievances (``lock_many``): every case of each, read and locked at
        # once; the cases the batch opens join them. None outside a batch.
        self._held: dict[str, list[CaseRecord]] | None = None
        # The cases the batch opened and has not written yet, by id (``defer_inserts``).
        self._deferred: dict[str, CaseRecord] | None = None

    async def lock_many(self, grievance_ids: Iterable[str]) -> None:
        """Read and lock every case of a batch's grievances in one statement: ``for_revision`` and
        ``latest_for_grievance`` then answer for them from memory for the rest of the transaction.
        Locked in grievance order, so two batches never wait for each other in a cycle."""
        wanted = sorted(set(grievance_ids))
        rows = await self._session.execute(_cases_of_grievances(), {"ids": wanted})
        self._held = {grievance_id: [] for grievance_id in wanted}
        for row in rows:
            self._held[row.grievance_id].append(_case(row))

    def defer_inserts(self) -> None:
        """Keep the cases ``add`` opens for grievances held by ``lock_many`` in memory until
        ``flush``; ``get`` and ``change`` see them there, the other reads flush first."""
        self._deferred = {}

    async def flush(self) -> None:
        if self._deferred:
            cases, self._deferred = list(self._deferred.values()), {}
            await self._session.execute(_insert_cases(), [case.columns() for case in cases])

    def _held_cases(self, grievance_id: str) -> list[CaseRecord] | None:
        return None if self._held is None else self._held.get(grievance_id)

    def _remember(self, case: CaseRecord) -> None:
        """Keep the memory of a held grievance current with a case added or changed."""
        held = self._held_cases(case.grievance_id)
        if held is not None:
            held[:] = [known for known in held if known.id != case.id] + [case]
        if self._deferred is not None and case.id in self._deferred:
            self._deferred[case.id] = case

    async def get(self, case_id: str, *, lock: bool = False) -> CaseRecord | None:
        if self._deferred and case_id in self._deferred:
            return self._deferred[case_id]
        statement = select(CASE).where(CASE.c.id == case_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return _case(row) if row else None

    async def for_revision(self, grievance_id: str, revision: int) -> CaseRecord | None:
        held = self._held_cases(grievance_id)
        if held is not None:
            return next((case for case in held if case.revision == revision), None)
        statement = select(CASE).where(CASE.c.grievance_id == grievance_id, CASE.c.revision == revision)
        row = (await self._session.execute(statement)).first()
        return _case(row) if row else None

    async def latest_for_grievance(self, grievance_id: str, *, lock: bool = False) -> CaseRecord | None:
        held = self._held_cases(grievance_id)
        if held is not None:  # locked already
            return max(held, key=lambda case: case.revision, default=None)
        statement = select(CASE).where(CASE.c.grievance_id == grievance_id).order_by(CASE.c.revision.desc()).limit(1)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return _case(row) if row else None

    async def add(self, case: CaseRecord) -> bool:
        """Insert a case; False when this grievance's routing revision already has one."""
        held = self._held_cases(case.grievance_id)
        if held is not None and self._deferred is not None:
            if any(known.revision == case.revision for known in held):
                return False
            self._deferred[case.id] = as_stored(case)
            self._remember(self._deferred[case.id])
            return True
        result = await self._session.execute(
            pg_insert(CASE)
            .values(**case.columns())
            .on_conflict_do_nothing(index_elements=[CASE.c.grievance_id, CASE.c.revision])
            .returning(CASE.c.id)
        )
        added = result.first() is not None
        if added:
            self._remember(as_stored(case))
        return added

    async def change(self, case_id: str, now: datetime, **values: Any) -> None:
        """Set columns of a case (enumerations may be given as members) and its ``updated_at``."""
        changes = {name: column_value(value) for name, value in values.items()} | {"updated_at": now}
        pending = self._deferred.get(case_id) if self._deferred else None
        if pending is None:
            await self._session.execute(update(CASE).where(CASE.c.id == case_id).values(**changes))
        known = pending or self._held_case(case_id)
        if known is not None:
            self._remember(as_stored(known.changed(changes)))

    def _held_case(self, case_id: str) -> CaseRecord | None:
        held = self._held or {}
        return next((case for cases in held.values() for case in cases if case.id == case_id), None)

    async def due_for_supervision(self, now: datetime, limit: int) -> list[CaseRecord]:
        """Open cases past their limit, locked; rows another scheduler holds are skipped, not awaited."""
        await self.flush()
        rows = await self._session.execute(
            select(CASE)
            .where(CASE.c.state.in_(sorted(s.value for s in OPEN_STATES)), CASE.c.due_at < now)
            .order_by(CASE.c.due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_case(row) for row in rows]

    async def due_for_follow_up(self, now: datetime, limit: int) -> list[CaseRecord]:
        """Agreed cases whose follow-up call is due and not yet asked for, locked like the above."""
        await self.flush()
        rows = await self._session.execute(
            select(CASE)
            .where(
                CASE.c.state == State.agreed.value,
                CASE.c.follow_up_due_at <= now,
                CASE.c.follow_up_notified_at.is_(None),
            )
            .order_by(CASE.c.follow_up_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_case(row) for row in rows]

    async def list_by_due(
        self,
        *,
        assigned_to: str | None,
        state: State | None,
        overdue: bool | None,
        now: datetime,
        limit: int,
        offset: int,
    ) -> list[CaseRecord]:
        """Cases by due date: every case, or those ``assigned_to`` a mediator now; ``overdue`` filters
        open cases past their limit (True) or every other case (False)."""
        await self.flush()
        statement = select(CASE).order_by(CASE.c.due_at, CASE.c.id).limit(limit).offset(offset)
        if assigned_to is not None:
            statement = statement.where(CASE.c.id.in_(current_cases_of(assigned_to)))
        if state is not None:
            statement = statement.where(CASE.c.state == state.value)
        if overdue is not None:
            late = CASE.c.state.in_([s.value for s in OPEN_STATES]) & (CASE.c.due_at < now)
            statement = statement.where(late if overdue else ~late)
        return [_case(row) for row in await self._session.execute(statement)]

    async def facts_opened(
        self, *, office: str | None, since: datetime | None, until: datetime | None
    ) -> list[CaseFacts]:
        """What the statistics count of the cases opened in [since, until), one office's or all."""
        await self.flush()
        statement = select(
            CASE.c.mediation_type,
            CASE.c.street,
            CASE.c.dispute_kind,
            CASE.c.outcome,
            CASE.c.opened_at,
            CASE.c.concluded_at,
        )
        if office is not None:
            statement = statement.where(CASE.c.office == office)
        if since is not None:
            statement = statement.where(CASE.c.opened_at >= since)
        if until is not None:
            statement = statement.where(CASE.c.opened_at < until)
        return [
            CaseFacts(
                row.mediation_type,
                row.street or "未知",
                row.dispute_kind,
                Outcome(row.outcome) if row.outcome else None,
                row.opened_at,
                row.concluded_at,
            )
            for row in await self._session.execute(statement)
        ]

    async def token_hash(self, case_id: str) -> str | None:
        """The hash of the citizen's tracking token, which opens the case's documents to them."""
        await self.flush()
        found = await self._session.scalar(select(CASE.c.tracking_token_hash).where(CASE.c.id == case_id))
        return str(found) if found else None
