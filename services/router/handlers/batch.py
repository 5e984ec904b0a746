"""Load a poll batch's routing reads at once: the router's ``prepare`` step in the consumer runner.

In the batch's transaction, before its grievances are routed one by one (routing.py), this
classifies them in one call and asks the database each routing question once for all of them
(repositories/grievances.py and candidates.py): which were routed before, the rotations waiting
for them, their complainants' earlier grievances, their streets' recent ones. It takes every lock routing takes,
in the same two steps (the grievances', then their complainants' and streets'), so a rotation or
another worker sees the same order as with one grievance per transaction. The answers live on the
unit of work (``uow.batch``, domain/batch.py) and die with its transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from services.router.classifier import GrievanceText
from services.router.domain import pseudonyms
from services.router.domain.batch import ComplainantQuery, NeighbourQuery, RoutingBatch
from services.router.handlers.context import RouterContext
from services.router.repositories import RouterUnitOfWork
from shared.events.contracts import GrievanceReceived


def grievance_text(received: GrievanceReceived) -> GrievanceText:
    return GrievanceText(received.title, received.content, received.street)


async def prepare_batch(uow: RouterUnitOfWork, ctx: RouterContext, batch: Sequence[GrievanceReceived]) -> None:
    first: dict[str, GrievanceReceived] = {}
    for r in batch:  # a grievance twice in the batch is routed at its first event, as one by one
        first.setdefault(r.grievance_id, r)
    received = list(first.values())
    texts = list(dict.fromkeys(grievance_text(r) for r in received))
    classifications = dict(zip(texts, ctx.ahead.classify_many(ctx.classifier, texts), strict=True))
    await uow.plan_each_statement()
    routed = await uow.grievances.routed_among([r.grievance_id for r in received])
    fresh = [r for r in received if r.grievance_id not in routed]
    await uow.locks.take([pseudonyms.grievance_lock(r.grievance_id) for r in fresh])
    rotations = await uow.rotations.take_many([r.grievance_id for r in fresh])
    settings = ctx.settings
    locks: list[str] = []
    complainants: list[ComplainantQuery] = []
    streets: list[NeighbourQuery] = []
    for r in fresh:
        phones, id_cards = pseudonyms.matching_pseudonyms(r, rotations.get(r.grievance_id))
        locks += pseudonyms.matching_locks(phones, id_cards, r.street)
        if phones or id_cards:
            since = r.received_at - timedelta(days=settings.repeat_window_days)
            complainants.append(ComplainantQuery(phones, id_cards, since, r.received_at, r.grievance_id))
        if r.street:
            area = classifications[grievance_text(r)].area.value
            since = r.received_at - timedelta(days=settings.cluster_window_days)
            streets.append(NeighbourQuery(r.street, area, since, r.received_at, r.grievance_id))
    await uow.locks.take(locks)
    candidates = [
        *await uow.grievances.earlier_of_complainants(complainants),
        *await uow.grievances.neighbours_of(streets),
    ]
    uow.defer_routing_inserts()
    uow.batch = RoutingBatch(
        covered=[r.grievance_id for r in received],
        routed=routed,
        rotations=rotations,
        candidates=candidates,
        classifications=classifications,
    )
