"""Kafka subscriptions of the router (consumer group ``router``): parse the event, call the use
case, nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.router.classifier import GrievanceText
from services.router.handlers import batch, pseudonyms, rerouting, routing
from services.router.handlers.context import RouterContext
from services.router.repositories import RouterUnitOfWork
from shared.db.uow import UnitOfWork
from shared.events.contracts import ComplainantPseudonymsRotated, GrievanceReceived, RerouteRequested
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_PSEUDONYM, GRIEVANCE_RECEIVED, GRIEVANCE_REROUTE
from shared.kafka.consumer import BatchPreparer, BatchWarmer, EventHandler, bind_context

GROUP_ID = "router"
TOPICS = (GRIEVANCE_RECEIVED, GRIEVANCE_REROUTE, GRIEVANCE_PSEUDONYM)

ContextHandler = Callable[[CloudEvent, RouterUnitOfWork, RouterContext], Awaitable[None]]


async def on_received(event: CloudEvent, uow: RouterUnitOfWork, ctx: RouterContext) -> None:
    received = uow.validated.get((event.source, event.id)) or GrievanceReceived.model_validate(event.data)
    await routing.route_received(uow=uow, ctx=ctx, received=received)


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


def prepare(ctx: RouterContext) -> BatchPreparer:
    """Before a poll batch of received grievances is routed one by one, classify them in one call
    and make their routing reads at once (handlers/batch.py). A batch with other events too (a
    re-route, a pseudonym rotation, rare) is routed with each grievance's own reads, which see
    what those events changed in between."""

    async def prepare_received(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
        if any(event.type != GrievanceReceived.event_type for event in events):
            return
        # A payload that does not validate fails here, and the batch is replayed one by one, where
        # it fails in its own use case alone.
        received = [GrievanceReceived.model_validate(event.data) for event in events]
        router_uow = RouterUnitOfWork.of(uow)
        await batch.prepare_batch(router_uow, ctx, received)
        router_uow.validated = {(event.source, event.id): r for event, r in zip(events, received, strict=True)}

    return prepare_received


def warm(ctx: RouterContext) -> BatchWarmer:
    """While a batch commits, classify the received grievances of the next (shared.kafka.lookahead):
    the classifier's CPU then runs during the database's, and the next prepare step takes them."""

    def classify_ahead(events: Sequence[CloudEvent]) -> None:
        received = [event.data for event in events if event.type == GrievanceReceived.event_type]
        texts = [GrievanceText(data["title"], data["content"], data.get("street")) for data in received]
        ctx.ahead.classify_ahead(ctx.classifier, texts)

    return classify_ahead


def bind(ctx: RouterContext) -> dict[str, EventHandler]:
    """The handler table with the context filled in, as the consumer runner calls it."""
    return bind_context(HANDLERS, ctx, RouterUnitOfWork)
