"""In-memory stand-ins for the router's repositories, unit of work and classifier: the use cases
run against them without Kafka or PostgreSQL (the integration tests prove the SQL).

Each fake subclasses the real repository and overrides every public method, keeping the rows in
plain dicts and lists with the constraints the schema enforces (one row per grievance, one
decision per revision, one pending review per grievance, one example per review).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.router.classifier import Classification, Classifier, Constraints, GrievanceText
from services.router.classifier.departments import DepartmentChooser
from services.router.domain.matching import Earlier
from services.router.domain.records import LabelledExample, PendingRotation, ReviewFilter, ReviewItem, RoutedGrievance
from services.router.domain.series import SeriesRow
from services.router.domain.statistics import Counts
from services.router.repositories import (
    AdvisoryLocks,
    AuditRepository,
    DecisionRepository,
    GrievanceRepository,
    LabelledExampleRepository,
    PendingRotationRepository,
    ReviewRepository,
    RouterUnitOfWork,
    StatisticsRepository,
)
from shared.auth import StaffPrincipal
from shared.catalog import Catalog
from shared.db.audit import SystemActor
from shared.events.contracts import ComplainantPseudonymsRotated, GrievanceReceived, RoutingDecision
from shared.statistics_params import Period
from tests.support.fake_uow import FakeUnitOfWork


class Conflict(Exception):
    """What PostgreSQL would refuse: a second row where a unique index allows one."""


@dataclass
class GrievanceRow:
    """One row of the read model, as the table keeps it."""

    received: GrievanceReceived
    decision: RoutingDecision
    revision: int
    state: str
    repeat_of: str | None = None
    cluster_id: str | None = None
    excluded_departments: list[str] = dataclasses.field(default_factory=list)
    alerted_at: datetime | None = None

    def earlier(self) -> Earlier:
        complainant = self.received.complainant
        return Earlier(
            grievance_id=self.received.grievance_id,
            tracking_no=self.received.tracking_no,
            text=f"{self.received.title}。{self.received.content}",
            area=self.decision.area.value,
            received_at=self.received.received_at,
            repeat_of=self.repeat_of,
            complainant=complainant.phone_pseudonym or complainant.id_card_pseudonym,
            cluster_id=self.cluster_id,
        )


def _state(decision: RoutingDecision) -> str:
    return "under_review" if decision.needs_review else "routed"


class FakeGrievances(GrievanceRepository):
    def __init__(self) -> None:
        self.rows: dict[str, GrievanceRow] = {}

    async def add(self, received: GrievanceReceived, decision: RoutingDecision) -> bool:
        if received.grievance_id in self.rows:
            return False
        self.rows[received.grievance_id] = GrievanceRow(
            received, decision, 1, _state(decision), repeat_of=decision.repeat_of, cluster_id=decision.cluster_id
        )
        return True

    async def get(self, grievance_id: str, *, for_update: bool = False) -> RoutedGrievance | None:
        row = self.rows.get(grievance_id)
        if row is None:
            return None
        return RoutedGrievance(
            received=row.received,
            revision=row.revision,
            decision=row.decision,
            repeat_of=row.repeat_of,
            cluster_id=row.cluster_id,
            excluded_departments=tuple(row.excluded_departments),
            alerted_at=row.alerted_at,
        )

    async def apply_decision(
        self,
        grievance_id: str,
        decision: RoutingDecision,
        *,
        revision: int,
        excluded_departments: Sequence[str] | None = None,
    ) -> None:
        row = self.rows[grievance_id]
        row.decision, row.revision, row.state = decision, revision, _state(decision)
        if excluded_departments is not None:
            row.excluded_departments = list(excluded_departments)

    async def mark_alerted(self, grievance_id: str, at: datetime) -> None:
        self.rows[grievance_id].alerted_at = at

    async def replace_received(self, received: GrievanceReceived) -> None:
        self.rows[received.grievance_id].received = received

    async def set_cluster(self, grievance_ids: Sequence[str], cluster_id: str) -> None:
        for grievance_id in grievance_ids:
            self.rows[grievance_id].cluster_id = cluster_id

    async def earlier_of_complainant(
        self,
        *,
        phones: Sequence[str],
        id_cards: Sequence[str],
        before: datetime,
        since: datetime,
        exclude: str,
    ) -> list[Earlier]:
        def theirs(row: GrievanceRow) -> bool:
            view = row.received.complainant
            return (view.phone_pseudonym in phones) or (view.id_card_pseudonym in id_cards)

        found = [
            row
            for gid, row in self.rows.items()
            if gid != exclude and theirs(row) and since <= row.received.received_at <= before
        ]
        return [row.earlier() for row in sorted(found, key=lambda r: r.received.received_at)][:50]

    async def neighbours(
        self, *, street: str, area: str, since: datetime, until: datetime, exclude: str
    ) -> list[Earlier]:
        found = [
            row
            for gid, row in self.rows.items()
            if gid != exclude
            and row.received.street == street
            and row.decision.area.value == area
            and since <= row.received.received_at <= until
        ]
        return [row.earlier() for row in sorted(found, key=lambda r: r.received.received_at, reverse=True)][:100]


class FakeDecisions(DecisionRepository):
    def __init__(self) -> None:
        self.history: dict[tuple[str, int], RoutingDecision] = {}

    async def add(self, grievance_id: str, revision: int, decision: RoutingDecision) -> None:
        if (grievance_id, revision) in self.history:
            raise Conflict(f"decision {revision} of {grievance_id} exists")
        self.history[(grievance_id, revision)] = decision

    def of(self, grievance_id: str) -> list[RoutingDecision]:
        return [d for (gid, _), d in sorted(self.history.items()) if gid == grievance_id]


class FakeReviews(ReviewRepository):
    """The queue; it reads the grievance's side of an item from the fake read model (the join)."""

    def __init__(self, grievances: FakeGrievances) -> None:
        self.grievances = grievances
        self.items: dict[str, ReviewItem] = {}

    async def add(
        self,
        *,
        review_id: str,
        grievance_id: str,
        revision: int,
        reason: str,
        reason_detail: str,
        proposed: RoutingDecision,
        at: datetime,
    ) -> None:
        if any(i.grievance_id == grievance_id and i.is_pending for i in self.items.values()):
            raise Conflict(f"{grievance_id} already waits for a reviewer")
        row = self.grievances.rows[grievance_id]
        self.items[review_id] = ReviewItem(
            review_id=review_id,
            grievance_id=grievance_id,
            revision=revision,
            reason=reason,
            reason_detail=reason_detail,
            proposed=proposed,
            status="pending",
            created_at=at,
            received=row.received,
        )

    async def get(self, review_id: str, *, for_update: bool = False) -> ReviewItem | None:
        item = self.items.get(review_id)
        return self._joined(item) if item is not None else None

    async def page(self, wanted: ReviewFilter, *, limit: int, offset: int) -> tuple[list[ReviewItem], int]:
        matching = [self._joined(item) for item in self.items.values() if _wanted(item, wanted)]
        matching.sort(key=lambda i: (not i.proposed.urgent, i.created_at, i.review_id))
        return matching[offset : offset + limit], len(matching)

    async def record_decision(
        self, review_id: str, decision: RoutingDecision, *, decided_by: str, comment: str, at: datetime
    ) -> None:
        self.items[review_id] = dataclasses.replace(
            self.items[review_id],
            status="decided",
            decision=decision,
            decided_by=decided_by,
            comment=comment,
            decided_at=at,
        )

    async def supersede_pending(self, grievance_id: str, at: datetime) -> None:
        for review_id, item in list(self.items.items()):
            if item.grievance_id == grievance_id and item.is_pending:
                self.items[review_id] = dataclasses.replace(item, status="superseded", decided_at=at)

    async def count_pending(self) -> int:
        return sum(item.is_pending for item in self.items.values())

    def pending_of(self, grievance_id: str) -> list[ReviewItem]:
        return [i for i in self.items.values() if i.grievance_id == grievance_id and i.is_pending]

    def _joined(self, item: ReviewItem) -> ReviewItem:
        row = self.grievances.rows[item.grievance_id]
        return dataclasses.replace(item, received=row.received, excluded_departments=tuple(row.excluded_departments))


