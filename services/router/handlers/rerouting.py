"""Re-route a grievance a handler gave back (grievance.reroute.v1): decide again, with what the
handler has ruled out, in the caller's unit of work."""

from __future__ import annotations

from services.router import metrics
from services.router.classifier import GrievanceText
from services.router.domain.decisions import reroute_constraints, reroute_reason, to_decision
from services.router.handlers.context import RouterContext
from services.router.handlers.publishing import Publication, publish_decision
from services.router.repositories import RouterUnitOfWork
from shared.events.contracts import RerouteRequested
from shared.kafka.consumer import PermanentError


async def reroute(*, uow: RouterUnitOfWork, ctx: RouterContext, request: RerouteRequested) -> Publication:
    grievance = await uow.grievances.get(request.grievance_id, for_update=True)
    if grievance is None:
        raise PermanentError(f"reroute for unknown grievance {request.grievance_id}")
    received = grievance.received
    now = ctx.clock.now()
    excluded = frozenset([*grievance.excluded_departments, *request.excluded_departments])
    result = ctx.classifier.classify(
        GrievanceText(received.title, received.content, received.street), reroute_constraints(request, excluded)
    )
    # With the track fixed by the handler, only the area and departments remain uncertain.
    confidence = result.area_probability if request.to_track is not None else None
    decision = to_decision(
        result,
        threshold=ctx.settings.review_threshold,
        decided_by="reroute",
        extra=(reroute_reason(request, ctx.names),),
        force_review=request.reason == "returned_by_department",
        confidence=confidence,
    )
    decision = decision.model_copy(update={"repeat_of": grievance.repeat_of, "cluster_id": grievance.cluster_id})
    revision = grievance.revision + 1
    await uow.reviews.supersede_pending(request.grievance_id, now)
    await uow.grievances.apply_decision(
        request.grievance_id, decision, revision=revision, excluded_departments=sorted(excluded)
    )
    await uow.decisions.add(request.grievance_id, revision, decision)
    publication = await publish_decision(
        uow=uow,
        ctx=ctx,
        received=received,
        decision=decision,
        revision=revision,
        already_alerted=grievance.alerted,
        review_reason=request.reason if request.reason == "returned_by_department" else "reroute",
        review_detail=request.detail,
        reroute_reason=request.reason,
    )
    metrics.count_decision(decision)
    return publication
