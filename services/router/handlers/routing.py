"""Route a received grievance: classify it, link it to an earlier grievance of the same matter by
the same complainant (重复件, §19) and to a group case of its street (集体访), then publish.

Runs in the caller's unit of work: the read model, the decision history, the review queue and
every outgoing event (through the outbox) are committed together or not at all.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.router import metrics
from services.router.classifier import Classification, GrievanceText
from services.router.domain import matching, pseudonyms
from services.router.domain.batch import ComplainantQuery, NeighbourQuery, RoutingBatch
from services.router.domain.decisions import cluster_reason, repeat_reason, to_decision
from services.router.handlers.context import RouterContext
from services.router.handlers.publishing import Publication, publish_decision
from services.router.repositories import RouterUnitOfWork
from shared.events.contracts import GrievanceReceived, Reason


async def route_received(
    *, uow: RouterUnitOfWork, ctx: RouterContext, received: GrievanceReceived
) -> Publication | None:
    """First decision for a grievance; None when it was routed before (a redelivered event)."""
    gid = received.grievance_id
    # In a consumer batch the reads were made for all its grievances at once (handlers/batch.py).
    batch = uow.batch if uow.batch is not None and uow.batch.covers(gid) else None
    if batch is not None:
        if batch.already_routed(gid):
            return None
        pending = batch.take_rotation(gid)  # the batch holds every lock taken below
    else:
        if await uow.grievances.get(gid) is not None:
            return None
        # While a pseudonym key rotates, the complainant may be stored under more than one
        # pseudonym; the grievance's own lock orders this with a rotation of it read at the same time.
        await uow.locks.take([pseudonyms.grievance_lock(gid)])
        pending = await uow.rotations.take(gid)
    phones, id_cards = pseudonyms.matching_pseudonyms(received, pending)
    if pending is not None:
        received = pseudonyms.rotated_received(received, pending.phone_pseudonym, pending.id_card_pseudonym)
    if batch is None:
        await uow.locks.take(pseudonyms.matching_locks(phones, id_cards, received.street))
    text = GrievanceText(received.title, received.content, received.street)
    result = batch.classification(text) if batch is not None else None
    if result is None:
        result = ctx.classifier.classify(text)
    decision = to_decision(result, threshold=ctx.settings.review_threshold)
    repeat = await _find_repeat(uow, batch, ctx, received, result, phones, id_cards)
    cluster_id, cluster = await _find_cluster(uow, batch, ctx, received, result.area.value)
    updates: dict[str, object] = {}
    if repeat is not None:
        # linked, not duplicated: the handler sees the link and joins it to the open case (§19)
        updates.update(repeat_of=repeat.earlier.repeat_of or repeat.earlier.grievance_id)
    if cluster_id is not None:
        updates.update(cluster_id=cluster_id)
    if updates:
        reasons = [*decision.reasons]
        if repeat is not None:
            reasons.insert(0, repeat_reason(repeat))
        if cluster is not None:
            reasons.insert(0, cluster)
        decision = decision.model_copy(update={**updates, "reasons": reasons})
    if not await uow.grievances.add(received, decision):
        return None
    if batch is not None:
        batch.add_routed(received, decision)
    await uow.decisions.add(received.grievance_id, 1, decision)
    publication = await publish_decision(
        uow=uow,
        ctx=ctx,
        received=received,
        decision=decision,
        revision=1,
        already_alerted=False,
        review_reason="low_confidence",
        repeat_tracking_no=repeat.earlier.tracking_no if repeat else None,
    )
    metrics.count_decision(decision)
    return publication


async def _find_repeat(
    uow: RouterUnitOfWork,
    batch: RoutingBatch | None,
    ctx: RouterContext,
    received: GrievanceReceived,
    result: Classification,
    phones: list[str],
    id_cards: list[str],
) -> matching.Match | None:
    window = timedelta(days=ctx.settings.repeat_window_days)
    q = ComplainantQuery(phones, id_cards, received.received_at - window, received.received_at, received.grievance_id)
    if batch is not None:
        earlier = batch.earlier_of_complainant(q)
    else:
        earlier = await uow.grievances.earlier_of_complainant(
            phones=q.phones, id_cards=q.id_cards, before=q.before, since=q.since, exclude=q.exclude
        )
    text = f"{received.title}。{received.content}"
    return matching.find_repeat(text, result.area.value, earlier, ctx.settings.repeat_similarity)


async def _find_cluster(
    uow: RouterUnitOfWork, batch: RoutingBatch | None, ctx: RouterContext, received: GrievanceReceived, area: str
) -> tuple[str | None, Reason | None]:
    """The group case this grievance joins (an existing one, or a new one of its neighbours)."""
    if not received.street:
        return None, None
    settings = ctx.settings
    since = received.received_at - timedelta(days=settings.cluster_window_days)
    q = NeighbourQuery(received.street, area, since, received.received_at, received.grievance_id)
    if batch is not None:
        neighbours = batch.neighbours(q)
    else:
        neighbours = await uow.grievances.neighbours(
            street=q.street, area=q.area, since=q.since, until=q.until, exclude=q.exclude
        )
    own = received.complainant.phone_pseudonym or received.complainant.id_card_pseudonym
    others = [n for n in neighbours if not own or n.complainant != own]
    matches = matching.cluster_matches(f"{received.title}。{received.content}", others, settings.cluster_similarity)
    complainants = matching.distinct_complainants(own, matches)
    if complainants < settings.cluster_min_complainants:
        return None, None
    cluster_id = next((m.earlier.cluster_id for m in matches if m.earlier.cluster_id), None) or str(uuid.uuid4())
    # Those already in this group case stay as they are: rewriting every member's row each time
    # one more joins costs a busy street's group case a row version per member per newcomer.
    joined = [m.earlier.grievance_id for m in matches if m.earlier.cluster_id != cluster_id]
    await uow.grievances.set_cluster(joined, cluster_id)
    if batch is not None:
        batch.set_cluster(joined, cluster_id)
    return cluster_id, cluster_reason(received.street, settings.cluster_window_days, complainants)
