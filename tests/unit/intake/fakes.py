"""In-memory repositories and unit of work of intake, for the unit tier of handler tests.

Every fake repository (fake_filing.py, fake_upkeep.py) subclasses intake's repository class and
overrides each public method over one ``MemoryStore`` of plain dicts and lists (fake_store.py).
``FakeIntakeUow`` gives the store transaction semantics: what a unit of work changed is undone
when it ends without a commit, as PostgreSQL would, so a refused request can be shown to change
nothing. The SQL itself is proven by tests/integration/intake/ on real PostgreSQL.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from types import TracebackType
from typing import Self

from services.intake.repositories import IntakeUnitOfWork
from services.intake.repositories.filings import NewFiling
from shared.events.envelope import CloudEvent
from tests.support.fake_uow import FakeUnitOfWork
from tests.unit.intake.fake_filing import (
    FakeAuditLogRepository,
    FakeComplainantRepository,
    FakeFilingRepository,
    FakeFreeTextOriginalRepository,
    FakeGrievanceRepository,
    FakeIdempotencyKeyRepository,
    FakeWebhookReceiptRepository,
)
from tests.unit.intake.fake_store import MemoryStore
from tests.unit.intake.fake_upkeep import (
    FakeCiphertextRepository,
    FakeOpen311RequestRepository,
    FakePersonalDataRepository,
    FakeStatusRepository,
)

__all__ = ["FakeIntakeUow", "FakeUnits", "MemoryStore"]


class FakeIntakeUow(FakeUnitOfWork, IntakeUnitOfWork):
    """One transaction over ``store``: changes not committed are undone when the block ends."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        super().__init__(source="/grievance-platform/intake")
        self.store = store if store is not None else MemoryStore()
        self._held_here: set[str] = set()
        self._snapshot: MemoryStore | None = None
        self.filings = FakeFilingRepository(self.store)
        self.grievances = FakeGrievanceRepository(self.store)
        self.complainants = FakeComplainantRepository(self.store)
        self.free_text = FakeFreeTextOriginalRepository(self.store)
        self.idempotency_keys = FakeIdempotencyKeyRepository(self.store, self._held_here)
        self.webhook_receipts = FakeWebhookReceiptRepository(self.store)
        self.statuses = FakeStatusRepository(self.store)
        self.audit = FakeAuditLogRepository(self.store)
        self.personal_data = FakePersonalDataRepository(self.store)
        self.ciphertexts = FakeCiphertextRepository(self.store)
        self.open311_requests = FakeOpen311RequestRepository(self.store)

    async def __aenter__(self) -> Self:
        self._snapshot = copy.deepcopy(self.store)
        return await super().__aenter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if not self.committed and self._snapshot is not None:
            held = self.store.held
            self.store.__dict__.update(self._snapshot.__dict__)
            self.store.held = held
        # The transaction's end releases its keys, committed or not (advisory xact locks).
        self.store.held -= self._held_here
        self._held_here.clear()
        await super().__aexit__(exc_type, exc, tb)

    async def file(self, filing: NewFiling, *, alone: bool = False) -> str | None:
        """As the filing statement: the events published so far are kept only if the grievance is
        stored, with its sequence number in place of the filing's number marker; ``alone``, it
        commits by itself, as the statement does on the driver."""
        tracking_no = await self.filings.add(filing, [], alone=alone)
        if tracking_no is None:
            self._pending = []
            return None
        number = tracking_no.removeprefix(filing.grievance.tracking_no_stem)
        self._pending = [(topic, _numbered(event, filing.number_marker, number)) for topic, event in self._pending]
        if alone:
            await self.commit()
        return tracking_no


def _numbered(event: CloudEvent, marker: str, number: str) -> CloudEvent:
    return replace(event, data=json.loads(json.dumps(event.data, ensure_ascii=False).replace(marker, number)))


class FakeUnits:
    """A unit-of-work factory over one store, as ``infra.uow`` is over one database."""

    def __init__(self, store: MemoryStore | None = None) -> None:
        self.store = store if store is not None else MemoryStore()
        self.made: list[FakeIntakeUow] = []

    def __call__(self) -> FakeIntakeUow:
        uow = FakeIntakeUow(self.store)
        self.made.append(uow)
        return uow

    def event_types(self) -> list[str]:
        return [event_type for uow in self.made for event_type in uow.event_types()]
