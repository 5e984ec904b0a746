"""The Case aggregate: JSONB for the whole, columns and deadline rows for the queries that pick
cases (a department's inbox, the scheduler's candidates, the evaluation pool)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Text,
    and_,
    any_,
    bindparam,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db
from services.casework.domain.calendar import WorkingCalendar
from services.casework.domain.case import Case
from services.casework.domain.states import CaseState
from services.casework.repositories.case_rows import (
    case_columns,
    deadline_rows,
    insert_case,
    insert_deadline,
    load_case,
)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """A reader's view of the cases: ``department`` is whose cases (None: every department's)."""

    state: str | None = None
    role: str | None = None  # lead | co
    track: str | None = None
    petition_kind: str | None = None
    department: str | None = None
    overdue: bool | None = None
    due_before: datetime | None = None
    urgent: bool | None = None
    limit: int = 50
    offset: int = 0


class CaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A consumer batch's cases, read and locked at once (``lock_many``) and kept current by
        # ``add`` and ``save``: their stored aggregate, or None for a case not opened yet.
        self._locked: dict[str, dict[str, Any] | None] | None = None
        # A consumer batch's new cases (their columns) and their deadline rows, written at ``flush``
        # in one statement each instead of two per case; None: written at once.
        self._deferred: dict[str, dict[str, Any]] | None = None
        self._deferred_deadlines: dict[str, list[dict[str, Any]]] = {}

    def defer_inserts(self) -> None:
        """Keep the cases ``add`` opens in memory until ``flush`` (``get``, ``for_update`` and
        ``save`` see them there; this repository's other reads flush first). For a consumer batch,
        whose use cases reach cases through this repository only."""
        self._deferred = {}

    async def flush(self) -> None:
        if not self._deferred:
            return
        cases, self._deferred = list(self._deferred.values()), {}
        deadlines = [row for rows in self._deferred_deadlines.values() for row in rows]
        self._deferred_deadlines = {}
        await self._session.execute(insert_case(), cases)
        if deadlines:
            await self._session.execute(insert_deadline(), deadlines)

    async def lock_many(self, grievance_ids: Iterable[str]) -> None:
        """Read and lock a batch's cases in one statement; ``for_update`` and ``get`` then answer
        for them from memory for the rest of the transaction. Locked in id order, as one by one
        would lock them in any order: two batches never wait for each other in a cycle."""
        wanted = sorted(set(grievance_ids))
        t = db.grievance_case
        rows = await self._session.execute(
            select(t.c.grievance_id, t.c.aggregate)
            .where(t.c.grievance_id == any_(bindparam("ids", type_=ARRAY(Text))))
            .order_by(t.c.grievance_id)
            .with_for_update(),
            {"ids": wanted},
        )
        self._locked = dict.fromkeys(wanted) | {gid: aggregate for gid, aggregate in rows}

    async def get(self, grievance_id: str) -> Case | None:
        return await self._one(grievance_id)

    async def for_update(self, grievance_id: str, *, skip_locked: bool = False) -> Case | None:
        """The case with its row locked until the transaction ends (None if absent, or, with
        ``skip_locked``, if another transaction holds it)."""
        return await self._one(grievance_id, lock=True, skip_locked=skip_locked)

    async def _one(self, grievance_id: str, *, lock: bool = False, skip_locked: bool = False) -> Case | None:
        if self._deferred and grievance_id in self._deferred:
            return load_case(self._deferred[grievance_id]["aggregate"])
        if self._locked is not None and grievance_id in self._locked:
            known = self._locked[grievance_id]
            # A fresh aggregate each time, as from the database: callers mutate what they get.
            return load_case(known) if known is not None else None
        statement = select(db.grievance_case.c.aggregate).where(db.grievance_case.c.grievance_id == grievance_id)
        if lock:
            statement = statement.with_for_update(skip_locked=skip_locked)
        data = await self._session.scalar(statement)
        return load_case(data) if data is not None else None

    async def add(self, case: Case, *, now: datetime, calendar: WorkingCalendar) -> None:
        """``calendar`` dates the citizen's remedy window, kept as a column for the scheduler."""
        columns = case_columns(case, calendar) | {"created_at": now}
        if self._deferred is not None:
            self._deferred[case.grievance_id] = columns
            self._deferred_deadlines[case.grievance_id] = deadline_rows(case)
        else:
            await self._session.execute(insert(db.grievance_case).values(**columns))
            await self._write_deadlines(case, new=True)
        self._remember(case.grievance_id, columns["aggregate"])

    async def save(self, case: Case, *, calendar: WorkingCalendar) -> None:
        columns = case_columns(case, calendar)
        if self._deferred and case.grievance_id in self._deferred:
            # Opened in this batch and not written yet: the row to write is the case as it is now.
            self._deferred[case.grievance_id] |= columns
            self._deferred_deadlines[case.grievance_id] = deadline_rows(case)
        else:
            table = db.grievance_case
            await self._session.execute(
                update(table).where(table.c.grievance_id == case.grievance_id).values(**columns, updated_at=func.now())
            )
            await self._write_deadlines(case)
        self._remember(case.grievance_id, columns["aggregate"])

    def _remember(self, grievance_id: str, aggregate: dict[str, Any]) -> None:
        if self._locked is not None and grievance_id in self._locked:
            self._locked[grievance_id] = aggregate

    async def search(self, filters: CaseFilter, *, today: date) -> tuple[int, list[Case]]:
        """How many cases match, and one page of them: urgent first, then the nearest due date."""
        await self.flush()
        t, d = db.grievance_case, db.deadline
        conditions: list[ColumnElement[bool]] = []
        if filters.department is not None:
            as_lead = t.c.lead_department == filters.department
            as_co = t.c.co_departments.contains([filters.department])
            conditions.append(
                as_lead if filters.role == "lead" else as_co if filters.role == "co" else or_(as_lead, as_co)
            )
        for column, value in (
            (t.c.state, filters.state),
            (t.c.track, filters.track),
            (t.c.petition_kind, filters.petition_kind),
            (t.c.urgent, filters.urgent),
        ):
            if value is not None:
                conditions.append(column == value)
        if filters.due_before is not None:
            conditions.append(t.c.next_due_at <= filters.due_before)
        if filters.overdue is not None:
            late = exists().where(
                d.c.grievance_id == t.c.grievance_id,
                d.c.done_at.is_(None),
                d.c.cancelled.is_(False),
                d.c.paused_at.is_(None),
                d.c.due_on < today,
            )
            conditions.append(late if filters.overdue else ~late)
        where = and_(true(), *conditions)
        total = await self._session.scalar(select(func.count()).select_from(t).where(where))
        rows = await self._session.scalars(
            select(t.c.aggregate)
            .where(where)
            .order_by(t.c.urgent.desc(), t.c.next_due_at.asc().nulls_last(), t.c.grievance_id)
            .limit(filters.limit)
            .offset(filters.offset)
        )
        return int(total or 0), [load_case(data) for data in rows]

    async def existing_ids(self, grievance_ids: Iterable[str]) -> set[str]:
        await self.flush()
        wanted = list(grievance_ids)
        if not wanted:
            return set()
        column = db.grievance_case.c.grievance_id
        return set(await self._session.scalars(select(column).where(column.in_(wanted))))

    async def closed(self, *, lead: str | None, limit: int) -> list[Case]:
        """Closed cases (of one lead department if given), at most ``limit`` of them."""
        await self.flush()
        t = db.grievance_case
        conditions: list[ColumnElement[bool]] = [t.c.state == CaseState.closed.value]
        if lead is not None:
            conditions.append(t.c.lead_department == lead)
        aggregates = await self._session.scalars(select(t.c.aggregate).where(and_(*conditions)).limit(limit))
        return [load_case(data) for data in aggregates]

    async def needing_supervision(self, *, today: date, horizon: date, limit: int) -> list[str]:
        """Cases with a clock to warn about (due by ``horizon``) or to supervise (past due), or a
        reply whose remedy window has passed unchallenged."""
        await self.flush()
        d, t = db.deadline, db.grievance_case
        # A clock paused by a hearing (听证) is neither near due nor overdue until it runs again.
        running = and_(d.c.done_at.is_(None), d.c.cancelled.is_(False), d.c.paused_at.is_(None))
        needs_notice = or_(
            and_(d.c.due_on <= horizon, d.c.warned.is_(False)), and_(d.c.due_on < today, d.c.supervised.is_(False))
        )
        clocks = select(d.c.grievance_id).where(running, needs_notice)
        expired = select(t.c.grievance_id).where(
            t.c.state.in_([CaseState.replied.value, CaseState.review_decided.value]), t.c.remedy_window_ends_on < today
        )
        return list(await self._session.scalars(clocks.union(expired).limit(limit)))

    async def _write_deadlines(self, case: Case, *, new: bool = False) -> None:
        table = db.deadline
        if not new:  # a new case has no rows to replace
            await self._session.execute(delete(table).where(table.c.grievance_id == case.grievance_id))
        if case.deadlines:
            await self._session.execute(insert_deadline(), deadline_rows(case))
