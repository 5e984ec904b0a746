"""What every repository of the router holds: the session of the unit of work's transaction, and
for those whose rows a consumer batch writes at its end, the rows held back until then."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session


class DeferringRepository(Repository):
    """A repository whose new rows a consumer batch holds back (``defer_inserts``) for the one
    statement that writes the batch's rows at its end (batch_writes.py), or for its own ``flush``.
    Rows are kept by key (a grievance's id, or their order), so the batch may still change them."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        self._deferred: dict[Hashable, dict[str, Any]] | None = None

    def defer_inserts(self) -> None:
        self._deferred = {}

    def take_deferred(self) -> list[dict[str, Any]]:
        """The rows held back, for a statement that writes them itself; this repository forgets them."""
        if not self._deferred:
            return []
        rows, self._deferred = list(self._deferred.values()), {}
        return rows

    def _hold(self, row: dict[str, Any], key: Hashable | None = None) -> bool:
        """Keep ``row`` until the batch's end when inserts are deferred; False: write it now."""
        if self._deferred is None:
            return False
        self._deferred[len(self._deferred) if key is None else key] = row
        return True
