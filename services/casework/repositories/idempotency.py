"""Remembered answers to Idempotency-Keys (shared.idempotency), in casework's schema."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db
from shared.idempotency import Attempt, recall, remember


class IdempotencyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def recall(self, attempt: Attempt) -> dict[str, Any] | None:
        """The first answer to this key, to replay (409 while another transaction holds the key,
        422 if it was used for another request); None when the caller should act."""
        return await recall(self._session, db.idempotency_key, attempt)

    async def remember(self, attempt: Attempt, *, scope: str, response: dict[str, Any]) -> None:
        """Store the answer in the action's transaction; ``scope`` is the record acted on."""
        await remember(self._session, db.idempotency_key, attempt, grievance_id=scope, response=response)
