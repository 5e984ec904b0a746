"""The review queue: low-confidence and returned decisions waiting for a reviewer, and what the
reviewer decided."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update

from services.router import db
from services.router.domain.records import ReviewFilter, ReviewItem
from services.router.repositories.base import DeferringRepository
from services.router.repositories.batch_writes import as_stored
from shared.events.contracts import GrievanceReceived, RoutingDecision


class ReviewRepository(DeferringRepository):
    """Review items; in a consumer batch new ones are held back (nothing in a batch reads the
    queue), and any read writes them first."""

    async def flush(self) -> None:
        rows = [as_stored(row) for row in self.take_deferred()]
        if rows:
            await self._session.execute(insert(db.review_item), rows)

    async def add(
        self,
        *,
        review_id: str,
        grievance_id: str,
        revision: int,
        reason: str,
        reason_detail: str,
        proposed: RoutingDecision,
        at: datetime,
    ) -> None:
        row = {
            "id": review_id,
            "grievance_id": grievance_id,
            "revision": revision,
            "reason": reason,
            "reason_detail": reason_detail,
            "proposed": proposed,  # made JSON as the row is written (as_stored)
            "confidence": proposed.confidence,
            "urgent": proposed.urgent,
            "status": "pending",
            "created_at": at,
        }
        if not self._hold(row):
            await self._session.execute(insert(db.review_item), as_stored(row))

    async def get(self, review_id: str, *, for_update: bool = False) -> ReviewItem | None:
        await self.flush()
        r = db.review_item
        query = select(*_item_columns()).select_from(_with_grievance()).where(r.c.id == review_id)
        if for_update:
            query = query.with_for_update(of=r)
        row = (await self._session.execute(query)).first()
        return _item(row) if row is not None else None

    async def page(self, wanted: ReviewFilter, *, limit: int, offset: int) -> tuple[list[ReviewItem], int]:
        """One page of the queue, urgent first, then oldest first (worked in order of risk and
        waiting time), and how many items match in all."""
        await self.flush()
        r = db.review_item
        conditions = _conditions(wanted)
        total = await self._session.scalar(select(func.count()).select_from(_with_grievance()).where(*conditions))
        rows = (
            await self._session.execute(
                select(*_item_columns())
                .select_from(_with_grievance())
                .where(*conditions)
                .order_by(r.c.urgent.desc(), r.c.created_at, r.c.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()
        return [_item(row) for row in rows], int(total or 0)

    async def record_decision(
        self, review_id: str, decision: RoutingDecision, *, decided_by: str, comment: str, at: datetime
    ) -> None:
        await self.flush()
        await self._session.execute(
            update(db.review_item)
            .where(db.review_item.c.id == review_id)
            .values(
                status="decided",
                decided_at=at,
                decided_by=decided_by,
                decision=decision.model_dump(mode="json"),
                comment=comment,
            )
        )

    async def supersede_pending(self, grievance_id: str, at: datetime) -> None:
        """A re-route overtakes whatever was waiting for a reviewer."""
        await self.flush()
        r = db.review_item
        await self._session.execute(
            update(r)
            .where(r.c.grievance_id == grievance_id, r.c.status == "pending")
            .values(status="superseded", decided_at=at)
        )

    async def count_pending(self) -> int:
        await self.flush()
        r = db.review_item
        count = await self._session.scalar(select(func.count()).select_from(r).where(r.c.status == "pending"))
        return int(count or 0)


def _with_grievance() -> Any:
    r, g = db.review_item, db.grievance
    return r.join(g, g.c.id == r.c.grievance_id)


def _item_columns() -> list[Any]:
    g = db.grievance
    return [db.review_item, g.c.received, g.c.excluded_departments]


def _conditions(wanted: ReviewFilter) -> list[ColumnElement[bool]]:
    r, g = db.review_item, db.grievance
    conditions = [r.c.status == wanted.status]
    if wanted.track is not None:
        conditions.append(r.c.proposed["track"].astext == wanted.track.value)
    if wanted.area is not None:
        conditions.append(r.c.proposed["area"].astext == wanted.area)
    if wanted.category is not None:
        conditions.append(r.c.proposed["category"].astext == wanted.category)
    if wanted.street is not None:
        conditions.append(g.c.street == wanted.street.value)
    if wanted.urgent is not None:
        conditions.append(r.c.urgent == wanted.urgent)
    return conditions


def _item(row: Any) -> ReviewItem:
    return ReviewItem(
        review_id=row.id,
        grievance_id=row.grievance_id,
        revision=row.revision,
        reason=row.reason,
        reason_detail=row.reason_detail,
        proposed=RoutingDecision.model_validate(row.proposed),
        status=row.status,
        created_at=row.created_at,
        received=GrievanceReceived.model_validate(row.received),
        excluded_departments=tuple(row.excluded_departments),
        decision=RoutingDecision.model_validate(row.decision) if row.decision else None,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        comment=row.comment,
    )
