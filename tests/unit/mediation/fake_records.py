"""In-memory twins of the repositories of what accumulates on a case: consents, sessions,
documents, the re-route, ratings, assistance referrals, and the audit log (see fakes.py)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace
from datetime import date, datetime, time
from typing import Any

from services.mediation.domain.vocabulary import Party, SessionState
from services.mediation.repositories.audit import AuditRepository
from services.mediation.repositories.consents import ConsentRecord, ConsentRepository
from services.mediation.repositories.documents import DocumentEntry, DocumentRepository, StoredDocument
from services.mediation.repositories.outcomes import RatingRecord, RatingRepository, RerouteClaim, RerouteRepository
from services.mediation.repositories.referrals import Referral, ReferralCount, ReferralRepository
from services.mediation.repositories.sessions import CalendarEntry, MediationSessionRecord, SessionRepository
from shared.assistance import Outcome as AssistanceOutcome
from shared.auth import StaffPrincipal
from shared.clock import CHINA_TZ
from tests.unit.mediation.memory import AuditEntry, MemoryDb, checked_columns

SESSION_COLUMNS = frozenset(f.name for f in fields(MediationSessionRecord))


class FakeConsentRepository(ConsentRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def of_case(self, case_id: str) -> list[ConsentRecord]:
        return sorted((c for (case, _), c in self.db.consents.items() if case == case_id), key=lambda c: c.party.value)

    async def answers(self, case_id: str) -> dict[Party, bool]:
        return {c.party: c.consented for c in await self.of_case(case_id)}

    async def put(self, case_id: str, party: Party, *, consented: bool, note: str, by: str, now: datetime) -> None:
        self.db.consents[(case_id, party)] = ConsentRecord(party, consented, note, now, by)


class FakeSessionRepository(SessionRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def of_case(self, case_id: str) -> list[MediationSessionRecord]:
        return sorted((s for s in self.db.sessions if s.mediation_id == case_id), key=lambda s: s.number)

    async def pending(self, case_id: str) -> MediationSessionRecord | None:
        return next((s for s in await self.of_case(case_id) if s.state is SessionState.scheduled), None)

    async def add(
        self,
        case_id: str,
        *,
        scheduled_for: datetime,
        location: str,
        scheduled_at: datetime,
        remind_at: datetime | None,
    ) -> int:
        number = len(await self.of_case(case_id)) + 1
        session_id = len(self.db.sessions) + 1
        self.db.sessions.append(
            MediationSessionRecord(
                session_id, case_id, number, SessionState.scheduled, scheduled_for, location, scheduled_at, 0, remind_at
            )
        )
        return number

    async def change(self, session_id: int, **values: Any) -> None:
        checked_columns(values, SESSION_COLUMNS)
        if "state" in values:
            values["state"] = SessionState(values["state"])
        self.db.sessions = [replace(s, **values) if s.id == session_id else s for s in self.db.sessions]

    async def cancel_pending(self, case_id: str) -> None:
        self.db.sessions = [
            replace(s, state=SessionState.cancelled)
            if s.mediation_id == case_id and s.state is SessionState.scheduled
            else s
            for s in self.db.sessions
        ]

    async def due_for_reminder(self, now: datetime, limit: int) -> list[MediationSessionRecord]:
        due = [
            s
            for s in self.db.sessions
            if s.state is SessionState.scheduled
            and s.reminded_at is None
            and s.remind_at is not None
            and s.remind_at <= now < s.scheduled_for
        ]
        return sorted(due, key=lambda s: s.remind_at or now)[:limit]

    async def between(self, start: datetime, end: datetime, *, assigned_to: str | None) -> list[CalendarEntry]:
        entries = []
        for s in sorted(self.db.sessions, key=lambda s: (s.scheduled_for, s.mediation_id, s.number)):
            mine = assigned_to is None or assigned_to in {a.mediator_id for a in self.db.current(s.mediation_id)}
            if start <= s.scheduled_for < end and mine:
                case = self.db.cases[s.mediation_id]
                entries.append(CalendarEntry(s, case.tracking_no, case.title, case.state))
        return entries


class FakeDocumentRepository(DocumentRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def next_agreement_sequence(self) -> int:
        self.db.agreement_sequence += 1
        return self.db.agreement_sequence

    async def add(self, document: StoredDocument) -> None:
        self.db.documents[document.id] = document

    async def of_case(self, case_id: str) -> list[DocumentEntry]:
        mine = sorted((d for d in self.db.documents.values() if d.mediation_id == case_id), key=lambda d: d.created_at)
        return [DocumentEntry(d.id, d.kind, d.number, d.title, d.created_at) for d in mine]

    async def get(self, document_id: str) -> StoredDocument | None:
        return self.db.documents.get(document_id)


class FakeRerouteRepository(RerouteRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def claim(self, claim: RerouteClaim) -> bool:
        if claim.mediation_id in self.db.reroutes:
            return False
        self.db.reroutes[claim.mediation_id] = claim
        return True


class FakeRatingRepository(RatingRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def add(self, rating: RatingRecord) -> None:
        self.db.ratings.append(rating)


class FakeReferralRepository(ReferralRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def add(self, referral: Referral) -> None:
        self.db.referrals[referral.id] = referral

    async def get(self, referral_id: str) -> Referral | None:
        return self.db.referrals.get(referral_id)

    async def for_update(self, referral_id: str, case_id: str) -> Referral | None:
        referral = self.db.referrals.get(referral_id)
        return referral if referral is not None and referral.mediation_id == case_id else None

    async def record_outcome(
        self, referral_id: str, outcome: AssistanceOutcome, note: str | None, at: datetime
    ) -> None:
        self.db.referrals[referral_id] = replace(
            self.db.referrals[referral_id], outcome=outcome, outcome_note=note, outcome_at=at
        )

    async def of_case(self, case_id: str) -> list[Referral]:
        mine = [r for r in self.db.referrals.values() if r.mediation_id == case_id]
        return sorted(mine, key=lambda r: (r.referred_at, r.id))

    async def counts(self, *, office: str | None, since: date | None, until: date | None) -> list[ReferralCount]:
        counted: dict[tuple[Any, Any, Any], int] = {}
        for r in self.db.referrals.values():
            day = r.referred_at.astimezone(CHINA_TZ)
            if office is not None and r.office != office:
                continue
            if (since and day < datetime.combine(since, time.min, tzinfo=CHINA_TZ)) or (
                until and day > datetime.combine(until, time.max, tzinfo=CHINA_TZ)
            ):
                continue
            key = (r.kind, r.scheme, r.outcome)
            counted[key] = counted.get(key, 0) + 1
        return [ReferralCount(k, s, o, n) for (k, s, o), n in sorted(counted.items(), key=lambda item: str(item[0]))]


class FakeAuditRepository(AuditRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def record(
        self, staff: StaffPrincipal, *, action: str, case_id: str | None, detail: Mapping[str, Any], at: datetime
    ) -> None:
        self.db.audit.append(AuditEntry(staff.subject, action, case_id, dict(detail)))
