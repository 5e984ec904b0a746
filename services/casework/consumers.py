"""Kafka subscriptions of consumer group ``casework``: events → use cases, nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.casework.handlers import feedback, handoff
from services.casework.handlers.context import CaseworkContext
from services.casework.repositories import CaseworkUnitOfWork
from shared.db.uow import UnitOfWork
from shared.events.contracts import CitizenReviewRequested, RatingSubmitted, TrackHandoff
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_FEEDBACK, GRIEVANCE_TRACK_LITIGATION, GRIEVANCE_TRACK_PETITION
from shared.kafka.consumer import EventHandler, bind_context

GROUP_ID = "casework"
TOPICS = (GRIEVANCE_TRACK_PETITION, GRIEVANCE_TRACK_LITIGATION, GRIEVANCE_FEEDBACK)

CaseworkEventHandler = Callable[[CloudEvent, CaseworkUnitOfWork, CaseworkContext], Awaitable[None]]


async def on_handoff(event: CloudEvent, uow: CaseworkUnitOfWork, ctx: CaseworkContext) -> None:
    await handoff.take_handoff(uow=uow, ctx=ctx, handoff=TrackHandoff.model_validate(event.data))


async def on_rating(event: CloudEvent, uow: CaseworkUnitOfWork, ctx: CaseworkContext) -> None:
    await feedback.on_rating(uow=uow, ctx=ctx, rating=RatingSubmitted.model_validate(event.data))


async def on_review_request(event: CloudEvent, uow: CaseworkUnitOfWork, ctx: CaseworkContext) -> None:
    await feedback.on_review_request(uow=uow, ctx=ctx, request=CitizenReviewRequested.model_validate(event.data))


# Which event drives which use case (the consumer runner claims, commits and retries).
HANDLERS: dict[str, CaseworkEventHandler] = {
    TrackHandoff.event_type: on_handoff,
    RatingSubmitted.event_type: on_rating,
    CitizenReviewRequested.event_type: on_review_request,
}


async def prepare(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """Before a poll batch is handled event by event: lock and read the cases its hand-offs open or
    re-assign, and their repeat links, in one statement each instead of two per hand-off; the new
    cases and notices are written at the batch's commit, one statement per table."""
    casework = CaseworkUnitOfWork.of(uow)
    casework.defer_inserts()
    grievance_ids = [event.subject for event in events if event.type == TrackHandoff.event_type]
    if grievance_ids:
        await casework.cases.lock_many(grievance_ids)
        await casework.repeat_links.read_many(grievance_ids)


def bind(ctx: CaseworkContext) -> dict[str, EventHandler]:
    """The handler table with the context filled in, as the consumer runner calls it."""
    return bind_context(HANDLERS, ctx, CaseworkUnitOfWork)
