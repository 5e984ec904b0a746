"""Intake's repositories: ALL of intake's SQL lives in this package, one class per aggregate or
read model, made on the transaction's session by the unit of work below."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

from services.intake.repositories.audit import AuditLogRepository
from services.intake.repositories.ciphertexts import CiphertextRepository
from services.intake.repositories.complainants import ComplainantRepository
from services.intake.repositories.filings import FilingRepository, NewFiling
from services.intake.repositories.free_text import FreeTextOriginalRepository
from services.intake.repositories.grievances import GrievanceRepository
from services.intake.repositories.open311 import Open311RequestRepository
from services.intake.repositories.personal_data import PersonalDataRepository
from services.intake.repositories.replays import IdempotencyKeyRepository, WebhookReceiptRepository
from services.intake.repositories.statuses import StatusRepository
from shared.db.uow import UnitOfWork


class IntakeUnitOfWork(UnitOfWork):
    """One transaction on intake's schema, with its repositories (``infra.uow()`` yields it)."""

    filings: FilingRepository
    grievances: GrievanceRepository
    complainants: ComplainantRepository
    free_text: FreeTextOriginalRepository
    idempotency_keys: IdempotencyKeyRepository
    webhook_receipts: WebhookReceiptRepository
    statuses: StatusRepository
    audit: AuditLogRepository
    personal_data: PersonalDataRepository
    ciphertexts: CiphertextRepository
    open311_requests: Open311RequestRepository

    def _bind(self, session: AsyncSession) -> None:
        self.filings = FilingRepository(session)
        self.grievances = GrievanceRepository(session)
        self.complainants = ComplainantRepository(session)
        self.free_text = FreeTextOriginalRepository(session)
        self.idempotency_keys = IdempotencyKeyRepository(session)
        self.webhook_receipts = WebhookReceiptRepository(session)
        self.statuses = StatusRepository(session)
        self.audit = AuditLogRepository(session)
        self.personal_data = PersonalDataRepository(session)
        self.ciphertexts = CiphertextRepository(session)
        self.open311_requests = Open311RequestRepository(session)

    async def file(self, filing: NewFiling, *, alone: bool = False) -> str | None:
        """Store ``filing`` together with the events published so far in this unit of work, in the
        filing's one statement (their outbox rows exist iff the grievance was inserted); the
        tracking number, or None when the partner case was filed before. The events were encoded
        with the filing's number marker, which the statement replaces with the number, so
        ``published`` shows them with the marker.

        ``alone``: nothing else was or will be written in this unit of work, so the statement
        commits by itself (FilingRepository.add) and the unit counts as committed."""
        assert self._outbox is not None, "unit of work used outside 'async with'"
        tracking_no = await self.filings.add(filing, self._outbox.take_pending(), alone=alone)
        if alone:
            self.committed = True
        return tracking_no

    async def flush(self) -> None:
        await self.statuses.flush()  # a consumer batch's status entries, held until now
        await super().flush()


IntakeUnits = Callable[[], IntakeUnitOfWork]
