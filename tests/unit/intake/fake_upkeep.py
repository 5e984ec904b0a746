"""In-memory repositories of the read models and the upkeep jobs: the status read model,
Open311 requests, the retention purge and the ciphertexts re-encryption walks through."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, replace
from datetime import datetime
from typing import Any

from services.intake.domain.complainant import SealedComplainant
from services.intake.domain.free_text import associated_data
from services.intake.domain.replay import replay_associated_data
from services.intake.open311.catalog import SERVICE_CODES
from services.intake.open311.listing import MAX_RESULTS, RequestQuery, RequestRow
from services.intake.repositories.ciphertexts import CiphertextRepository, Sealed, StaleRow
from services.intake.repositories.open311 import Open311RequestRepository
from services.intake.repositories.personal_data import DueComplainant, PersonalDataRepository
from services.intake.repositories.statuses import KnownStatus, StatusEntry, StatusRepository
from shared.events.vocabulary import Channel
from shared.pii import ciphertext_key_id
from tests.unit.intake.fake_store import MemoryStore, StoredGrievance, StoredKey, StoredReceipt


class FakeStatusRepository(StatusRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def for_update(self, grievance_id: str) -> KnownStatus | None:
        entry = self._store.statuses.get(grievance_id)
        return None if entry is None else KnownStatus(entry.closed, entry.updated_at)

    async def save(self, entry: StatusEntry) -> None:
        self._store.statuses[entry.grievance_id] = entry


class FakePersonalDataRepository(PersonalDataRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def _due(self, before: datetime) -> list[DueComplainant]:
        due = [
            DueComplainant(gid, s.status, s.updated_at)
            for gid, s in self._store.statuses.items()
            if s.closed
            and s.updated_at < before
            and gid in self._store.complainants
            and gid not in self._store.purged_at
        ]
        return sorted(due, key=lambda d: d.updated_at)

    async def count_due(self, before: datetime) -> int:
        return len(self._due(before))

    async def lock_due(self, before: datetime, *, limit: int) -> list[DueComplainant]:
        return self._due(before)[:limit]

    async def erase(self, grievance_ids: Sequence[str], *, purged_at: datetime, name_placeholder: str) -> None:
        for gid in grievance_ids:
            sealed = self._store.complainants[gid]
            self._store.complainants[gid] = SealedComplainant(
                **{**asdict(sealed), **dict.fromkeys(_PERSONAL_COLUMNS), "name_masked": name_placeholder}
            )
            self._store.purged_at[gid] = purged_at
            self._store.originals.pop(gid, None)
            for key in [k for k, stored in self._store.keys.items() if stored.grievance_id == gid]:
                del self._store.keys[key]
            for receipt in self._store.receipts.values():
                if receipt.grievance_id == gid:
                    receipt.response_encrypted = None


_PERSONAL_COLUMNS = (
    "name_encrypted",
    "mobile_encrypted",
    "id_card_encrypted",
    "email_encrypted",
    "mobile_masked",
    "id_card_masked",
    "email_masked",
    "mobile_pseudonym",
    "id_card_pseudonym",
)
_IDENTITY_COLUMNS = ("name_encrypted", "mobile_encrypted", "id_card_encrypted", "email_encrypted")


class FakeCiphertextRepository(CiphertextRepository):
    """Every ciphertext of the store by table, keyed and bound as the real repository does."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def _rows(self, table: str) -> list[StaleRow]:
        """(key, every non-null ciphertext with its associated data) of ``table``, in key order."""
        s = self._store
        found: list[tuple[tuple[Any, ...], str, bytes | None, str]] = []  # key, column, ciphertext, bound to
        if table == "complainant":
            for gid, c in s.complainants.items():
                found += [((gid,), col, getattr(c, col), col.removesuffix("_encrypted")) for col in _IDENTITY_COLUMNS]
        elif table == "free_text_original":
            for gid, originals in s.originals.items():
                found += [
                    ((gid, name), "original_encrypted", blob, associated_data(name)) for name, blob in originals.items()
                ]
        else:
            stored: Mapping[str, StoredKey | StoredReceipt] = s.keys if table == "idempotency_key" else s.receipts
            found += [
                ((key,), "response_encrypted", row.response_encrypted, replay_associated_data(key))
                for key, row in stored.items()
            ]
        rows: dict[tuple[Any, ...], dict[str, Sealed]] = {}
        for key, column, blob, bound_to in found:
            if blob is not None:
                rows.setdefault(key, {})[column] = Sealed(blob, bound_to)
        return [StaleRow(key, sealed) for key, sealed in sorted(rows.items())]

    async def count_stale(self, table: str, header: bytes) -> int:
        return len(await self.lock_stale(table, header, after=None, limit=10**9))

    async def lock_stale(self, table: str, header: bytes, *, after: Sequence[Any] | None, limit: int) -> list[StaleRow]:
        stale = [
            r
            for r in self._rows(table)
            if any(not v.ciphertext.startswith(header) for v in r.sealed.values())
            and (after is None or r.key > tuple(after))
        ]
        return stale[:limit]

    async def replace(self, table: str, key: Sequence[Any], ciphertexts: dict[str, bytes]) -> None:
        s = self._store
        if table == "complainant":
            s.complainants[key[0]] = replace(s.complainants[key[0]], **ciphertexts)  # type: ignore[arg-type]
        elif table == "free_text_original":
            s.originals[key[0]][key[1]] = ciphertexts["original_encrypted"]
        else:
            (s.keys if table == "idempotency_key" else s.receipts)[key[0]].response_encrypted = ciphertexts[
                "response_encrypted"
            ]

    async def key_counts(self) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for table in self.tables:
            for row in self._rows(table):
                for column, sealed in row.sealed.items():
                    per_key = counts.setdefault(f"{table}.{column}", {})
                    key_id = ciphertext_key_id(sealed.ciphertext)
                    per_key[key_id] = per_key.get(key_id, 0) + 1
        return counts


class FakeOpen311RequestRepository(Open311RequestRepository):
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    def _row(self, g: StoredGrievance) -> RequestRow:
        s = self._store.statuses.get(g.id)
        if s is None:
            return RequestRow(g.tracking_no, g.category_hint, g.received_at)
        return RequestRow(
            g.tracking_no,
            g.category_hint,
            g.received_at,
            s.status,
            s.closed,
            s.actor,
            s.message_zh,
            s.due_at,
            s.updated_at,
        )

    async def find(self, query: RequestQuery) -> list[RequestRow]:
        found = [g for g in self._store.grievances.values() if g.channel == Channel.open311.value]
        if query.ids:
            found = [g for g in found if g.tracking_no in query.ids]
        else:
            hints = {SERVICE_CODES[code].value for code in query.service_codes}
            found = [
                g
                for g in found
                if (not hints or g.category_hint in hints)
                and (query.start is None or g.received_at >= query.start)
                and (query.end is None or g.received_at <= query.end)
            ]
            if len(query.states) == 1:
                found = [g for g in found if self._row(g).closed == ("closed" in query.states)]
        found.sort(key=lambda g: (g.received_at, g.tracking_no), reverse=True)
        return [self._row(g) for g in found[:MAX_RESULTS]]

    async def get(self, tracking_no: str) -> RequestRow | None:
        g = self._store.by_tracking_no(tracking_no)
        return None if g is None or g.channel != Channel.open311.value else self._row(g)
