"""Kafka subscriptions of group ``intake``: status events in, the status read model out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.intake.handlers.context import IntakeContext
from services.intake.handlers.status import record_status
from services.intake.repositories import IntakeUnitOfWork
from shared.db.uow import UnitOfWork
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


async def prepare(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """A poll batch: read and lock the entries of its grievances in one statement and write their
    newest entries at commit in one statement, instead of a read and a write per event. The
    record key, and so the subject, is the grievance id; an event whose payload names another
    grievance is read and written on its own, as alone."""
    await IntakeUnitOfWork.of(uow).statuses.lock_many(event.subject for event in events if event.subject)


def bind(ctx: IntakeContext) -> dict[str, EventHandler]:
    """The handler table with the context filled in, as the consumer runner calls it."""
    return bind_context(HANDLERS, ctx, IntakeUnitOfWork)
