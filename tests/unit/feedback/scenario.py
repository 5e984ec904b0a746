"""Events and a context for feedback's handler tests: a grievance goes through the consumer's
handler table into a fake unit of work, as the consumer runner would do it."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from services.feedback.consumers import bind
from services.feedback.handlers.context import FeedbackContext
from services.feedback.settings import Settings
from shared.clock import ManualClock
from shared.events.contracts import (
    ComplainantView,
    Departments,
    EventPayload,
    GrievanceReceived,
    GrievanceRouted,
    GrievanceStatusChanged,
    RoutingDecision,
)
from shared.events.envelope import CloudEvent
from shared.events.vocabulary import Area, Channel, Status, Track
from shared.pii import token_hash
from tests.unit.feedback.fakes import FakeFeedbackUow

TOKEN = "tracking-token-of-the-citizen"
DEPARTMENT = "光明区住房和建设局"
MINYI_URL = "http://127.0.0.1:9/minyi"
_numbers = itertools.count(1)


def context(clock: ManualClock, *, minyi_webhooks: bool = False) -> FeedbackContext:
    settings = Settings(environment="test", minyi_webhook_url=MINYI_URL if minyi_webhooks else None)
    return FeedbackContext.build(settings, clock=clock)


def received(at: datetime, *, channel: Channel = Channel.portal, external_ref: str | None = None) -> GrievanceReceived:
    n = next(_numbers)
    return GrievanceReceived(
        grievance_id=f"g-{n}",
        tracking_no=f"GM-20261102-{n:06d}",
        tracking_token_hash=token_hash(TOKEN),
        channel=channel,
        received_at=at,
        title="小区门口路灯不亮",
        content="小区门口的路灯已经坏了两个星期，晚上很不安全。",
        complainant=ComplainantView(name_masked="张*"),
        external_ref=external_ref,
    )


def status(of: GrievanceReceived, value: Status, at: datetime, **changes: Any) -> GrievanceStatusChanged:
    fields: dict[str, Any] = {
        "grievance_id": of.grievance_id,
        "tracking_no": of.tracking_no,
        "status": value,
        "stage": "casework",
        "message_zh": f"状态：{value.value}",
        "actor": DEPARTMENT,
        "occurred_at": at,
    }
    return GrievanceStatusChanged(**(fields | changes))


def routed(
    of: GrievanceReceived,
    at: datetime,
    *,
    revision: int = 1,
    track: Track = Track.petition,
    lead: str = "housing",
    repeat_of: str | None = None,
) -> GrievanceRouted:
    decision = RoutingDecision(
        track=track,
        area=Area.urban_rural_construction,
        departments=Departments(lead=lead),
        repeat_of=repeat_of,
        confidence=0.9,
    )
    return GrievanceRouted(
        grievance_id=of.grievance_id, tracking_no=of.tracking_no, revision=revision, decision=decision, routed_at=at
    )


def envelope(payload: EventPayload, *, source: str = "/grievance-platform/casework") -> CloudEvent:
    subject = str(payload.model_dump()["grievance_id"])
    return CloudEvent(type=payload.event_type, source=source, subject=subject, data=payload.model_dump(mode="json"))


async def consume(uow: FakeFeedbackUow, ctx: FeedbackContext, *events: CloudEvent) -> None:
    """Each event in a transaction of its own through the consumer's table, claimed once like the runner does."""
    handlers = bind(ctx)
    for event in events:
        async with uow:
            if await uow.claim(event, "feedback"):
                await handlers[event.type](event, uow)
                await uow.commit()
