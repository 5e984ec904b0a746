"""Recommendations (§40) to agencies and their written answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db
from services.casework.domain.recommendation import RecommendationState

R = db.recommendation


@dataclass(slots=True)
class Recommendation:
    id: str
    kind: str
    department: str
    title: str
    reasons: str
    grievance_ids: list[str]
    due_on: date
    state: str
    issued_by: str
    issued_at: datetime
    adoption: str | None = None
    answer: str | None = None
    answered_by: str | None = None
    answered_at: datetime | None = None
    answered_on: date | None = None
    supervised_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecommendationQuery:
    """``department``: one agency's (None: all); ``overdue``: unanswered past the due day or not."""

    department: str | None = None
    state: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    limit: int = 50
    offset: int = 0


def _of(row: Row[Any]) -> Recommendation:
    return Recommendation(**{name: getattr(row, name) for name in Recommendation.__dataclass_fields__})


class RecommendationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, recommendation: Recommendation) -> None:
        await self._session.execute(insert(R).values(**asdict(recommendation)))

    async def get(self, recommendation_id: str, *, for_update: bool = False) -> Recommendation | None:
        statement = select(R).where(R.c.id == recommendation_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return _of(row) if row is not None else None

    async def save(self, recommendation: Recommendation) -> None:
        values = asdict(recommendation)
        await self._session.execute(update(R).where(R.c.id == values.pop("id")).values(**values))

    async def search(self, query: RecommendationQuery, *, today: date) -> tuple[int, list[Recommendation]]:
        """How many match, and one page of them, newest first."""
        conditions: list[ColumnElement[bool]] = []
        if query.department is not None:
            conditions.append(R.c.department == query.department)
        if query.state is not None:
            conditions.append(R.c.state == query.state)
        if query.kind is not None:
            conditions.append(R.c.kind == query.kind)
        overdue = and_(R.c.state == RecommendationState.issued.value, R.c.due_on < today)
        if query.overdue is True:
            conditions.append(overdue)
        elif query.overdue is False:
            conditions.append(~overdue)
        where = and_(true(), *conditions)
        total = await self._session.scalar(select(func.count()).select_from(R).where(where))
        rows = await self._session.execute(
            select(R).where(where).order_by(R.c.issued_at.desc(), R.c.id).limit(query.limit).offset(query.offset)
        )
        return int(total or 0), [_of(row) for row in rows]

    async def due_for_supervision(self, *, today: date, limit: int) -> list[Recommendation]:
        """Unanswered, past due and never supervised, locked ``FOR UPDATE SKIP LOCKED`` so that
        several schedulers supervise each one once."""
        rows = await self._session.execute(
            select(R)
            .where(R.c.state == RecommendationState.issued.value, R.c.due_on < today, R.c.supervised_at.is_(None))
            .order_by(R.c.due_on, R.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_of(row) for row in rows]

    async def issued_between(self, since: date | None, until: date | None) -> list[Recommendation]:
        """Issued on local days ``since`` to ``until`` (both included; open ends when None)."""
        issued_on = func.date(func.timezone("Asia/Shanghai", R.c.issued_at))
        conditions: list[ColumnElement[bool]] = []
        if since is not None:
            conditions.append(issued_on >= since)
        if until is not None:
            conditions.append(issued_on <= until)
        rows = await self._session.execute(select(R).where(and_(true(), *conditions)))
        return [_of(row) for row in rows]
