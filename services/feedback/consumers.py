"""Kafka subscriptions of group ``feedback``: events in, read-model use cases out, nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.feedback.handlers.context import FeedbackContext
from services.feedback.handlers.projection import record_received, record_routed, record_status
from services.feedback.repositories import FeedbackUnitOfWork
from shared.db.uow import UnitOfWork
from shared.events import topics
from shared.events.contracts import GrievanceReceived, GrievanceRouted, GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.kafka.consumer import EventHandler, bind_context

GROUP_ID = "feedback"
TOPICS = (topics.GRIEVANCE_RECEIVED, topics.GRIEVANCE_STATUS, topics.GRIEVANCE_ROUTED)

ContextHandler = Callable[[CloudEvent, FeedbackUnitOfWork, FeedbackContext], Awaitable[None]]


async def on_received(event: CloudEvent, uow: FeedbackUnitOfWork, ctx: FeedbackContext) -> None:
    await record_received(uow=uow, ctx=ctx, received=GrievanceReceived.model_validate(event.data))


async def on_status(event: CloudEvent, uow: FeedbackUnitOfWork, ctx: FeedbackContext) -> None:
    await record_status(uow=uow, ctx=ctx, event=event, status=GrievanceStatusChanged.model_validate(event.data))


async def on_routed(event: CloudEvent, uow: FeedbackUnitOfWork, ctx: FeedbackContext) -> None:
    await record_routed(uow=uow, routed=GrievanceRouted.model_validate(event.data))


# Which event drives which use case (the inbox claim and the commit are the runner's).
HANDLERS: dict[str, ContextHandler] = {
    GrievanceReceived.event_type: on_received,
    GrievanceStatusChanged.event_type: on_status,
    GrievanceRouted.event_type: on_routed,
}


def grievances_of(events: Sequence[CloudEvent]) -> dict[str, str]:
    """The grievances (id -> tracking number) the events are about, read from the payloads as
    they came: a payload without them is left to its use case, whose validation fails it."""
    found: dict[str, str] = {}
    for event in events:
        grievance_id, tracking_no = event.data.get("grievance_id"), event.data.get("tracking_no")
        if isinstance(grievance_id, str) and isinstance(tracking_no, str):
            found.setdefault(grievance_id, tracking_no)
    return found


async def prepare(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """Before a poll batch's events are projected one by one: lock and read all their grievances
    in one statement and let the batch's writes wait for commit, one statement per table."""
    await FeedbackUnitOfWork.of(uow).hold_batch(grievances_of(events))


def bind(ctx: FeedbackContext) -> dict[str, EventHandler]:
    """The handler table with the context filled in, as the consumer runner calls it."""
    return bind_context(HANDLERS, ctx, FeedbackUnitOfWork)
