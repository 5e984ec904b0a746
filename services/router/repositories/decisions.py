"""The decision history: every revision of every grievance's routing decision."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.router import db
from services.router.repositories.base import Repository
from services.router.repositories.batch_writes import as_stored
from shared.events.contracts import RoutingDecision


class DecisionRepository(Repository):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self._deferred: list[dict[str, Any]] | None = None

    def defer_inserts(self) -> None:
        """Keep new revisions in memory and write them in one statement at ``flush`` (a consumer
        batch; nothing in it reads the history)."""
        self._deferred = []

    def take_deferred(self) -> list[dict[str, Any]]:
        """The deferred rows, for a statement that writes them itself; this repository forgets them."""
        if not self._deferred:
            return []
        rows, self._deferred = self._deferred, []
        return rows

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
        if self._deferred is not None:
            self._deferred.append(row)
            return
        await self._session.execute(_insert(), as_stored(row))


@cache
def _insert() -> Any:
    return insert(db.routing_decision)
