"""In-memory stand-ins for mediation's repositories and unit of work (cosmicpython's fake UoW).

Every fake repository subclasses the real one and overrides each of its public methods over one
``MemoryDb`` (memory.py; the fakes of a case's records are in fake_records.py).
``FakeMediationUow`` restores the data as it was at the last commit when a block ends
uncommitted, so "a refused command changes nothing" holds here as on PostgreSQL.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import fields, replace
from datetime import datetime
from types import TracebackType
from typing import Any, Self

from services.mediation.domain.roster import Mediator, Selection
from services.mediation.domain.states import LOAD_STATES, OPEN_STATES
from services.mediation.domain.statistics import CaseFacts
from services.mediation.domain.vocabulary import AssignmentRole, State
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord, CaseRepository
from services.mediation.repositories.mediators import MediatorRepository
from services.mediation.repositories.teams import TeamMember, TeamRepository
from tests.support.fake_uow import FakeUnitOfWork
from tests.unit.mediation.fake_records import (
    FakeAuditRepository,
    FakeConsentRepository,
    FakeDocumentRepository,
    FakeRatingRepository,
    FakeReferralRepository,
    FakeRerouteRepository,
    FakeSessionRepository,
)
from tests.unit.mediation.memory import Assignment, MemoryDb, checked_columns

CASE_COLUMNS = frozenset(f.name for f in fields(CaseRecord))


class FakeCaseRepository(CaseRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    async def lock_many(self, grievance_ids: Iterable[str]) -> None:
        """Memory is read afresh each time anyway."""

    def defer_inserts(self) -> None:
        """Memory is written at once anyway."""

    async def flush(self) -> None:
        """Nothing is held back (see ``defer_inserts``)."""

    async def get(self, case_id: str, *, lock: bool = False) -> CaseRecord | None:
        return self.db.cases.get(case_id)

    async def for_revision(self, grievance_id: str, revision: int) -> CaseRecord | None:
        return next(
            (c for c in self.db.cases.values() if c.grievance_id == grievance_id and c.revision == revision), None
        )

    async def latest_for_grievance(self, grievance_id: str, *, lock: bool = False) -> CaseRecord | None:
        mine = [c for c in self.db.cases.values() if c.grievance_id == grievance_id]
        return max(mine, key=lambda c: c.revision) if mine else None

    async def add(self, case: CaseRecord) -> bool:
        if await self.for_revision(case.grievance_id, case.revision) is not None:
            return False
        self.db.cases[case.id] = case
        return True

    async def change(self, case_id: str, now: datetime, **values: Any) -> None:
        checked_columns(values, CASE_COLUMNS)
        case = self.db.cases[case_id]
        current = {name: getattr(case, name) for name in CASE_COLUMNS}
        self.db.cases[case_id] = CaseRecord.from_mapping({**current, **values, "updated_at": now})

    async def due_for_supervision(self, now: datetime, limit: int) -> list[CaseRecord]:
        due = [c for c in self.db.cases.values() if c.state in OPEN_STATES and c.due_at < now]
        return sorted(due, key=lambda c: c.due_at)[:limit]

    async def due_for_follow_up(self, now: datetime, limit: int) -> list[CaseRecord]:
        due = [
            c
            for c in self.db.cases.values()
            if c.state is State.agreed
            and c.follow_up_due_at is not None
            and c.follow_up_due_at <= now
            and c.follow_up_notified_at is None
        ]
        return sorted(due, key=lambda c: c.follow_up_due_at or now)[:limit]

    async def list_by_due(
        self,
        *,
        assigned_to: str | None,
        state: State | None,
        overdue: bool | None,
        now: datetime,
        limit: int,
        offset: int,
    ) -> list[CaseRecord]:
        found = []
        for case in sorted(self.db.cases.values(), key=lambda c: (c.due_at, c.id)):
            late = case.state in OPEN_STATES and case.due_at < now
            if assigned_to is not None and assigned_to not in {a.mediator_id for a in self.db.current(case.id)}:
                continue
            if (state is not None and case.state is not state) or (overdue is not None and late is not overdue):
                continue
            found.append(case)
        return found[offset : offset + limit]

    async def facts_opened(
        self, *, office: str | None, since: datetime | None, until: datetime | None
    ) -> list[CaseFacts]:
        return [
            CaseFacts(c.mediation_type, c.street or "未知", c.dispute_kind, c.outcome, c.opened_at, c.concluded_at)
            for c in self.db.cases.values()
            if (office is None or c.office == office)
            and (since is None or c.opened_at >= since)
            and (until is None or c.opened_at < until)
        ]

    async def token_hash(self, case_id: str) -> str | None:
        case = self.db.cases.get(case_id)
        return case.tracking_token_hash if case else None


class FakeMediatorRepository(MediatorRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    def keep_roster(self) -> None:
        """The in-memory roster is read afresh each time anyway."""

    async def sync(self, roster: Sequence[Mediator], now: datetime) -> None:
        kept = {m.id for m in roster}
        for mediator_id, mediator in list(self.db.mediators.items()):
            if mediator_id not in kept:
                self.db.mediators[mediator_id] = replace(mediator, active=False, subject=None)
        for mediator in roster:
            self.db.mediators[mediator.id] = replace(mediator, active=True)

    async def active(self) -> list[Mediator]:
        return sorted((m for m in self.db.mediators.values() if m.active), key=lambda m: m.id)

    async def by_ids(self, ids: Sequence[str]) -> list[Mediator]:
        return [self.db.mediators[i] for i in ids if i in self.db.mediators]

    async def for_subject(self, subject: str, office: str | None) -> Mediator | None:
        return next(
            (m for m in self.db.mediators.values() if m.subject == subject and m.office == office and m.active), None
        )


class FakeTeamRepository(TeamRepository):
    def __init__(self, db: MemoryDb) -> None:
        self.db = db

    def keep_loads(self) -> None:
        """The in-memory loads are counted afresh each time anyway."""

    def defer_inserts(self, *, write_cases: Callable[[], Awaitable[None]]) -> None:
        """Memory is written at once anyway."""

    async def flush(self) -> None:
        """Nothing is held back (see ``defer_inserts``)."""

    async def members(self, case_id: str) -> list[TeamMember]:
        current = sorted(self.db.current(case_id), key=lambda a: a.role.value)  # lead before member
        return [TeamMember(self.db.mediators[a.mediator_id], a.role, a.assigned_at) for a in current]

    async def assign(self, case_id: str, selection: Selection, now: datetime) -> None:
        entries = [(selection.lead, AssignmentRole.lead)] if selection.lead else []
        entries += [(member, AssignmentRole.member) for member in selection.members]
        self.db.assignments += [Assignment(case_id, mediator.id, role, now) for mediator, role in entries]

    async def release(
        self, case_id: str, now: datetime, reason: str, mediator_ids: Sequence[str] | None = None
    ) -> None:
        self.db.assignments = [
            replace(a, released_at=now, release_reason=reason)
            if a.case_id == case_id
            and a.released_at is None
            and (mediator_ids is None or a.mediator_id in mediator_ids)
            else a
            for a in self.db.assignments
        ]

    async def is_assigned(self, case_id: str, mediator_id: str) -> bool:
        return any(a.mediator_id == mediator_id for a in self.db.current(case_id))

    async def loads(self) -> dict[str, int]:
        loads: dict[str, int] = {}
        for a in self.db.assignments:
            if a.released_at is None and self.db.cases[a.case_id].state in LOAD_STATES:
                loads[a.mediator_id] = loads.get(a.mediator_id, 0) + 1
        return loads

    async def recused(self, case_id: str) -> frozenset[str]:
        return frozenset(mediator for (case, mediator) in self.db.recusals if case == case_id)

    async def add_recusal(self, case_id: str, mediator_id: str, reason: str, now: datetime) -> None:
        self.db.recusals.setdefault((case_id, mediator_id), reason)


class FakeMediationUow(FakeUnitOfWork, MediationUnitOfWork):
    def __init__(self) -> None:
        super().__init__(source="/grievance-platform/mediation")
        self.db = MemoryDb()
        self._committed_db = copy.deepcopy(self.db)
        self.cases = FakeCaseRepository(self.db)
        self.mediators = FakeMediatorRepository(self.db)
        self.teams = FakeTeamRepository(self.db)
        self.consents = FakeConsentRepository(self.db)
        self.mediation_sessions = FakeSessionRepository(self.db)
        self.documents = FakeDocumentRepository(self.db)
        self.reroutes = FakeRerouteRepository(self.db)
        self.ratings = FakeRatingRepository(self.db)
        self.referrals = FakeReferralRepository(self.db)
        self.audit = FakeAuditRepository(self.db)

    async def __aenter__(self) -> Self:
        self._committed_db = copy.deepcopy(self.db)
        return await super().__aenter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._restore()
        await super().__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await super().commit()
        self._committed_db = copy.deepcopy(self.db)

    async def rollback(self) -> None:
        await super().rollback()
        self._restore()

    def _restore(self) -> None:
        """Back to the last commit, in place: the repositories keep pointing at the same MemoryDb."""
        self.db.__dict__.update(copy.deepcopy(self._committed_db).__dict__)

    def published_of(self, event_type: str) -> list[Mapping[str, Any]]:
        """The committed events' payloads of one type, in order."""
        return [event.data for _, event in self.events if event.type == event_type]

    def topics_of(self, event_type: str) -> list[str]:
        return [topic for topic, event in self.events if event.type == event_type]
