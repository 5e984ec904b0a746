"""Kafka subscriptions of consumer group ``mediation``: events in, use cases called, nothing else."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.feedback import take_rating
from services.mediation.handlers.opening import open_mediation
from services.mediation.repositories import MediationUnitOfWork
from shared.db.uow import UnitOfWork
from shared.events.contracts import RatingSubmitted, TrackHandoff
from shared.events.envelope import CloudEvent
from shared.events.topics import GRIEVANCE_FEEDBACK, GRIEVANCE_TRACK_MEDIATION
from shared.kafka.consumer import EventHandler, bind_context

GROUP_ID = "mediation"
TOPICS = (GRIEVANCE_TRACK_MEDIATION, GRIEVANCE_FEEDBACK)

ContextHandler = Callable[[CloudEvent, MediationUnitOfWork, MediationContext], Awaitable[None]]


async def on_track_handoff(event: CloudEvent, uow: MediationUnitOfWork, ctx: MediationContext) -> None:
    await open_mediation(uow=uow, ctx=ctx, handoff=TrackHandoff.model_validate(event.data))


async def on_rating_submitted(event: CloudEvent, uow: MediationUnitOfWork, ctx: MediationContext) -> None:
    await take_rating(uow=uow, ctx=ctx, rating=RatingSubmitted.model_validate(event.data))


# Which event drives which use case. Other types on these topics (e.g. CitizenReviewRequested,
# which only casework answers) are not ours: the consumer skips them.
HANDLERS: dict[str, ContextHandler] = {
    TrackHandoff.event_type: on_track_handoff,
    RatingSubmitted.event_type: on_rating_submitted,
}


async def prepare(events: Sequence[CloudEvent], uow: UnitOfWork) -> None:
    """A poll batch of hand-offs only: read the roster and the mediators' loads once for all of
    them (each hand-off would read both again) and keep the loads current as teams are assigned;
    read and lock the cases of its grievances in one statement; write the cases it opens and
    their assignments at commit, one statement per table. A batch with anything else in it (a
    rating may reopen a case and change the loads) runs each use case as it would run alone."""
    if events and all(event.type == TrackHandoff.event_type for event in events):
        mediation = MediationUnitOfWork.of(uow)
        mediation.mediators.keep_roster()
        mediation.teams.keep_loads()
        # The record key, and so the subject, is the grievance id (a hand-off about another
        # grievance than its subject is read from the database, as alone).
        await mediation.cases.lock_many(event.subject for event in events if event.subject)
        mediation.defer_inserts()


def bind(ctx: MediationContext) -> dict[str, EventHandler]:
    """The handler table with the context filled in, as the consumer runner calls it."""
    return bind_context(HANDLERS, ctx, MediationUnitOfWork)
