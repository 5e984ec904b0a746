"""In-memory repositories of the grievance record: filing (record, sealed identity and free-text
originals at once), the sealed identity, free-text originals, remembered answers and the audit
log (each overrides every public method)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from services.intake.domain.complainant import SealedComplainant
from services.intake.domain.grievance import SEQUENCE_DIGITS
from services.intake.repositories.audit import Actor, AuditLogRepository
from services.intake.repositories.complainants import ComplainantRepository, PseudonymHolder
from services.intake.repositories.filings import FilingRepository, NewFiling
from services.intake.repositories.free_text import FreeTextOriginalRepository
from services.intake.repositories.grievances import (
    EarlierFiling,
    FiledRecord,
    GrievanceRepository,
    SealedContact,
    Standing,
)
from services.intake.repositories.replays import (
    IdempotencyKeyRepository,
    RememberedAnswer,
    WebhookReceiptRepository,
)
from shared.auth import StaffPrincipal
from shared.db.outbox import OutboxRow
from shared.idempotency import RequestInFlight
from tests.unit.intake.fake_store import MemoryStore, StoredGrievance, StoredKey, StoredReceipt


class FakeFilingRepository(FilingRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def add(self, filing: NewFiling, events: Sequence[OutboxRow], *, alone: bool = False) -> str | None:
        # The events stay with the fake unit of work (FakeIntakeUow.file numbers them).
        # The sequence value is drawn before the conflict is known, as nextval() is in the statement.
        self._store.sequence += 1
        g = filing.grievance
        if g.external_ref is not None and any(
            (s.channel, s.external_ref) == (g.channel, g.external_ref) for s in self._store.grievances.values()
        ):
            return None
        tracking_no = f"{g.tracking_no_stem}{self._store.sequence:0{SEQUENCE_DIGITS}d}"
        assert g.id not in self._store.grievances and not self._store.by_tracking_no(tracking_no)
        self._store.grievances[g.id] = StoredGrievance.numbered(g, tracking_no)
        self._store.complainants[g.id] = filing.complainant
        if filing.originals:
            self._store.originals[g.id] = dict(filing.originals)
        return tracking_no


class FakeGrievanceRepository(GrievanceRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def tracking_no_of_external_case(self, channel: str, external_ref: str) -> str | None:
        found = (g for g in self._store.grievances.values() if (g.channel, g.external_ref) == (channel, external_ref))
        return next((g.tracking_no for g in found), None)

    async def filed(self, tracking_no: str) -> FiledRecord | None:
        g = self._store.by_tracking_no(tracking_no)
        if g is None:
            return None
        c = self._store.complainants[g.id]
        shared = {name: getattr(g, name) for name in FiledRecord.__dataclass_fields__ if hasattr(g, name)}
        masks = {name: getattr(c, name) for name in FiledRecord.__dataclass_fields__ if hasattr(c, name)}
        return FiledRecord(**shared, **masks)

    async def sealed_contact(self, tracking_no: str) -> SealedContact | None:
        g = self._store.by_tracking_no(tracking_no)
        if g is None:
            return None
        c = self._store.complainants[g.id]
        return SealedContact(
            g.id,
            c.name_encrypted,
            c.mobile_encrypted,
            c.id_card_encrypted,
            c.email_encrypted,
            self._store.purged_at.get(g.id),
        )

    def _matching(self, id_card: Sequence[str], mobile: Sequence[str]) -> list[StoredGrievance]:
        def matches(c: SealedComplainant) -> bool:
            return c.id_card_pseudonym in id_card or c.mobile_pseudonym in mobile

        found = [g for g in self._store.grievances.values() if matches(self._store.complainants[g.id])]
        return sorted(found, key=lambda g: (g.received_at, g.tracking_no), reverse=True)

    async def count_by_pseudonyms(self, *, id_card: Sequence[str], mobile: Sequence[str]) -> int:
        return len(self._matching(id_card, mobile))

    async def by_pseudonyms(self, *, id_card: Sequence[str], mobile: Sequence[str], limit: int) -> list[EarlierFiling]:
        filings = []
        for g in self._matching(id_card, mobile)[:limit]:
            c, s = self._store.complainants[g.id], self._store.statuses.get(g.id)
            filings.append(
                EarlierFiling(
                    tracking_no=g.tracking_no,
                    received_at=g.received_at,
                    channel=g.channel,
                    title=g.title,
                    street=g.street,
                    community=g.community,
                    status=s.status if s else None,
                    message_zh=s.message_zh if s else None,
                    closed=bool(s and s.closed),
                    id_card_pseudonym=c.id_card_pseudonym,
                    mobile_pseudonym=c.mobile_pseudonym,
                )
            )
        return filings

    async def standing(self, tracking_no: str) -> Standing | None:
        g = self._store.by_tracking_no(tracking_no)
        if g is None:
            return None
        s = self._store.statuses.get(g.id)
        if s is None:
            return Standing(tracking_no, None, None, None, False, None, None)
        return Standing(tracking_no, s.status, s.message_zh, s.actor, s.closed, s.due_at, s.updated_at)


class FakeComplainantRepository(ComplainantRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def count_not_under_pseudonym_key(self, key_id: str) -> int:
        return sum(1 for c in self._store.complainants.values() if c.pseudonym_key_id != key_id)

    async def lock_not_under_pseudonym_key(
        self, key_id: str, *, after: str | None, limit: int
    ) -> list[PseudonymHolder]:
        stale = sorted(
            (gid, c)
            for gid, c in self._store.complainants.items()
            if c.pseudonym_key_id != key_id and (after is None or gid > after)
        )
        return [
            PseudonymHolder(
                gid,
                c.mobile_encrypted,
                c.id_card_encrypted,
                c.mobile_pseudonym,
                c.id_card_pseudonym,
                c.pseudonym_key_id,
            )
            for gid, c in stale[:limit]
        ]

    async def set_pseudonyms(
        self, grievance_id: str, *, mobile_pseudonym: str | None, id_card_pseudonym: str | None, key_id: str
    ) -> None:
        self._store.complainants[grievance_id] = replace(
            self._store.complainants[grievance_id],
            mobile_pseudonym=mobile_pseudonym,
            id_card_pseudonym=id_card_pseudonym,
            pseudonym_key_id=key_id,
        )

    async def pseudonym_key_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self._store.complainants.values():
            counts[c.pseudonym_key_id] = counts.get(c.pseudonym_key_id, 0) + 1
        return dict(sorted(counts.items()))


class FakeFreeTextOriginalRepository(FreeTextOriginalRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def for_grievance(self, grievance_id: str) -> dict[str, bytes]:
        return dict(self._store.originals.get(grievance_id, {}))


class FakeIdempotencyKeyRepository(IdempotencyKeyRepository):
    def __init__(self, store: MemoryStore, held_here: set[str]) -> None:
        self._store = store
        self._held_here = held_here

    async def hold(self, key: str) -> None:
        if key in self._store.held and key not in self._held_here:
            raise RequestInFlight()
        self._store.held.add(key)
        self._held_here.add(key)

    async def live(self, key: str, now: datetime) -> RememberedAnswer | None:
        stored = self._store.keys.get(key)
        if stored is not None and stored.expires_at < now:
            del self._store.keys[key]
            return None
        return None if stored is None else RememberedAnswer(stored.request_hash, stored.response_encrypted)

    async def add(
        self, key: str, *, request_hash: str, grievance_id: str, response_encrypted: bytes, expires_at: datetime
    ) -> None:
        assert key not in self._store.keys, "idempotency_key.key is the primary key"
        self._store.keys[key] = StoredKey(request_hash, grievance_id, response_encrypted, expires_at)


class FakeWebhookReceiptRepository(WebhookReceiptRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def claim(self, webhook_id: str, *, source: str, body_fingerprint: str) -> bool:
        if webhook_id in self._store.receipts:
            return False
        self._store.receipts[webhook_id] = StoredReceipt(source, body_fingerprint)
        return True

    async def get(self, webhook_id: str) -> RememberedAnswer | None:
        stored = self._store.receipts.get(webhook_id)
        return None if stored is None else RememberedAnswer(stored.body_fingerprint, stored.response_encrypted)

    async def record_answer(self, webhook_id: str, *, grievance_id: str, response_encrypted: bytes) -> None:
        stored = self._store.receipts[webhook_id]
        stored.grievance_id, stored.response_encrypted = grievance_id, response_encrypted


class FakeAuditLogRepository(AuditLogRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def record(
        self,
        actor: Actor,
        action: str,
        grievance_id: str | None,
        detail: Mapping[str, Any],
        *,
        at: datetime | None = None,
    ) -> None:
        who = actor.subject if isinstance(actor, StaffPrincipal) else actor.name
        row = {"actor": who, "role": str(actor.role), "action": action, "grievance_id": grievance_id}
        self._store.audit.append({**row, "detail": dict(detail), "at": at})

    async def record_each(
        self, actor: Actor, action: str, details: Mapping[str, Mapping[str, Any]], *, at: datetime
    ) -> None:
        for grievance_id, detail in details.items():
            await self.record(actor, action, grievance_id, detail, at=at)
