"""Kafka subscriptions of the router (consumer group ``router``): parse the event, call the use
case, nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from services.router.handlers import pseudonyms, rerouting, routing
from services.router.handlers.context import RouterContext
from services.router.repositories import RouterUnitOfWork
from shared.events.contracts import ComplainantPseudonymsRotated, GrievanceReceived, RerouteRequested
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_PSEUDONYM, GRIEVANCE_RECEIVED, GRIEVANCE_REROUTE
from shared.kafka.consumer import EventHandler, bind_context

GROUP_ID = "router"
TOPICS = (GRIEVANCE_RECEIVED, GRIEVANCE_REROUTE, GRIEVANCE_PSEUDONYM)

ContextHandler = Callable[[CloudEvent, RouterUnitOfWork, RouterContext], Awaitable[None]]


async def on_received(event: CloudEvent, uow: RouterUnitOfWork, ctx: RouterContext) -> None:
    await routing.route_received(uow=uow, ctx=ctx, received=GrievanceReceived.model_validate(event.data))


async def on_reroute(event: CloudEvent, uow: RouterUnitOfWork, ctx: RouterContext) -> None:
    await rerouting.reroute(uow=uow, ctx=ctx, request=RerouteRequested.model_validate(event.data))


async def on_pseudonyms_rotated(event: CloudEvent, uow: RouterUnitOfWork, ctx: RouterContext) -> None:
    await pseudonyms.apply_rotation(uow=uow, rotated=ComplainantPseudonymsRotated.model_validate(event.data))


# Which event drives which use case (the inbox claim and the commit are the runner's).
HANDLERS: dict[str, ContextHandler] = {
    GrievanceReceived.event_type: on_received,
    RerouteRequested.event_type: on_reroute,
    ComplainantPseudonymsRotated.event_type: on_pseudonyms_rotated,
}


def bind(ctx: RouterContext) -> dict[str, EventHandler]:
    """The handler table with the context filled in, as the consumer runner calls it."""
    return bind_context(HANDLERS, ctx, RouterUnitOfWork)
