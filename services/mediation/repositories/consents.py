"""The parties' consent or refusal to mediate (人民调解法 §17): one row per party, the latest answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from services.mediation.domain.vocabulary import Party

CONSENT = db.consent


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    party: Party
    consented: bool
    note: str
    recorded_at: datetime
    recorded_by: str


class ConsentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def of_case(self, case_id: str) -> list[ConsentRecord]:
        """The answers given so far, by party."""
        rows = await self._session.execute(
            select(CONSENT).where(CONSENT.c.mediation_id == case_id).order_by(CONSENT.c.party)
        )
        return [
            ConsentRecord(Party(row.party), row.consented, row.note, row.recorded_at, row.recorded_by) for row in rows
        ]

    async def answers(self, case_id: str) -> dict[Party, bool]:
        return {record.party: record.consented for record in await self.of_case(case_id)}

    async def put(self, case_id: str, party: Party, *, consented: bool, note: str, by: str, now: datetime) -> None:
        """Record a party's answer; a later answer (a consent withdrawn) replaces the earlier one."""
        values = {"consented": consented, "note": note, "recorded_at": now, "recorded_by": by}
        await self._session.execute(
            pg_insert(CONSENT)
            .values(mediation_id=case_id, party=party.value, **values)
            .on_conflict_do_update(index_elements=[CONSENT.c.mediation_id, CONSENT.c.party], set_=values)
        )
