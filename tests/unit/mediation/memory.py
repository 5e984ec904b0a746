"""The mediation schema as plain containers, for the in-memory repositories of the unit tier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.mediation.domain.roster import Mediator
from services.mediation.domain.vocabulary import AssignmentRole, Party
from services.mediation.repositories.cases import CaseRecord
from services.mediation.repositories.consents import ConsentRecord
from services.mediation.repositories.documents import StoredDocument
from services.mediation.repositories.outcomes import RatingRecord, RerouteClaim
from services.mediation.repositories.referrals import Referral
from services.mediation.repositories.sessions import MediationSessionRecord


@dataclass(frozen=True, slots=True)
class Assignment:
    case_id: str
    mediator_id: str
    role: AssignmentRole
    assigned_at: datetime
    released_at: datetime | None = None
    release_reason: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    actor: str
    action: str
    case_id: str | None
    detail: dict[str, Any]


@dataclass
class MemoryDb:
    """The mediation schema as plain containers."""

    cases: dict[str, CaseRecord] = field(default_factory=dict)
    mediators: dict[str, Mediator] = field(default_factory=dict)
    assignments: list[Assignment] = field(default_factory=list)
    recusals: dict[tuple[str, str], str] = field(default_factory=dict)
    consents: dict[tuple[str, Party], ConsentRecord] = field(default_factory=dict)
    sessions: list[MediationSessionRecord] = field(default_factory=list)
    documents: dict[str, StoredDocument] = field(default_factory=dict)
    agreement_sequence: int = 0
    reroutes: dict[str, RerouteClaim] = field(default_factory=dict)
    ratings: list[RatingRecord] = field(default_factory=list)
    referrals: dict[str, Referral] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)

    def current(self, case_id: str) -> list[Assignment]:
        return [a for a in self.assignments if a.case_id == case_id and a.released_at is None]


def checked_columns(values: Mapping[str, Any], columns: frozenset[str]) -> None:
    unknown = set(values) - columns
    if unknown:
        raise TypeError(f"no such columns: {sorted(unknown)}")
