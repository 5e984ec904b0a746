"""Kafka subscriptions of group ``feedback``: events in, read-model use cases out, nothing else."""

from __future__ import annotations

from services.feedback.projection import ProjectionOptions, record_received, record_routed, record_status
from services.feedback.settings import Settings
from shared.db.uow import UnitOfWork
from shared.events import topics
from shared.events.contracts import GrievanceReceived, GrievanceRouted, GrievanceStatusChanged
from shared.events.envelope import CloudEvent
from shared.kafka.consumer import EventHandler

GROUP_ID = "feedback"
TOPICS = (topics.GRIEVANCE_RECEIVED, topics.GRIEVANCE_STATUS, topics.GRIEVANCE_ROUTED)


def event_handlers(settings: Settings) -> dict[str, EventHandler]:
    """Which event drives which use case (the inbox claim and commit are the runner's)."""
    options = ProjectionOptions(minyi_webhooks=settings.minyi_webhook_url is not None)

    async def on_received(event: CloudEvent, uow: UnitOfWork) -> None:
        await record_received(uow=uow, received=GrievanceReceived.model_validate(event.data), options=options)

    async def on_status(event: CloudEvent, uow: UnitOfWork) -> None:
        status = GrievanceStatusChanged.model_validate(event.data)
        await record_status(uow=uow, event=event, status=status, options=options)

    async def on_routed(event: CloudEvent, uow: UnitOfWork) -> None:
        await record_routed(uow=uow, routed=GrievanceRouted.model_validate(event.data))

    return {
        GrievanceReceived.event_type: on_received,
        GrievanceStatusChanged.event_type: on_status,
        GrievanceRouted.event_type: on_routed,
    }
