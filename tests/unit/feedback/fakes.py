"""In-memory repositories and unit of work for feedback's handler tests (no PostgreSQL).

Each fake subclasses the real repository and overrides every public method with the same
meaning on dicts and lists, including what the database would refuse (a unique key) or order
(a grievance's webhooks). ``session`` raises: a use case that reaches past its repositories for
SQL fails here. The integration tests prove the SQL itself on real PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from services.feedback.domain.follow_up import FollowUpState
from services.feedback.domain.grievance import Grievance, RatingRecord, ReviewRequestRecord, Routing
from services.feedback.domain.statistics import Grouping, RepeatCounts, SatisfactionFigures
from services.feedback.domain.webhooks import Delivery
from services.feedback.repositories import (
    FeedbackUnitOfWork,
    GrievanceRepository,
    RatingRepository,
    ReviewRequestRepository,
    SatisfactionStatisticsRepository,
    TimelineRepository,
    WebhookDeliveryRepository,
)
from services.feedback.schemas import TimelineEntryRead
from services.feedback.stream.notices import encode_known
from shared.clock import ManualClock
from shared.events.vocabulary import Rating
from tests.support.fake_uow import FakeUnitOfWork

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)


class UniqueViolation(Exception):
    """What PostgreSQL would answer to a second row with the same unique key."""


@dataclass
class StoredDelivery:
    id: int
    webhook_id: str
    target: str
    grievance_id: str
    seq: int
    body: bytes
    attempts: int = 0
    next_attempt_at: datetime = T0
    delivered_at: datetime | None = None
    failed_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None

    @property
    def pending(self) -> bool:
        return self.delivered_at is None and self.failed_at is None


@dataclass
class Tables:
    """The feedback schema as plain Python, shared by the repositories of one fake unit of work."""

    clock: ManualClock
    grievances: dict[str, Grievance] = field(default_factory=dict)
    routings: dict[str, Routing] = field(default_factory=dict)
    timeline: dict[str, list[TimelineEntryRead]] = field(default_factory=dict)
    event_keys: set[tuple[str, str]] = field(default_factory=set)
    notices: list[str] = field(default_factory=list)  # NOTIFY payloads, in commit order
    ratings: list[RatingRecord] = field(default_factory=list)
    review_requests: list[ReviewRequestRecord] = field(default_factory=list)
    deliveries: list[StoredDelivery] = field(default_factory=list)


class FakeGrievanceRepository(GrievanceRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def hold(self, tracking_nos: Mapping[str, str]) -> None:
        # Creates the rows not there yet, like the real one; writes are immediate here anyway.
        for grievance_id, tracking_no in tracking_nos.items():
            self._tables.grievances.setdefault(
                grievance_id, Grievance(grievance_id=grievance_id, tracking_no=tracking_no)
            )

    async def flush(self) -> None:
        return None

    async def record_received(
        self,
        *,
        grievance_id: str,
        tracking_no: str,
        tracking_token_hash: str,
        channel: str,
        external_ref: str | None,
        received_at: datetime,
    ) -> Grievance:
        known = self._tables.grievances.get(grievance_id, Grievance(grievance_id=grievance_id, tracking_no=tracking_no))
        grievance = replace(
            known,
            tracking_no=tracking_no,
            tracking_token_hash=tracking_token_hash,
            channel=channel,
            external_ref=external_ref,
            received_at=received_at,
        )
        self._tables.grievances[grievance_id] = grievance
        return grievance

    async def next_sequence(
        self, *, grievance_id: str, tracking_no: str, status: str, occurred_at: datetime
    ) -> Grievance:
        known = self._tables.grievances.get(grievance_id)
        if known is None:
            grievance = Grievance(grievance_id=grievance_id, tracking_no=tracking_no, last_seq=1)
        else:
            grievance = replace(known, last_seq=known.last_seq + 1)
        self._tables.grievances[grievance_id] = grievance
        return grievance

    async def record_follow_up(self, grievance_id: str, state: FollowUpState, *, answered_by: str | None) -> None:
        known = self._tables.grievances[grievance_id]
        self._tables.grievances[grievance_id] = replace(
            known,
            answered_at=state.answered_at,
            answer_round=state.answer_round,
            review_decided_at=state.review_decided_at,
            answered_by=answered_by if answered_by is not None else known.answered_by,
        )

    async def record_routing(self, *, grievance_id: str, tracking_no: str, routing: Routing) -> None:
        self._tables.grievances.setdefault(grievance_id, Grievance(grievance_id=grievance_id, tracking_no=tracking_no))
        kept = self._tables.routings.get(grievance_id)
        if kept is None or kept.revision <= routing.revision:
            self._tables.routings[grievance_id] = routing

    async def by_tracking_no(self, tracking_no: str, *, for_update: bool = False) -> Grievance | None:
        return next((g for g in self._tables.grievances.values() if g.tracking_no == tracking_no), None)


class FakeTimelineRepository(TimelineRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def defer(self) -> None:
        return None

    async def flush(self) -> None:
        return None

    async def announce_known(self, tracking_no: str) -> None:
        self._tables.notices.append(encode_known(tracking_no))

    async def append(
        self, *, grievance_id: str, entry: TimelineEntryRead, event_source: str, event_id: str, notice: str | None
    ) -> None:
        if (event_source, event_id) in self._tables.event_keys:
            raise UniqueViolation(f"timeline_entry ({event_source}, {event_id})")
        self._tables.event_keys.add((event_source, event_id))
        self._tables.timeline.setdefault(grievance_id, []).append(entry)
        if notice is not None:
            self._tables.notices.append(notice)

    async def after(self, grievance_id: str, *, after_seq: int, limit: int = 500) -> list[TimelineEntryRead]:
        entries = sorted(self._tables.timeline.get(grievance_id, []), key=lambda e: e.sequence)
        return [e for e in entries if e.sequence > after_seq][:limit]


class FakeRatingRepository(RatingRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, record: RatingRecord) -> None:
        if any((r.grievance_id, r.round) == (record.grievance_id, record.round) for r in self._tables.ratings):
            raise UniqueViolation(f"rating ({record.grievance_id}, {record.round})")
        self._tables.ratings.append(record)

    async def last_round(self, grievance_id: str) -> int:
        return max((r.round for r in self._tables.ratings if r.grievance_id == grievance_id), default=0)

    async def latest(self, grievance_id: str) -> RatingRecord | None:
        mine = [r for r in self._tables.ratings if r.grievance_id == grievance_id]
        return max(mine, key=lambda r: r.round, default=None)


class FakeReviewRequestRepository(ReviewRequestRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    async def add(self, record: ReviewRequestRecord) -> None:
        if record.level in await self.levels(record.grievance_id):
            raise UniqueViolation(f"review_request ({record.grievance_id}, {record.level})")
        self._tables.review_requests.append(record)

    async def levels(self, grievance_id: str) -> set[str]:
        return {r.level for r in self._tables.review_requests if r.grievance_id == grievance_id}


def _within(moment: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    return moment is not None and (since is None or moment >= since) and (until is None or moment < until)


def _figures(ratings: list[RatingRecord]) -> SatisfactionFigures:
    return SatisfactionFigures(
        satisfied=sum(r.rating is Rating.satisfied for r in ratings),
        basically_satisfied=sum(r.rating is Rating.basically_satisfied for r in ratings),
        dissatisfied=sum(r.rating is Rating.dissatisfied for r in ratings),
        reopen_requested=sum(r.reopen_requested for r in ratings),
    )


class FakeSatisfactionStatisticsRepository(SatisfactionStatisticsRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def _rated(self, since: datetime | None, until: datetime | None) -> list[RatingRecord]:
        return [r for r in self._tables.ratings if _within(r.submitted_at, since, until)]

    async def ratings(self, *, since: datetime | None, until: datetime | None) -> SatisfactionFigures:
        return _figures(self._rated(since, until))

    async def ratings_by(
        self, grouping: Grouping, *, since: datetime | None, until: datetime | None
    ) -> list[tuple[str | None, SatisfactionFigures]]:
        groups: dict[str | None, list[RatingRecord]] = {}
        for record in self._rated(since, until):
            routing = self._tables.routings.get(record.grievance_id)
            key = None if routing is None else routing.track if grouping == "track" else routing.lead_department
            groups.setdefault(key, []).append(record)
        return [(key, _figures(records)) for key, records in groups.items()]

    async def repeats(self, *, since: datetime | None, until: datetime | None) -> RepeatCounts:
        routed = [r for r in self._tables.routings.values() if _within(r.routed_at, since, until)]
        return RepeatCounts(routed=len(routed), repeats=sum(r.repeat_of is not None for r in routed))


class FakeWebhookDeliveryRepository(WebhookDeliveryRepository):
    def __init__(self, tables: Tables) -> None:
        self._tables = tables

    def defer(self) -> None:
        return None

    async def flush(self) -> None:
        return None

    async def queue(self, *, webhook_id: str, target: str, grievance_id: str, seq: int, body: bytes) -> None:
        if any(d.webhook_id == webhook_id for d in self._tables.deliveries):
            return
        next_id = len(self._tables.deliveries) + 1
        self._tables.deliveries.append(
            StoredDelivery(
                next_id, webhook_id, target, grievance_id, seq, body, next_attempt_at=self._tables.clock.now()
            )
        )

    async def lease_due(self, *, limit: int, lease: timedelta) -> list[Delivery]:
        now = self._tables.clock.now()
        waiting: set[str] = set()  # grievances with an earlier delivery still pending
        leased: list[Delivery] = []
        for stored in sorted(self._tables.deliveries, key=lambda d: d.id):
            if not stored.pending:
                continue
            blocked = stored.grievance_id in waiting
            waiting.add(stored.grievance_id)
            if blocked or stored.next_attempt_at > now or len(leased) >= limit:
                continue
            stored.attempts += 1
            stored.next_attempt_at = now + lease
            leased.append(Delivery(stored.id, stored.webhook_id, stored.target, stored.body, stored.attempts))
        return leased

    def _stored(self, delivery_id: int) -> StoredDelivery:
        return next(d for d in self._tables.deliveries if d.id == delivery_id)

    async def record_delivered(self, delivery_id: int, *, status: int | None) -> None:
        stored = self._stored(delivery_id)
        stored.delivered_at, stored.last_status, stored.last_error = self._tables.clock.now(), status, None

    async def record_given_up(self, delivery_id: int, *, status: int | None, error: str | None) -> None:
        stored = self._stored(delivery_id)
        stored.failed_at, stored.last_status, stored.last_error = self._tables.clock.now(), status, error

    async def record_retry(self, delivery_id: int, *, status: int | None, error: str | None, after: timedelta) -> None:
        stored = self._stored(delivery_id)
        stored.next_attempt_at, stored.last_status, stored.last_error = self._tables.clock.now() + after, status, error


class FakeFeedbackUow(FakeUnitOfWork, FeedbackUnitOfWork):
    def __init__(self, clock: ManualClock | None = None) -> None:
        super().__init__(source="/grievance-platform/feedback")
        self.tables = Tables(clock=clock or ManualClock(T0))
        self.grievances = FakeGrievanceRepository(self.tables)
        self.timeline = FakeTimelineRepository(self.tables)
        self.ratings = FakeRatingRepository(self.tables)
        self.review_requests = FakeReviewRequestRepository(self.tables)
        self.statistics = FakeSatisfactionStatisticsRepository(self.tables)
        self.webhooks = FakeWebhookDeliveryRepository(self.tables)
