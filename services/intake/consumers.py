"""Kafka subscriptions of group ``intake``: status events in, the status read model out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.intake.handlers.context import IntakeContext
from services.intake.handlers.status import record_status
from services.intake.repositories import IntakeUnitOfWork
from shared.events import topics
from shared.events.contracts import GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.kafka.consumer import EventHandler, bind_context

GROUP_ID = "intake"
TOPICS = (topics.GRIEVANCE_STATUS,)


ContextHandler = Callable[[CloudEvent, IntakeUnitOfWork, IntakeContext], Awaitable[None]]


async def on_status(event: CloudEvent, uow: IntakeUnitOfWork, ctx: IntakeContext) -> None:
    await record_status(uow=uow, status=GrievanceStatusChanged.model_validate(event.data))


# Which event drives which use case (the inbox claim and the commit are the runner's).
HANDLERS: dict[str, ContextHandler] = {GrievanceStatusChanged.event_type: on_status}


def bind(ctx: IntakeContext) -> dict[str, EventHandler]:
    """The handler table with the context filled in, as the consumer runner calls it."""
    return bind_context(HANDLERS, ctx, IntakeUnitOfWork)
