"""Casework's repositories: ALL of its SQL. The unit of work carries one of each, made on the
transaction's session, so a use case reaches the database only through ``uow.<repository>``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.casework.repositories.assistance import AssistanceRepository
from services.casework.repositories.audit import AuditRepository
from services.casework.repositories.cases import CaseRepository
from services.casework.repositories.documents import DocumentRepository
from services.casework.repositories.evaluations import EvaluationRepository
from services.casework.repositories.hearings import HearingRepository
from services.casework.repositories.idempotency import IdempotencyRepository
from services.casework.repositories.recommendations import RecommendationRepository
from services.casework.repositories.repeat_links import RepeatLinkRepository
from services.casework.repositories.statistics import StatisticsRepository
from shared.db.uow import UnitOfWork


class CaseworkUnitOfWork(UnitOfWork):
    cases: CaseRepository
    repeat_links: RepeatLinkRepository
    documents: DocumentRepository
    hearings: HearingRepository
    audit: AuditRepository
    idempotency: IdempotencyRepository
    recommendations: RecommendationRepository
    assistance: AssistanceRepository
    evaluations: EvaluationRepository
    statistics: StatisticsRepository

    def _bind(self, session: AsyncSession) -> None:
        self.cases = CaseRepository(session)
        self.repeat_links = RepeatLinkRepository(session)
        self.documents = DocumentRepository(session)
        self.hearings = HearingRepository(session)
        self.audit = AuditRepository(session)
        self.idempotency = IdempotencyRepository(session)
        self.recommendations = RecommendationRepository(session)
        self.assistance = AssistanceRepository(session)
        self.evaluations = EvaluationRepository(session)
        self.statistics = StatisticsRepository(session)

    def defer_inserts(self) -> None:
        """A consumer batch: the cases, deadlines and notices it makes go to the database in one
        statement per table at flush (commit flushes), not one or two per event."""
        self.cases.defer_inserts()
        self.documents.defer_inserts()

    async def flush(self) -> None:
        await self.cases.flush()
        await self.documents.flush()  # after the cases they belong to (foreign key)
        await super().flush()


CaseworkUowFactory = Callable[[], CaseworkUnitOfWork]
