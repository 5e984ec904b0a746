"""Kafka subscriptions of the router (consumer group ``router``): events <-> use cases."""

from __future__ import annotations

from services.router import handlers, pseudonyms
from services.router.handlers import RouterContext
from shared.db.uow import UnitOfWork
from shared.events.contracts import ComplainantPseudonymsRotated, GrievanceReceived, RerouteRequested
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_PSEUDONYM, GRIEVANCE_RECEIVED, GRIEVANCE_REROUTE
from shared.kafka.consumer import EventHandler

GROUP_ID = "router"
TOPICS = (GRIEVANCE_RECEIVED, GRIEVANCE_REROUTE, GRIEVANCE_PSEUDONYM)


def build_handlers(ctx: RouterContext) -> dict[str, EventHandler]:
    """The handler table: which event type drives which use case."""

    async def on_received(event: CloudEvent, uow: UnitOfWork) -> None:
        await handlers.route_received(uow=uow, ctx=ctx, received=GrievanceReceived.model_validate(event.data))

    async def on_reroute(event: CloudEvent, uow: UnitOfWork) -> None:
        await handlers.reroute(uow=uow, ctx=ctx, request=RerouteRequested.model_validate(event.data))

    async def on_pseudonyms_rotated(event: CloudEvent, uow: UnitOfWork) -> None:
        rotated = ComplainantPseudonymsRotated.model_validate(event.data)
        await pseudonyms.apply_rotation(uow=uow, rotated=rotated)

    return {
        GrievanceReceived.event_type: on_received,
        RerouteRequested.event_type: on_reroute,
        ComplainantPseudonymsRotated.event_type: on_pseudonyms_rotated,
    }
