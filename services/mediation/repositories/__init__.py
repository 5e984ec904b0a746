"""All SQL of the mediation schema, one repository per aggregate or read model, and the unit of
work that carries them: use cases reach the database only through ``uow.<repository>``."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation.repositories.audit import AuditRepository
from services.mediation.repositories.cases import CaseRepository
from services.mediation.repositories.consents import ConsentRepository
from services.mediation.repositories.documents import DocumentRepository
from services.mediation.repositories.mediators import MediatorRepository
from services.mediation.repositories.outcomes import RatingRepository, RerouteRepository
from services.mediation.repositories.referrals import ReferralRepository
from services.mediation.repositories.sessions import SessionRepository
from services.mediation.repositories.teams import TeamRepository
from shared.db.uow import UnitOfWork


class MediationUnitOfWork(UnitOfWork):
    cases: CaseRepository
    mediators: MediatorRepository  # the roster
    teams: TeamRepository  # assignments and recusals
    consents: ConsentRepository
    mediation_sessions: SessionRepository  # 调解会 (not to be confused with the database session)
    documents: DocumentRepository
    reroutes: RerouteRepository
    ratings: RatingRepository
    referrals: ReferralRepository
    audit: AuditRepository

    def _bind(self, session: AsyncSession) -> None:
        self.cases = CaseRepository(session)
        self.mediators = MediatorRepository(session)
        self.teams = TeamRepository(session)
        self.consents = ConsentRepository(session)
        self.mediation_sessions = SessionRepository(session)
        self.documents = DocumentRepository(session)
        self.reroutes = RerouteRepository(session)
        self.ratings = RatingRepository(session)
        self.referrals = ReferralRepository(session)
        self.audit = AuditRepository(session)

    def defer_inserts(self) -> None:
        """A consumer batch of hand-offs: the cases it opens and their assignments go to the
        database in one statement per table at flush (commit flushes), not one or more per event."""
        self.cases.defer_inserts()
        self.teams.defer_inserts(write_cases=self.cases.flush)

    async def flush(self) -> None:
        await self.cases.flush()
        await self.teams.flush()  # after the cases they belong to (foreign key)
        await super().flush()


MediationUowFactory = Callable[[], MediationUnitOfWork]
