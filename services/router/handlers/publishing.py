"""What the router publishes for a decision, all through the outbox of the caller's transaction:

urgent alert (once per grievance, first), ``grievance.routed``, then either the track hand-off and
the ``classified`` status, or the review request and the ``under_review`` status.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from services.router.domain import messages
from services.router.handlers.context import RouterContext
from services.router.repositories import RouterUnitOfWork
from shared import statutory
from shared.events.citizen_status import citizen_status
from shared.events.contracts import (
    EventPayload,
    GrievanceReceived,
    GrievanceRouted,
    GrievanceStatusChanged,
    ReviewRequested,
    RoutingDecision,
    TrackHandoff,
    UrgentAlertRaised,
    track_topic,
)
from shared.events.vocabulary import Status

# 《信访工作条例》§22: register, then assign within 15 days of receipt.
ASSIGN_DAYS = 15


@dataclass
class Publication:
    grievance_id: str
    revision: int
    decision: RoutingDecision
    review_id: str | None = None
    topics: list[str] = field(default_factory=list)


async def publish_decision(
    *,
    uow: RouterUnitOfWork,
    ctx: RouterContext,
    received: GrievanceReceived,
    decision: RoutingDecision,
    revision: int,
    already_alerted: bool,
    review_reason: str,
    review_detail: str = "",
    repeat_tracking_no: str | None = None,
    reroute_reason: str | None = None,
) -> Publication:
    now = ctx.clock.now()
    gid = received.grievance_id
    names = ctx.names
    publication = Publication(gid, revision, decision)

    async def publish(payload: EventPayload, topic: str | None = None) -> None:
        await uow.publish(payload, subject=gid, topic=topic)
        publication.topics.append(topic or payload.topic)

    def status(value: Status, message: str, **detail: object) -> GrievanceStatusChanged:
        return citizen_status(
            grievance_id=gid,
            tracking_no=received.tracking_no,
            status=value,
            stage="review" if value is Status.under_review else "routing",
            message_zh=message,
            detail={"revision": revision},
            extra=detail,
            actor=messages.BUREAU,
            due_at=statutory.due_at(received.received_at, ASSIGN_DAYS) if value is Status.under_review else None,
            occurred_at=now,
        )

    if decision.urgent and not already_alerted:
        await publish(
            UrgentAlertRaised(
                grievance_id=gid,
                tracking_no=received.tracking_no,
                signals=decision.urgent_signals,
                street=received.street,
                area=decision.area,
                category=decision.category,
                lead_department=decision.departments.lead,
                summary=f"{received.title}：{received.content[:120]}",
                raised_at=now,
            )
        )
        await publish(status(Status.urgent_alert, messages.urgent_message(decision.urgent_signals)))
        await uow.grievances.mark_alerted(gid, now)
    await publish(
        GrievanceRouted(
            grievance_id=gid, tracking_no=received.tracking_no, revision=revision, decision=decision, routed_at=now
        )
    )
    if decision.needs_review:
        publication.review_id = str(uuid.uuid4())
        await uow.reviews.add(
            review_id=publication.review_id,
            grievance_id=gid,
            revision=revision,
            reason=review_reason,
            reason_detail=review_detail,
            proposed=decision,
            at=now,
        )
        await publish(
            ReviewRequested(
                grievance_id=gid,
                tracking_no=received.tracking_no,
                reason=review_reason,
                proposed=decision,
                requested_at=now,
            )
        )
        await publish(status(Status.under_review, messages.under_review_message(), review_id=publication.review_id))
        return publication
    await publish(
        TrackHandoff(grievance=received, decision=decision, revision=revision, handed_off_at=now),
        topic=track_topic(decision.track),
    )
    if reroute_reason is not None and decision.decided_by == "reroute":
        message = messages.reroute_message(reroute_reason, decision, names)
    else:
        message = messages.classified_message(
            decision, names, repeat_tracking_no=repeat_tracking_no, reviewed=decision.decided_by == "reviewer"
        )
    await publish(
        status(
            Status.classified,
            message,
            track=decision.track.value,
            area=decision.area.value,
            category=decision.category,
            item=decision.item,
            lead=decision.departments.lead,
            co=decision.departments.co,
        )
    )
    return publication
