"""The decision history: every revision of every grievance's routing decision."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import insert

from services.router import db
from services.router.repositories.base import DeferringRepository
from services.router.repositories.batch_writes import as_stored
from shared.events.contracts import RoutingDecision


class DecisionRepository(DeferringRepository):
    """The decisions' history; in a consumer batch new revisions are held back (nothing in it
    reads the history)."""

    async def flush(self) -> None:
        rows = [as_stored(row) for row in self.take_deferred()]
        if rows:
            await self._session.execute(_insert(), rows)

    async def add(self, grievance_id: str, revision: int, decision: RoutingDecision) -> None:
        row = {
            "grievance_id": grievance_id,
            "revision": revision,
            "decided_by": decision.decided_by,
            "decision": decision,  # made JSON as the row is written (as_stored)
            "category": decision.category,
            "model_version": decision.model_version,
        }
        if not self._hold(row):
            await self._session.execute(_insert(), as_stored(row))


@cache
def _insert() -> Any:
    return insert(db.routing_decision)
