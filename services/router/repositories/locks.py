"""Advisory locks of the transaction: routing one complainant's or one street's grievances in turn."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import text

from services.router.repositories.base import Repository


class AdvisoryLocks(Repository):
    async def take(self, keys: Iterable[str]) -> None:
        """Hold ``keys`` until the transaction ends (repeat and cluster matching see each other).

        One round trip for all keys, taken in sorted order so two transactions never deadlock."""
        ordered = sorted(set(keys))
        if not ordered:
            return
        statement = text("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(CAST(:keys AS text[])) AS k")
        await self._session.execute(statement, {"keys": ordered})
