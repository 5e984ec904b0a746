"""Queued outbound webhooks: queued with the timeline entry (in a consumer batch, all of the
batch's at flush in one statement), leased in order per grievance, and the outcome of each attempt."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback import db
from services.feedback.domain.webhooks import Delivery
from services.feedback.repositories import batch_sql

_d = db.webhook_delivery
_QUEUED = ("webhook_id", "target", "grievance_id", "seq", "body")
# In queuing order: ids, and therefore the order of sending per grievance, follow it.
_QUEUE_MANY = batch_sql.insert_rows(_d, _QUEUED).on_conflict_do_nothing(index_elements=[_d.c.webhook_id])


class WebhookDeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # A consumer batch's deliveries by webhook id, in queuing order; None: queue at once.
        self._deferred: dict[str, tuple[str, str, int, bytes]] | None = None

    def defer(self) -> None:
        """Keep queued deliveries in memory until ``flush`` (a consumer batch)."""
        if self._deferred is None:
            self._deferred = {}

    async def flush(self) -> None:
        """Queue the deferred deliveries in one statement."""
        if not self._deferred:
            return
        pending, self._deferred = self._deferred, {}
        rows = [(webhook_id, *rest) for webhook_id, rest in pending.items()]
        await self._session.execute(_QUEUE_MANY, batch_sql.arrays(_QUEUED, rows))

    async def queue(self, *, webhook_id: str, target: str, grievance_id: str, seq: int, body: bytes) -> None:
        """Queue one delivery; queuing the same webhook id again changes nothing."""
        if self._deferred is not None:
            self._deferred.setdefault(webhook_id, (target, grievance_id, seq, body))
            return
        await self._session.execute(
            pg_insert(_d)
            .values(webhook_id=webhook_id, target=target, grievance_id=grievance_id, seq=seq, body=body)
            .on_conflict_do_nothing(index_elements=[_d.c.webhook_id])
        )

    async def lease_due(self, *, limit: int, lease: timedelta) -> list[Delivery]:
        """Due deliveries whose predecessors (same grievance) are done, pushed ``lease`` into the
        future and counted as attempted, so no other dispatcher takes them meanwhile."""
        earlier = _d.alias("earlier")
        pending = and_(_d.c.delivered_at.is_(None), _d.c.failed_at.is_(None))
        blocked = exists().where(
            earlier.c.grievance_id == _d.c.grievance_id,
            earlier.c.delivered_at.is_(None),
            earlier.c.failed_at.is_(None),
            earlier.c.id < _d.c.id,
        )
        rows = (
            await self._session.execute(
                select(_d.c.id, _d.c.webhook_id, _d.c.target, _d.c.body, _d.c.attempts)
                .where(pending, _d.c.next_attempt_at <= func.now(), ~blocked)
                .order_by(_d.c.id)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        if rows:
            await self._session.execute(
                update(_d)
                .where(_d.c.id.in_([row.id for row in rows]))
                .values(next_attempt_at=func.now() + lease, attempts=_d.c.attempts + 1)
            )
        return [Delivery(row.id, row.webhook_id, row.target, row.body, row.attempts + 1) for row in rows]

    async def record_delivered(self, delivery_id: int, *, status: int | None) -> None:
        await self._finish(delivery_id, status=status, error=None, delivered_at=func.now())

    async def record_given_up(self, delivery_id: int, *, status: int | None, error: str | None) -> None:
        await self._finish(delivery_id, status=status, error=error, failed_at=func.now())

    async def record_retry(self, delivery_id: int, *, status: int | None, error: str | None, after: timedelta) -> None:
        await self._finish(delivery_id, status=status, error=error, next_attempt_at=func.now() + after)

    async def _finish(self, delivery_id: int, *, status: int | None, error: str | None, **changes: object) -> None:
        await self._session.execute(
            update(_d).where(_d.c.id == delivery_id).values(last_status=status, last_error=error, **changes)
        )
