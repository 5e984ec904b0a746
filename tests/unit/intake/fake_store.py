"""The tables of intake's schema as plain dicts, shared by the in-memory repositories."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from services.intake.domain.complainant import SealedComplainant
from services.intake.repositories.grievances import NewGrievance
from services.intake.repositories.statuses import StatusEntry


@dataclass(frozen=True, slots=True)
class StoredGrievance(NewGrievance):
    """A grievance row: the grievance as filed with the tracking number the database gave it."""

    tracking_no: str

    @classmethod
    def numbered(cls, grievance: NewGrievance, tracking_no: str) -> StoredGrievance:
        return cls(**{f.name: getattr(grievance, f.name) for f in fields(NewGrievance)}, tracking_no=tracking_no)


@dataclass
class StoredKey:
    request_hash: str | None
    grievance_id: str | None
    response_encrypted: bytes | None
    expires_at: datetime


@dataclass
class StoredReceipt:
    source: str
    body_fingerprint: str | None
    grievance_id: str | None = None
    response_encrypted: bytes | None = None


@dataclass
class MemoryStore:
    """Intake's tables as dicts, keyed like their primary keys."""

    sequence: int = 0
    grievances: dict[str, StoredGrievance] = field(default_factory=dict)
    complainants: dict[str, SealedComplainant] = field(default_factory=dict)
    purged_at: dict[str, datetime] = field(default_factory=dict)
    originals: dict[str, dict[str, bytes]] = field(default_factory=dict)
    keys: dict[str, StoredKey] = field(default_factory=dict)
    receipts: dict[str, StoredReceipt] = field(default_factory=dict)
    statuses: dict[str, StatusEntry] = field(default_factory=dict)
    audit: list[dict[str, Any]] = field(default_factory=list)
    # Idempotency keys held by a transaction in progress (PostgreSQL: advisory locks).
    held: set[str] = field(default_factory=set)

    def by_tracking_no(self, tracking_no: str) -> StoredGrievance | None:
        return next((g for g in self.grievances.values() if g.tracking_no == tracking_no), None)
