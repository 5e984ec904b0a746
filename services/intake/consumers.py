"""Kafka subscriptions of group ``intake``: status events in, the status read model out."""

from __future__ import annotations

from services.intake.handlers.status import record_status
from services.intake.repositories import intake_uow
from shared.db.uow import UnitOfWork
from shared.events import topics
from shared.events.contracts import GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.kafka.consumer import EventHandler

GROUP_ID = "intake"
TOPICS = (topics.GRIEVANCE_STATUS,)


async def on_status(event: CloudEvent, uow: UnitOfWork) -> None:
    await record_status(uow=intake_uow(uow), status=GrievanceStatusChanged.model_validate(event.data))


# Which event drives which use case (the inbox claim and the commit are the runner's).
HANDLERS: dict[str, EventHandler] = {GrievanceStatusChanged.event_type: on_status}
