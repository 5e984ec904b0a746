"""The decision history: every revision of every grievance's routing decision."""

from __future__ import annotations

from sqlalchemy import insert

from services.router import db
from services.router.repositories.base import Repository
from shared.events.contracts import RoutingDecision


class DecisionRepository(Repository):
    async def add(self, grievance_id: str, revision: int, decision: RoutingDecision) -> None:
        await self._session.execute(
            insert(db.routing_decision).values(
                grievance_id=grievance_id,
                revision=revision,
                decided_by=decision.decided_by,
                decision=decision.model_dump(mode="json"),
                category=decision.category,
                model_version=decision.model_version,
            )
        )
