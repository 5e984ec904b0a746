"""Counting for the bureau: the clocks kept and missed, the cases handled, the clocks overdue.
Read-only aggregates over the case and deadline tables; the handlers shape them for the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, case, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db
from shared.events.vocabulary import PetitionKind, Track


@dataclass(frozen=True, slots=True)
class StepCount:
    """One owner's clocks of one step: completed, of those on time, still running, of those late."""

    owner: str
    step: str
    completed: int
    on_time: int
    open: int
    overdue: int


@dataclass(frozen=True, slots=True)
class HandlingCounts:
    """Cases opened in a period: per lead (cases, reports), 交办, 转送 per body, 督办."""

    by_lead: list[tuple[str, int, int]]
    assignments: int
    transfers_by_body: list[tuple[str, int]]
    supervised_cases: int
    supervised_clocks: int


@dataclass(frozen=True, slots=True)
class OverdueClockRow:
    grievance_id: str
    tracking_no: str
    track: str
    urgent: bool
    lead_department: str
    owner: str
    step: str
    due_on: date
    supervised: bool


@dataclass(frozen=True, slots=True)
class OverdueQuery:
    """Which running, overdue clocks: due between ``first_day`` and ``last_day``, one owner, one step."""

    first_day: date | None = None
    last_day: date | None = None
    owner: str | None = None
    step: str | None = None
    limit: int = 100
    offset: int = 0


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1)))


class StatisticsRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def clocks_by_step(
        self, *, since: date | None, until: date | None, owner: str | None, today: date
    ) -> list[StepCount]:
        """Clocks due in [since, until] per owner and step; cancelled clocks (a re-routed
        assignment) count for nobody, and a clock paused by a hearing is not overdue."""
        d = db.deadline
        done, running = d.c.done_at.is_not(None), d.c.done_at.is_(None)
        conditions: list[ColumnElement[bool]] = [d.c.cancelled.is_(False)]
        if since is not None:
            conditions.append(d.c.due_on >= since)
        if until is not None:
            conditions.append(d.c.due_on <= until)
        if owner is not None:
            conditions.append(d.c.owner == owner)
        rows = await self._session.execute(
            select(
                d.c.owner,
                d.c.step,
                _count(done),
                _count(and_(done, d.c.done_on <= d.c.due_on)),
                _count(running),
                _count(and_(running, d.c.paused_at.is_(None), d.c.due_on < today)),
            )
            .where(and_(true(), *conditions))
            .group_by(d.c.owner, d.c.step)
            .order_by(d.c.owner, d.c.step)
        )
        return [StepCount(*row) for row in rows]

    async def handling(self, *, since: datetime | None, until: datetime | None) -> HandlingCounts:
        """Over the cases opened at ``since <= created_at < until`` (open ends when None)."""
        c = db.grievance_case
        window: list[ColumnElement[bool]] = []
        if since is not None:
            window.append(c.c.created_at >= since)
        if until is not None:
            window.append(c.c.created_at < until)
        opened = and_(true(), *window)
        report = c.c.petition_kind == PetitionKind.report.value
        petition = c.c.track == Track.petition.value
        body = c.c.aggregate["legal"]["body"].astext
        # Earlier assignments (returned or superseded) are kept in the aggregate's history.
        earlier = func.coalesce(func.jsonb_array_length(c.c.aggregate["history"]), 0)
        leads = await self._session.execute(
            select(c.c.lead_department, func.count(), _count(report))
            .where(opened)
            .group_by(c.c.lead_department)
            .order_by(func.count().desc(), c.c.lead_department)
        )
        assignments = await self._session.scalar(
            select(func.coalesce(func.sum(case((petition, 1 + earlier), else_=0)), 0)).where(opened)
        )
        bodies = await self._session.execute(
            select(body, func.count())
            .where(opened, body.is_not(None))
            .group_by(body)
            .order_by(func.count().desc(), body)
        )
        d = db.deadline
        supervised = await self._session.execute(
            select(func.count(func.distinct(d.c.grievance_id)), func.count())
            .select_from(d.join(c, d.c.grievance_id == c.c.grievance_id))
            .where(opened, d.c.supervised.is_(True))
        )
        supervised_cases, supervised_clocks = supervised.one()
        return HandlingCounts(
            by_lead=[(code, int(cases), int(reports)) for code, cases, reports in leads],
            assignments=int(assignments or 0),
            transfers_by_body=[(code, int(n)) for code, n in bodies],
            supervised_cases=int(supervised_cases),
            supervised_clocks=int(supervised_clocks),
        )

    async def overdue_clocks(self, query: OverdueQuery, *, today: date) -> tuple[int, list[OverdueClockRow]]:
        """Running clocks (not done, cancelled or paused) past their due day, most overdue first."""
        d, c = db.deadline, db.grievance_case
        conditions: list[ColumnElement[bool]] = [*self._late(today)]
        if query.first_day is not None:
            conditions.append(d.c.due_on >= query.first_day)
        if query.last_day is not None:
            conditions.append(d.c.due_on <= query.last_day)
        if query.owner is not None:
            conditions.append(d.c.owner == query.owner)
        if query.step is not None:
            conditions.append(d.c.step == query.step)
        where = and_(*conditions)
        joined = d.join(c, c.c.grievance_id == d.c.grievance_id)
        total = await self._session.scalar(select(func.count()).select_from(joined).where(where))
        rows = await self._session.execute(
            select(
                c.c.grievance_id,
                c.c.tracking_no,
                c.c.track,
                c.c.urgent,
                c.c.lead_department,
                d.c.owner,
                d.c.step,
                d.c.due_on,
                d.c.supervised,
            )
            .select_from(joined)
            .where(where)
            .order_by(d.c.due_on, c.c.grievance_id, d.c.seq)
            .limit(query.limit)
            .offset(query.offset)
        )
        return int(total or 0), [OverdueClockRow(*row) for row in rows]

    async def overdue_by_owner(self, today: date) -> dict[str, int]:
        """Running clocks past their due day, counted per owning department (the metrics gauge)."""
        d = db.deadline
        rows = await self._session.execute(
            select(d.c.owner, func.count()).where(*self._late(today)).group_by(d.c.owner)
        )
        return {owner: int(count) for owner, count in rows}

    @staticmethod
    def _late(today: date) -> list[ColumnElement[bool]]:
        d = db.deadline
        return [d.c.done_at.is_(None), d.c.cancelled.is_(False), d.c.paused_at.is_(None), d.c.due_on < today]