def _wanted(item: ReviewItem, wanted: ReviewFilter) -> bool:
    proposed = item.proposed
    return (
        item.status == wanted.status
        and (wanted.track is None or proposed.track is wanted.track)
        and (wanted.area is None or proposed.area.value == wanted.area)
        and (wanted.category is None or proposed.category == wanted.category)
        and (wanted.street is None or item.received.street == wanted.street.value)
        and (wanted.urgent is None or proposed.urgent == wanted.urgent)
    )


class FakeExamples(LabelledExampleRepository):
    def __init__(self) -> None:
        self.examples: list[LabelledExample] = []

    async def add(self, example: LabelledExample) -> None:
        if any(e.review_id == example.review_id for e in self.examples):
            raise Conflict(f"review {example.review_id} already taught an example")
        self.examples.append(dataclasses.replace(example, id=len(self.examples) + 1))

    async def all(self) -> list[LabelledExample]:
        return list(self.examples)


class FakeRotations(PendingRotationRepository):
    def __init__(self) -> None:
        self.pending: dict[str, PendingRotation] = {}

    async def take(self, grievance_id: str) -> PendingRotation | None:
        return self.pending.pop(grievance_id, None)

    async def keep(self, rotated: ComplainantPseudonymsRotated) -> None:
        self.pending[rotated.grievance_id] = PendingRotation(
            rotated.grievance_id, rotated.phone_pseudonym, rotated.id_card_pseudonym
        )


