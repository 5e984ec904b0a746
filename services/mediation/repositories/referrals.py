"""Referrals for hardship to 社会救助 or 司法救助 (《信访工作条例》第三十七条) and their outcomes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from shared.assistance import AssistanceKind, Outcome, Scheme
from shared.clock import CHINA_TZ

R = db.assistance_referral


@dataclass(frozen=True, slots=True)
class Referral:
    id: str
    mediation_id: str
    office: str  # the mediation office that referred
    kind: AssistanceKind
    scheme: Scheme
    referred_to: str  # department code from the catalogue
    hardship: str
    outcome: Outcome
    recorded_by: str
    referred_at: datetime
    outcome_note: str | None = None
    outcome_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class ReferralCount:
    kind: AssistanceKind
    scheme: Scheme
    outcome: Outcome
    count: int


def _referral(row: Any) -> Referral:
    return Referral(
        id=row.id,
        mediation_id=row.mediation_id,
        office=row.office,
        kind=AssistanceKind(row.kind),
        scheme=Scheme(row.scheme),
        referred_to=row.referred_to,
        hardship=row.hardship,
        outcome=Outcome(row.outcome),
        recorded_by=row.recorded_by,
        referred_at=row.referred_at,
        outcome_note=row.outcome_note,
        outcome_at=row.outcome_at,
    )


class ReferralRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, referral: Referral) -> None:
        await self._session.execute(
            insert(R).values(
                id=referral.id,
                mediation_id=referral.mediation_id,
                office=referral.office,
                kind=referral.kind.value,
                scheme=referral.scheme.value,
                referred_to=referral.referred_to,
                hardship=referral.hardship,
                outcome=referral.outcome.value,
                outcome_note=referral.outcome_note,
                recorded_by=referral.recorded_by,
                referred_at=referral.referred_at,
                outcome_at=referral.outcome_at,
            )
        )

    async def get(self, referral_id: str) -> Referral | None:
        row = (await self._session.execute(select(R).where(R.c.id == referral_id))).first()
        return _referral(row) if row else None

    async def for_update(self, referral_id: str, case_id: str) -> Referral | None:
        """The case's referral, locked for recording its outcome; None if it is not this case's."""
        statement = select(R).where(R.c.id == referral_id, R.c.mediation_id == case_id).with_for_update()
        row = (await self._session.execute(statement)).first()
        return _referral(row) if row else None

    async def record_outcome(self, referral_id: str, outcome: Outcome, note: str | None, at: datetime) -> None:
        await self._session.execute(
            update(R).where(R.c.id == referral_id).values(outcome=outcome.value, outcome_note=note, outcome_at=at)
        )

    async def of_case(self, case_id: str) -> list[Referral]:
        statement = select(R).where(R.c.mediation_id == case_id).order_by(R.c.referred_at, R.c.id)
        return [_referral(row) for row in await self._session.execute(statement)]

    async def counts(self, *, office: str | None, since: date | None, until: date | None) -> list[ReferralCount]:
        """Referrals made in [since, until] (Shanghai dates) by kind, scheme and outcome; one office or all."""
        statement = select(R.c.kind, R.c.scheme, R.c.outcome, func.count()).group_by(R.c.kind, R.c.scheme, R.c.outcome)
        if office is not None:
            statement = statement.where(R.c.office == office)
        if since is not None:
            statement = statement.where(R.c.referred_at >= datetime.combine(since, time.min, tzinfo=CHINA_TZ))
        if until is not None:
            statement = statement.where(R.c.referred_at <= datetime.combine(until, time.max, tzinfo=CHINA_TZ))
        rows = await self._session.execute(statement.order_by(R.c.kind, R.c.scheme, R.c.outcome))
        return [
            ReferralCount(AssistanceKind(kind), Scheme(scheme), Outcome(outcome), count)
            for kind, scheme, outcome, count in rows
        ]
