"""Building blocks of the router's handler tests: a context around the scripted classifier and a
moved clock, grievances and classifications as the tests need them, and delivery of an event
the way the consumer does it (claim, handle, commit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.router.classifier import Classification
from services.router.classifier.evidence import Evidence
from services.router.consumers import bind
from services.router.handlers.context import RouterContext
from services.router.settings import Settings
from shared.auth import StaffPrincipal
from shared.catalog import load_catalog
from shared.clock import ManualClock
from shared.events.contracts import (
    TYPE_PREFIX,
    ComplainantView,
    Departments,
    EventPayload,
    GrievanceReceived,
    RerouteRequested,
)
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Area, PetitionKind, Role, Street, Track
from tests.unit.router.fakes import FakeRouterUow, ScriptedClassifier

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)
REVIEWER = StaffPrincipal(subject="reviewer-7", role=Role.reviewer, department=None)


def classification(
    *,
    track: Track = Track.petition,
    kind: PetitionKind | None = PetitionKind.claim,
    area: Area = Area.urban_rural_construction,
    lead: str = "housing",
    co: tuple[str, ...] = (),
    confidence: float = 0.9,
    urgent_signals: tuple[str, ...] = (),
    category: str = "城市建设和市政管理",
) -> Classification:
    return Classification(
        track=track,
        petition_kind=kind,
        area=area,
        departments=Departments(lead=lead, co=list(co)),
        urgent=bool(urgent_signals),
        urgent_signals=urgent_signals,
        confidence=confidence,
        track_probability=confidence,
        area_probability=confidence,
        kind_probability=confidence if kind else None,
        street=None,
        mentioned_departments=(),
        reasons=(Evidence("rule", "rule.test", "测试规则"),),
        category=category,
        category_probability=confidence,
        model_version="20261206-abcdef",
    )


def received(
    content: str = "小区门口的路灯坏了一个月，晚上出行很不安全",
    *,
    title: str = "路灯坏了",
    street: str | None = Street.guangming.value,
    phone: str | None = None,
    at: datetime = NOW,
) -> GrievanceReceived:
    return GrievanceReceived(
        grievance_id=str(uuid.uuid4()),
        tracking_no=f"GM-20261126-{uuid.uuid4().int % 1_000_000:06d}",
        tracking_token_hash="0" * 64,
        channel="portal",
        received_at=at,
        title=title,
        content=content,
        street=street,
        complainant=ComplainantView(
            name_masked="陈**", phone_masked="136****5678", phone_pseudonym=phone or uuid.uuid4().hex
        ),
    )


def returned(grievance: GrievanceReceived, **values: Any) -> RerouteRequested:
    base: dict[str, Any] = {
        "grievance_id": grievance.grievance_id,
        "tracking_no": grievance.tracking_no,
        "reason": "returned_by_department",
        "from_track": Track.petition,
        "excluded_departments": ["housing"],
        "detail": "不属于本单位职责",
        "requested_by": "casework",
        "requested_at": NOW + timedelta(days=2),
    }
    return RerouteRequested.model_validate(base | values)


@dataclass
class Router:
    """The router's use cases over in-memory repositories."""

    classifier: ScriptedClassifier
    clock: ManualClock
    ctx: RouterContext
    uow: FakeRouterUow = field(default_factory=FakeRouterUow)

    @classmethod
    def start(cls, default: Classification | None = None, **settings: Any) -> Router:
        catalog = load_catalog()
        classifier = ScriptedClassifier(catalog, default or classification())
        clock = ManualClock(NOW)
        ctx = RouterContext(settings=Settings(**settings), classifier=classifier, catalog=catalog, clock=clock)
        return cls(classifier, clock, ctx)

    async def deliver(self, payload: EventPayload, *, event: CloudEvent | None = None) -> CloudEvent:
        """As the consumer does: claim the event (a duplicate is skipped), handle it, commit."""
        subject = getattr(payload, "grievance_id")  # noqa: B009 - every router input carries it
        event = event or CloudEvent(
            type=payload.event_type, source="/test", subject=subject, data=payload.model_dump(mode="json")
        )
        async with self.uow:
            if not await self.uow.claim(event, "router"):
                return event
            await bind(self.ctx)[event.type](event, self.uow)
            if not self.uow.committed:
                await self.uow.commit()
        return event

    def events(self, type_suffix: str | None = None) -> list[tuple[str, CloudEvent]]:
        """Committed events, optionally only those whose type ends with ``type_suffix``."""
        return [(t, e) for t, e in self.uow.events if type_suffix is None or e.type.endswith(type_suffix)]

    def kinds(self) -> list[str]:
        """The committed events' types without the common prefix: ``routed.v1``, ``status.changed.v1``…"""
        return [e.type.removeprefix(TYPE_PREFIX) for _, e in self.uow.events]