class FakeLocks(AdvisoryLocks):
    def __init__(self) -> None:
        self.taken: list[str] = []

    async def take(self, keys: Iterable[str]) -> None:
        self.taken.extend(sorted(set(keys)))


@dataclass(frozen=True)
class AuditRow:
    actor: str
    action: str
    subject: str | None
    detail: Mapping[str, Any]


class FakeAudit(AuditRepository):
    def __init__(self) -> None:
        self.rows: list[AuditRow] = []

    async def record(
        self, *, actor: StaffPrincipal | SystemActor, action: str, subject: str | None, detail: Mapping[str, Any]
    ) -> None:
        who = actor.subject if isinstance(actor, StaffPrincipal) else actor.name
        self.rows.append(AuditRow(who, action, subject, dict(detail)))


class FakeStatistics(StatisticsRepository):
    """Counting is SQL (tests/integration/router/test_statistics.py); here the counts are given."""

    def __init__(self, counts: Counts | None = None, rows: dict[SeriesRow, int] | None = None) -> None:
        self.given_counts = counts or Counts()
        self.given_rows = rows or {}
        self.calls: list[str] = []

    async def snapshot(self) -> None:
        self.calls.append("snapshot")

    async def counts(self, window: Period) -> Counts:
        self.calls.append("counts")
        return self.given_counts

    async def series_rows(self, window: Period) -> dict[SeriesRow, int]:
        self.calls.append("series_rows")
        return self.given_rows


class FakeRouterUow(FakeUnitOfWork, RouterUnitOfWork):
    grievances: FakeGrievances
    decisions: FakeDecisions
    reviews: FakeReviews
    examples: FakeExamples
    rotations: FakeRotations
    locks: FakeLocks
    audit: FakeAudit
    statistics: FakeStatistics

    def __init__(self) -> None:
        super().__init__(source="/grievance-platform/router")
        self.grievances = FakeGrievances()
        self.decisions = FakeDecisions()
        self.reviews = FakeReviews(self.grievances)
        self.examples = FakeExamples()
        self.rotations = FakeRotations()
        self.locks = FakeLocks()
        self.audit = FakeAudit()
        self.statistics = FakeStatistics()


class ScriptedClassifier(Classifier):
    """Answers with the classification given for a title (or the default), and remembers what it
    was asked; the department chooser is the catalog's real one (reviewers' choices use it)."""

    def __init__(self, catalog: Catalog, default: Classification) -> None:
        # No model: the use cases' logic is under test, not the model's (tests/unit/router/test_classifier.py).
        self.chooser = DepartmentChooser.load(catalog)
        self.default = default
        self.by_title: dict[str, Classification] = {}
        self.asked: list[tuple[GrievanceText, Constraints]] = []

    def classify(self, item: GrievanceText, constraints: Constraints = Constraints()) -> Classification:
        self.asked.append((item, constraints))
        return self.by_title.get(item.title, self.default)

    def classify_many(
        self, items: Sequence[GrievanceText], constraints: Sequence[Constraints] | None = None
    ) -> list[Classification]:
        wanted = constraints or [Constraints()] * len(items)
        return [self.classify(item, c) for item, c in zip(items, wanted, strict=True)]
