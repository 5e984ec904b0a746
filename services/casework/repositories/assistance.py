"""Assistance referrals (§37): hardship recorded on a case, the referral and its outcome."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, insert, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db

A = db.assistance_referral


@dataclass(slots=True)
class Referral:
    id: str
    grievance_id: str
    department: str
    kind: str
    scheme: str
    referred_to: str
    hardship: str
    outcome: str
    recorded_by: str
    referred_at: datetime
    outcome_note: str | None = None
    outcome_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReferralCount:
    kind: str
    scheme: str
    outcome: str
    count: int


def _of(row: Row[Any]) -> Referral:
    return Referral(**{name: getattr(row, name) for name in Referral.__dataclass_fields__})


class AssistanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, referral: Referral) -> None:
        await self._session.execute(insert(A).values(**asdict(referral)))

    async def get(self, grievance_id: str, referral_id: str) -> Referral | None:
        return await self._one(grievance_id, referral_id)

    async def for_update(self, grievance_id: str, referral_id: str) -> Referral | None:
        return await self._one(grievance_id, referral_id, lock=True)

    async def _one(self, grievance_id: str, referral_id: str, *, lock: bool = False) -> Referral | None:
        statement = select(A).where(A.c.id == referral_id, A.c.grievance_id == grievance_id)
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        return _of(row) if row is not None else None

    async def record_outcome(self, referral: Referral) -> None:
        await self._session.execute(
            update(A)
            .where(A.c.id == referral.id)
            .values(outcome=referral.outcome, outcome_note=referral.outcome_note, outcome_at=referral.outcome_at)
        )

    async def of_case(self, grievance_id: str) -> list[Referral]:
        rows = await self._session.execute(
            select(A).where(A.c.grievance_id == grievance_id).order_by(A.c.referred_at, A.c.id)
        )
        return [_of(row) for row in rows]

    async def counts(self, since: date | None, until: date | None) -> list[ReferralCount]:
        """Referrals made on local days ``since`` to ``until`` by kind, scheme and outcome."""
        referred_on = func.date(func.timezone("Asia/Shanghai", A.c.referred_at))
        conditions: list[ColumnElement[bool]] = []
        if since is not None:
            conditions.append(referred_on >= since)
        if until is not None:
            conditions.append(referred_on <= until)
        rows = await self._session.execute(
            select(A.c.kind, A.c.scheme, A.c.outcome, func.count())
            .where(and_(true(), *conditions))
            .group_by(A.c.kind, A.c.scheme, A.c.outcome)
            .order_by(A.c.kind, A.c.scheme, A.c.outcome)
        )
        return [ReferralCount(kind, scheme, outcome, int(n)) for kind, scheme, outcome, n in rows]
