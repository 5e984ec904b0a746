"""What the citizen did after an answer: ratings (回访) and review requests (复查/复核)."""

from __future__ import annotations

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback import db
from services.feedback.domain.grievance import RatingRecord, ReviewRequestRecord
from shared.events.vocabulary import Rating

_r = db.rating
_review = db.review_request


class RatingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: RatingRecord) -> None:
        await self._session.execute(
            insert(_r).values(
                grievance_id=record.grievance_id,
                round=record.round,
                rating=record.rating.value,
                comment=record.comment,
                within_window=record.within_window,
                reopen_requested=record.reopen_requested,
                answered_at=record.answered_at,
                answered_by=record.answered_by,
                submitted_at=record.submitted_at,
            )
        )

    async def last_round(self, grievance_id: str) -> int:
        """The last answer round the citizen rated, 0 if none."""
        rated = await self._session.scalar(
            select(func.coalesce(func.max(_r.c.round), 0)).where(_r.c.grievance_id == grievance_id)
        )
        return int(rated or 0)

    async def latest(self, grievance_id: str) -> RatingRecord | None:
        row = (
            await self._session.execute(
                select(_r).where(_r.c.grievance_id == grievance_id).order_by(_r.c.round.desc()).limit(1)
            )
        ).first()
        if row is None:
            return None
        return RatingRecord(
            grievance_id=row.grievance_id,
            round=row.round,
            rating=Rating(row.rating),
            comment=row.comment,
            within_window=row.within_window,
            reopen_requested=row.reopen_requested,
            answered_at=row.answered_at,
            answered_by=row.answered_by,
            submitted_at=row.submitted_at,
        )


class ReviewRequestRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, record: ReviewRequestRecord) -> None:
        await self._session.execute(
            insert(_review).values(
                grievance_id=record.grievance_id,
                level=record.level,
                reason=record.reason,
                requested_at=record.requested_at,
            )
        )

    async def levels(self, grievance_id: str) -> set[str]:
        """The levels asked for so far (``review``, ``re_review``)."""
        result = await self._session.execute(select(_review.c.level).where(_review.c.grievance_id == grievance_id))
        return set(result.scalars())
