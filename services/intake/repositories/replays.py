"""Remembered answers of replayable requests: Idempotency-Keys and 民意速办 webhook receipts.

Both hold the 202 answer encrypted (it may carry the citizen's tracking token)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db
from shared.idempotency import hold_key

_KEYS, _RECEIPTS = db.idempotency_key, db.webhook_receipt

_expired = delete(_KEYS).where(_KEYS.c.key == bindparam("key"), _KEYS.c.expires_at < bindparam("now")).cte("expired")
_LIVE_ANSWER = (
    select(_KEYS.c.request_hash, _KEYS.c.response_encrypted)
    .where(_KEYS.c.key == bindparam("key"), _KEYS.c.expires_at >= bindparam("now"))
    .add_cte(_expired)
)


@dataclass(frozen=True, slots=True)
class RememberedAnswer:
    """What a key or webhook-id was first used for (None: a row from before fingerprints), and the
    encrypted answer (None: the first request is still being processed)."""

    request_hash: str | None
    response_encrypted: bytes | None


class IdempotencyKeyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def hold(self, key: str) -> None:
        """Take the key for this transaction; 409 ``request-in-progress`` while another holds it."""
        await hold_key(self._session, namespace=_KEYS.fullname, key=key)

    async def live(self, key: str, now: datetime) -> RememberedAnswer | None:
        """The key's answer unless it expired; an expired row is deleted, in the same round trip
        (the SELECT reads the snapshot from before the DELETE, hence its own expiry condition)."""
        row = (await self._session.execute(_LIVE_ANSWER, {"key": key, "now": now})).first()
        return None if row is None else RememberedAnswer(row.request_hash, row.response_encrypted)

    async def add(
        self, key: str, *, request_hash: str, grievance_id: str, response_encrypted: bytes, expires_at: datetime
    ) -> None:
        await self._session.execute(
            insert(_KEYS).values(
                key=key,
                request_hash=request_hash,
                grievance_id=grievance_id,
                response_encrypted=response_encrypted,
                expires_at=expires_at,
            )
        )


class WebhookReceiptRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, webhook_id: str, *, source: str, body_fingerprint: str) -> bool:
        """Record the first delivery of ``webhook_id``; False when it was received before."""
        claimed = await self._session.execute(
            pg_insert(_RECEIPTS)
            .values(webhook_id=webhook_id, source=source, body_fingerprint=body_fingerprint)
            .on_conflict_do_nothing()
            .returning(_RECEIPTS.c.webhook_id)
        )
        return claimed.first() is not None

    async def get(self, webhook_id: str) -> RememberedAnswer | None:
        query = select(_RECEIPTS.c.body_fingerprint, _RECEIPTS.c.response_encrypted).where(
            _RECEIPTS.c.webhook_id == webhook_id
        )
        row = (await self._session.execute(query)).first()
        return None if row is None else RememberedAnswer(row.body_fingerprint, row.response_encrypted)

    async def record_answer(self, webhook_id: str, *, grievance_id: str, response_encrypted: bytes) -> None:
        await self._session.execute(
            update(_RECEIPTS)
            .where(_RECEIPTS.c.webhook_id == webhook_id)
            .values(grievance_id=grievance_id, response_encrypted=response_encrypted)
        )
