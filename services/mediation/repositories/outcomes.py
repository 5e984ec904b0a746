"""What a case leaves behind when it ends: the re-route to the router (once per case) and the
citizen's ratings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db


@dataclass(frozen=True, slots=True)
class RerouteClaim:
    mediation_id: str
    grievance_id: str
    reason: str
    to_track: str
    event_id: str  # the RerouteRequested event's id, as the router will see it
    requested_at: datetime


@dataclass(frozen=True, slots=True)
class RatingRecord:
    mediation_id: str
    rating: str
    comment: str
    reopen_requested: bool
    effect: str  # recorded | follow_up_brought_forward | reopened
    submitted_at: datetime


class RerouteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, claim: RerouteClaim) -> bool:
        """True for the first re-route of a case; the primary key refuses any second one."""
        result = await self._session.execute(
            pg_insert(db.reroute).values(**asdict(claim)).on_conflict_do_nothing().returning(db.reroute.c.mediation_id)
        )
        return result.first() is not None


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, rating: RatingRecord) -> None:
        await self._session.execute(insert(db.rating).values(**asdict(rating)))
