"""In-memory repositories and unit of work for casework's handler tests (no PostgreSQL).

Each fake subclasses the real repository and overrides every public method with a dict or a list.
The unit of work keeps a copy of every repository's state when a transaction begins and puts it
back if the transaction ends without a commit, so "a refused action changes nothing" can be
asserted here as it is on the real database (tests/integration/casework/)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, Self

from services.casework.domain.calendar import WorkingCalendar
from services.casework.domain.case import Case
from services.casework.domain.hearing import Hearing, HearingState
from services.casework.domain.review import request_window_ends_on
from services.casework.domain.states import CaseState
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.repositories.audit import AuditRepository
from services.casework.repositories.cases import CaseFilter, CaseRepository
from services.casework.repositories.documents import DocumentEntry, DocumentRepository, IssuedDocument
from services.casework.repositories.hearings import HearingRepository
from services.casework.repositories.idempotency import IdempotencyRepository
from services.casework.repositories.repeat_links import RepeatLinkRepository
from shared.auth import StaffPrincipal
from shared.idempotency import Attempt, KeyReused
from tests.support.fake_uow import FakeUnitOfWork
from tests.unit.casework.fake_oversight import (
    FakeAssistanceRepository,
    FakeEvaluationRepository,
    FakeRecommendationRepository,
    FakeStatisticsRepository,
)


def _running(case: Case) -> list[Any]:
    """Clocks that count: not done, not cancelled, not paused by a hearing."""
    return [d for d in case.deadlines if d.running and d.paused_at is None]


class FakeCaseRepository(CaseRepository):
    def __init__(self) -> None:
        self.cases: dict[str, Case] = {}
        self.created_at: dict[str, datetime] = {}
        # The remedy window column the real repository keeps for the scheduler.
        self.window_ends_on: dict[str, date | None] = {}

    async def lock_many(self, grievance_ids: Iterable[str]) -> None:
        """In memory every read is current anyway: nothing to read ahead."""

    async def get(self, grievance_id: str) -> Case | None:
        case = self.cases.get(grievance_id)
        return copy.deepcopy(case) if case is not None else None

    async def for_update(self, grievance_id: str, *, skip_locked: bool = False) -> Case | None:
        return await self.get(grievance_id)

    async def add(self, case: Case, *, now: datetime, calendar: WorkingCalendar) -> None:
        if case.grievance_id in self.cases:
            raise AssertionError(f"case {case.grievance_id} added twice (a primary key violation)")
        self.created_at[case.grievance_id] = now
        await self.save(case, calendar=calendar)

    async def save(self, case: Case, *, calendar: WorkingCalendar) -> None:
        self.cases[case.grievance_id] = copy.deepcopy(case)
        self.window_ends_on[case.grievance_id] = request_window_ends_on(case, calendar)

    async def search(self, filters: CaseFilter, *, today: date) -> tuple[int, list[Case]]:
        def matches(case: Case) -> bool:
            mine = filters.department
            if mine is not None:
                as_lead, as_co = case.lead == mine, mine in case.co
                wanted = as_lead if filters.role == "lead" else as_co if filters.role == "co" else as_lead or as_co
                if not wanted:
                    return False
            petition_kind = case.petition_kind.value if case.petition_kind else None
            for value, actual in (
                (filters.state, case.state.value),
                (filters.track, case.track.value),
                (filters.petition_kind, petition_kind),
                (filters.urgent, case.urgent),
            ):
                if value is not None and value != actual:
                    return False
            upcoming = case.next_deadline
            if filters.due_before is not None and (upcoming is None or upcoming.due_at > filters.due_before):
                return False
            late = any(d.due_on < today for d in _running(case))
            return filters.overdue is None or filters.overdue == late

        def order(case: Case) -> tuple[bool, bool, datetime | None, str]:
            upcoming = case.next_deadline
            return (not case.urgent, upcoming is None, upcoming.due_at if upcoming else None, case.grievance_id)

        found = sorted((c for c in self.cases.values() if matches(c)), key=order)
        page = found[filters.offset : filters.offset + filters.limit]
        return len(found), [copy.deepcopy(c) for c in page]

    async def existing_ids(self, grievance_ids: Iterable[str]) -> set[str]:
        return {g for g in grievance_ids if g in self.cases}

    async def closed(self, *, lead: str | None, limit: int) -> list[Case]:
        chosen = [c for c in self.cases.values() if c.state is CaseState.closed and lead in (None, c.lead)]
        return copy.deepcopy(chosen[:limit])

    async def needing_supervision(self, *, today: date, horizon: date, limit: int) -> list[str]:
        def needs(case: Case) -> bool:
            notice = any(
                (d.due_on <= horizon and not d.warned) or (d.due_on < today and not d.supervised)
                for d in _running(case)
            )
            window = self.window_ends_on.get(case.grievance_id)
            expired = case.state in (CaseState.replied, CaseState.review_decided) and window is not None
            return notice or (expired and window is not None and window < today)

        return [g for g, case in sorted(self.cases.items()) if needs(case)][:limit]


class FakeRepeatLinkRepository(RepeatLinkRepository):
    def __init__(self) -> None:
        self.links: dict[str, dict[str, Any]] = {}

    async def read_many(self, grievance_ids: Iterable[str]) -> None:
        """In memory every read is current anyway: nothing to read ahead."""

    async def revision_of(self, grievance_id: str) -> int | None:
        link = self.links.get(grievance_id)
        return int(link["revision"]) if link else None

    async def link(
        self, *, grievance_id: str, tracking_no: str, open_grievance_id: str, revision: int, outcome: str, now: datetime
    ) -> None:
        self.links[grievance_id] = {
            "tracking_no": tracking_no,
            "open_grievance_id": open_grievance_id,
            "revision": revision,
            "outcome": outcome,
            "linked_at": now,
        }

    async def unlink(self, grievance_id: str) -> None:
        self.links.pop(grievance_id, None)

    async def count_linked_to(self, open_grievance_ids: Iterable[str]) -> dict[str, int]:
        wanted = set(open_grievance_ids)
        counts: dict[str, int] = {}
        for link in self.links.values():
            if link["open_grievance_id"] in wanted:
                counts[link["open_grievance_id"]] = counts.get(link["open_grievance_id"], 0) + 1
        return counts


class FakeDocumentRepository(DocumentRepository):
    def __init__(self) -> None:
        self.documents: dict[str, IssuedDocument] = {}

    async def add(self, document: IssuedDocument) -> None:
        self.documents[document.id] = document

    async def get(self, document_id: str) -> IssuedDocument | None:
        return self.documents.get(document_id)

    async def of_case(self, grievance_id: str) -> list[DocumentEntry]:
        mine = sorted(
            (d for d in self.documents.values() if d.grievance_id == grievance_id), key=lambda d: d.created_at
        )
        return [DocumentEntry(d.id, d.kind, d.title, d.doc_no, d.created_at) for d in mine]

    async def count(self, grievance_id: str, kind: str) -> int:
        return sum(1 for d in self.documents.values() if d.grievance_id == grievance_id and d.kind == kind)

    def kinds(self, grievance_id: str) -> list[str]:
        return [
            d.kind
            for d in sorted(self.documents.values(), key=lambda d: d.created_at)
            if d.grievance_id == grievance_id
        ]


class FakeHearingRepository(HearingRepository):
    def __init__(self) -> None:
        self.hearings: dict[str, Hearing] = {}

    async def get(self, grievance_id: str, hearing_id: str) -> Hearing | None:
        hearing = self.hearings.get(hearing_id)
        return copy.deepcopy(hearing) if hearing is not None and hearing.grievance_id == grievance_id else None

    async def of_case(self, grievance_id: str) -> list[Hearing]:
        mine = [h for h in self.hearings.values() if h.grievance_id == grievance_id]
        return copy.deepcopy(sorted(mine, key=lambda h: (h.opened_at, h.id)))

    async def count_open(self, grievance_id: str) -> int:
        return sum(
            1 for h in self.hearings.values() if h.grievance_id == grievance_id and h.state is HearingState.scheduled
        )

    async def add(self, hearing: Hearing) -> None:
        self.hearings[hearing.id] = copy.deepcopy(hearing)

    async def save(self, hearing: Hearing) -> None:
        self.hearings[hearing.id] = copy.deepcopy(hearing)

    async def published(self, *, limit: int, offset: int) -> tuple[int, list[Hearing]]:
        shown = [h for h in self.hearings.values() if h.notice is not None]
        shown.sort(key=lambda h: (-h.notice.published_at.timestamp() if h.notice else 0, h.id))
        return len(shown), copy.deepcopy(shown[offset : offset + limit])


class FakeAuditRepository(AuditRepository):
    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []
        # Rows written in a transaction of their own: they survive the request's rollback.
        self.apart: list[dict[str, Any]] = []

    async def record(self, staff: StaffPrincipal, action: str, grievance_id: str | None, detail: Any) -> None:
        self.rows.append({"actor": staff.subject, "action": action, "grievance_id": grievance_id, "detail": detail})

    async def record_apart(self, staff: StaffPrincipal, action: str, grievance_id: str | None, detail: Any) -> None:
        self.apart.append({"actor": staff.subject, "action": action, "grievance_id": grievance_id, "detail": detail})

    def actions(self) -> list[str]:
        return [row["action"] for row in self.rows]


class FakeIdempotencyRepository(IdempotencyRepository):
    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}

    async def recall(self, attempt: Attempt) -> dict[str, Any] | None:
        stored = self.answers.get((attempt.principal, attempt.key))
        if stored is None:
            return None
        if stored[0] != attempt.fingerprint:
            raise KeyReused()
        return stored[1]

    async def remember(self, attempt: Attempt, *, scope: str, response: dict[str, Any]) -> None:
        self.answers[(attempt.principal, attempt.key)] = (attempt.fingerprint, response)


class FakeCaseworkUow(FakeUnitOfWork, CaseworkUnitOfWork):
    SURVIVES_ROLLBACK = frozenset({"apart"})

    # The fakes' own types, so tests can read what the use cases stored.
    cases: FakeCaseRepository
    repeat_links: FakeRepeatLinkRepository
    documents: FakeDocumentRepository
    hearings: FakeHearingRepository
    audit: FakeAuditRepository
    idempotency: FakeIdempotencyRepository
    recommendations: FakeRecommendationRepository
    assistance: FakeAssistanceRepository
    evaluations: FakeEvaluationRepository
    statistics: FakeStatisticsRepository

    def __init__(self) -> None:
        super().__init__(source="/grievance-platform/casework")
        self.cases = FakeCaseRepository()
        self.repeat_links = FakeRepeatLinkRepository()
        self.documents = FakeDocumentRepository()
        self.hearings = FakeHearingRepository()
        self.audit = FakeAuditRepository()
        self.idempotency = FakeIdempotencyRepository()
        self.recommendations = FakeRecommendationRepository()
        self.assistance = FakeAssistanceRepository()
        self.evaluations = FakeEvaluationRepository()
        self.statistics = FakeStatisticsRepository(self.cases)
        self._saved: dict[str, dict[str, Any]] = {}

    def _repositories(self) -> dict[str, Any]:
        return {name: vars(self)[name] for name in CaseworkUnitOfWork.__annotations__}

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self._saved = {
            name: copy.deepcopy({k: v for k, v in vars(repo).items() if k not in self.SURVIVES_ROLLBACK})
            for name, repo in self._repositories().items()
            if name != "statistics"  # reads the cases; holds nothing of its own
        }
        return self

    async def __aexit__(self, *exc: object) -> None:
        if not self.committed:
            for name, state in self._saved.items():
                vars(self._repositories()[name]).update(state)
        await super().__aexit__(None, None, None)

    def factory(self) -> Self:
        """As a unit-of-work factory (the scheduler's use cases open several in turn)."""
        return self
