"""All of feedback's SQL, one repository per table it reads as a whole, carried by the unit of work."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback.repositories.follow_ups import RatingRepository, ReviewRequestRepository
from services.feedback.repositories.grievances import GrievanceRepository
from services.feedback.repositories.statistics import SatisfactionStatisticsRepository
from services.feedback.repositories.timeline import TimelineRepository
from services.feedback.repositories.webhooks import WebhookDeliveryRepository
from shared.db.uow import UnitOfWork

__all__ = [
    "FeedbackUnitOfWork",
    "GrievanceRepository",
    "RatingRepository",
    "ReviewRequestRepository",
    "SatisfactionStatisticsRepository",
    "TimelineRepository",
    "WebhookDeliveryRepository",
]


class FeedbackUnitOfWork(UnitOfWork):
    """One transaction on feedback's schema, with its repositories."""

    grievances: GrievanceRepository
    timeline: TimelineRepository
    ratings: RatingRepository
    review_requests: ReviewRequestRepository
    statistics: SatisfactionStatisticsRepository
    webhooks: WebhookDeliveryRepository

    def _bind(self, session: AsyncSession) -> None:
        self.grievances = GrievanceRepository(session)
        self.timeline = TimelineRepository(session)
        self.ratings = RatingRepository(session)
        self.review_requests = ReviewRequestRepository(session)
        self.statistics = SatisfactionStatisticsRepository(session)
        self.webhooks = WebhookDeliveryRepository(session)

    async def hold_batch(self, tracking_nos: Mapping[str, str]) -> None:
        """A consumer batch about these grievances (id -> tracking number): their rows are locked
        and read at once, and what the batch writes (rows, timeline entries with their NOTIFYs,
        webhooks) goes to the database at flush in one statement per table (commit flushes)."""
        await self.grievances.hold(tracking_nos)
        self.timeline.defer()
        self.webhooks.defer()

    async def flush(self) -> None:
        await self.grievances.flush()
        await self.timeline.flush()
        await self.webhooks.flush()
        await super().flush()
