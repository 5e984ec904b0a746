"""What a consumer group's use cases look like to the consumer runner.

The services build their handler tables with these (``bind_context``) and raise
``PermanentError`` from their use cases; both paths of the runner, the batch path
(shared.kafka.batches) and the per-event path (shared.kafka.consumer), call them. They live apart
from either so that neither path imports the other for them; services import them from
shared.kafka.consumer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from shared.db.uow import UnitOfWork
from shared.events.envelope import CloudEvent

EventHandler = Callable[[CloudEvent, UnitOfWork], Awaitable[None]]
# Work for a whole batch at once, in its unit of work, before its events are handled one by one:
# called with the events seen for the first time (e.g. classify them all, read for all of them).
BatchPreparer = Callable[[Sequence[CloudEvent], UnitOfWork], Awaitable[None]]
# Work for the next batch while this one commits (shared.kafka.lookahead): no database, no effect,
# only what makes its ``prepare`` cheaper later (e.g. classify the texts).
BatchWarmer = Callable[[Sequence[CloudEvent]], None]
U = TypeVar("U", bound=UnitOfWork)
C = TypeVar("C")


def bind_context(
    handlers: Mapping[str, Callable[[CloudEvent, U, C], Awaitable[None]]], ctx: C, unit_of_work: type[U]
) -> dict[str, EventHandler]:
    """A service's handler table, ``(event, its own unit of work, its context)``, in the shape the
    runner calls: the context filled in, the runner's unit of work narrowed to the service's."""

    def bound(handler: Callable[[CloudEvent, U, C], Awaitable[None]]) -> EventHandler:
        async def handle(event: CloudEvent, uow: UnitOfWork) -> None:
            await handler(event, unit_of_work.of(uow), ctx)

        return handle

    return {event_type: bound(handler) for event_type, handler in handlers.items()}


class PermanentError(Exception):
    """The event can never succeed (bad payload, impossible transition): dead-letter it at once."""
