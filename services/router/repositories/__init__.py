"""All SQL of the router, one repository per aggregate or read model, carried by the unit of work.

async with infra.uow() as uow:  # a RouterUnitOfWork (app.py builds the infrastructure with it)
    grievance = await uow.grievances.get(grievance_id, for_update=True)
    await uow.decisions.add(grievance_id, revision, decision)
    await uow.publish(...)
    await uow.commit()
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession

from services.router.domain.batch import RoutingBatch
from services.router.repositories.audit import AuditRepository
from services.router.repositories.batch_writes import write_batch
from services.router.repositories.decisions import DecisionRepository
from services.router.repositories.examples import LabelledExampleRepository
from services.router.repositories.grievances import GrievanceRepository, check_all_new
from services.router.repositories.locks import AdvisoryLocks
from services.router.repositories.reviews import ReviewRepository
from services.router.repositories.rotations import PendingRotationRepository
from services.router.repositories.statistics import StatisticsRepository
from shared.db.planning import plan_each_statement
from shared.db.uow import UnitOfWork
from shared.events.contracts import GrievanceReceived


class RouterUnitOfWork(UnitOfWork):
    grievances: GrievanceRepository
    decisions: DecisionRepository
    reviews: ReviewRepository
    examples: LabelledExampleRepository
    rotations: PendingRotationRepository
    locks: AdvisoryLocks
    audit: AuditRepository
    statistics: StatisticsRepository
    # A poll batch's routing reads, loaded at once by the consumer runner's prepare step
    # (handlers/batch.py); None for every other transaction.
    batch: RoutingBatch | None = None
    # The batch's received payloads as its prepare step validated them, by (source, id) of their
    # event: each use case takes its own instead of validating the event's data again.
    validated: Mapping[tuple[str, str], GrievanceReceived] = MappingProxyType({})
    _write_batch = False

    def _bind(self, session: AsyncSession) -> None:
        self.batch = None
        self.validated = MappingProxyType({})
        self._write_batch = False
        self.grievances = GrievanceRepository(session)
        self.decisions = DecisionRepository(session)
        self.reviews = ReviewRepository(session)
        self.examples = LabelledExampleRepository(session)
        self.rotations = PendingRotationRepository(session)
        self.locks = AdvisoryLocks(session)
        self.audit = AuditRepository(session)
        self.statistics = StatisticsRepository(session)

    async def plan_each_statement(self) -> None:
        """Plan this batch's statements for its values and the read model as it is now (a
        generic plan made while the read model was small scans it whole; shared.db.planning)."""
        await plan_each_statement(self.session)

    def defer_routing_inserts(self) -> None:
        """A consumer batch: its first decisions, their history, its review items and its events
        go to the database in one statement at flush (commit flushes; batch_writes.py)."""
        self.grievances.defer_inserts()
        self.decisions.defer_inserts()
        self.reviews.defer_inserts()
        self._write_batch = True

    async def flush(self) -> None:
        if self._write_batch:
            await self._flush_batch()
            return
        await self.grievances.flush()
        await self.decisions.flush()
        await self.reviews.flush()
        await super().flush()

    async def _flush_batch(self) -> None:
        assert self._outbox is not None, "unit of work used outside 'async with'"
        grievances = self.grievances.take_deferred()
        history = self.decisions.take_deferred()
        reviews = self.reviews.take_deferred()
        outbox = self._outbox.take_pending()
        if grievances or history or reviews or outbox:
            inserted = await write_batch(
                self.session, grievances=grievances, history=history, reviews=reviews, outbox=outbox
            )
            check_all_new(inserted, len(grievances))


__all__ = [
    "AdvisoryLocks",
    "AuditRepository",
    "DecisionRepository",
    "GrievanceRepository",
    "LabelledExampleRepository",
    "PendingRotationRepository",
    "ReviewRepository",
    "RouterUnitOfWork",
    "StatisticsRepository",
]
