"""Key-case evaluations (评查): the drawn sample and one sheet per sampled case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db

E, S = db.evaluation, db.evaluation_item


@dataclass(frozen=True, slots=True)
class Evaluation:
    id: str
    rule: str
    seed: int
    size: int
    closed_since: date | None
    closed_until: date | None
    department: str | None
    evaluator: str
    lawyer_id: str | None
    created_by: str
    created_at: datetime


@dataclass(slots=True)
class EvaluationSheet:
    """One sampled case: its scores against the checklist, findings, and when they were sent."""

    evaluation_id: str
    grievance_id: str
    tracking_no: str
    department: str
    scores: dict[str, int] | None = None
    total: int | None = None
    findings: str | None = None
    scored_at: datetime | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ScoredSheet:
    department: str
    scores: dict[str, int]
    total: int


def _sheet(row: Row[Any]) -> EvaluationSheet:
    return EvaluationSheet(**{name: getattr(row, name) for name in EvaluationSheet.__dataclass_fields__})


class EvaluationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, evaluation: Evaluation, sheets: Sequence[EvaluationSheet]) -> None:
        await self._session.execute(insert(E).values(**asdict(evaluation)))
        await self._session.execute(insert(S), [asdict(sheet) for sheet in sheets])

    async def get(self, evaluation_id: str, *, for_update: bool = False) -> Evaluation | None:
        statement = select(E).where(E.c.id == evaluation_id)
        if for_update:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        return Evaluation(**{name: getattr(row, name) for name in Evaluation.__dataclass_fields__})

    async def sheets(self, evaluation_id: str) -> list[EvaluationSheet]:
        rows = await self._session.execute(
            select(S).where(S.c.evaluation_id == evaluation_id).order_by(S.c.department, S.c.grievance_id)
        )
        return [_sheet(row) for row in rows]

    async def sheet_for_update(self, evaluation_id: str, grievance_id: str) -> EvaluationSheet | None:
        row = (
            await self._session.execute(
                select(S).where(S.c.evaluation_id == evaluation_id, S.c.grievance_id == grievance_id).with_for_update()
            )
        ).first()
        return _sheet(row) if row is not None else None

    async def save_sheet(self, sheet: EvaluationSheet) -> None:
        await self._session.execute(
            update(S)
            .where(S.c.evaluation_id == sheet.evaluation_id, S.c.grievance_id == sheet.grievance_id)
            .values(
                scores=sheet.scores,
                total=sheet.total,
                findings=sheet.findings,
                scored_at=sheet.scored_at,
                sent_at=sheet.sent_at,
            )
        )

    async def unsent_scored(self, evaluation_id: str) -> list[EvaluationSheet]:
        rows = await self._session.execute(
            select(S).where(S.c.evaluation_id == evaluation_id, S.c.total.is_not(None), S.c.sent_at.is_(None))
        )
        return [_sheet(row) for row in rows]

    async def sent_findings(self, *, department: str | None, limit: int, offset: int) -> list[EvaluationSheet]:
        """Sheets sent to ``department`` (None: to every department), newest first."""
        conditions: list[ColumnElement[bool]] = [S.c.sent_at.is_not(None)]
        if department is not None:
            conditions.append(S.c.department == department)
        rows = await self._session.execute(
            select(S)
            .where(and_(*conditions))
            .order_by(S.c.sent_at.desc(), S.c.grievance_id)
            .limit(limit)
            .offset(offset)
        )
        return [_sheet(row) for row in rows]

    async def scored_between(self, since: date | None, until: date | None) -> list[ScoredSheet]:
        """Sheets scored on local days ``since`` to ``until`` (both included)."""
        scored_on = func.date(func.timezone("Asia/Shanghai", S.c.scored_at))
        conditions: list[ColumnElement[bool]] = [S.c.total.is_not(None)]
        if since is not None:
            conditions.append(scored_on >= since)
        if until is not None:
            conditions.append(scored_on <= until)
        rows = await self._session.execute(select(S.c.department, S.c.scores, S.c.total).where(and_(*conditions)))
        return [ScoredSheet(department, scores, total) for department, scores, total in rows]
