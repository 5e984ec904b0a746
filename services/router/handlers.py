"""Router use cases driven by events: route a received grievance, re-route a returned one.

Each runs in the caller's unit of work: the read model, the decision history, the review queue
and every outgoing event (through the outbox) are committed together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from services.router import domain, metrics, pseudonyms, repository
from services.router.classifier import Classification, Classifier, Constraints, GrievanceText
from services.router.publishing import Publication, publish_decision
from services.router.settings import Settings
from shared.catalog import Catalog
from shared.clock import Clock
from shared.db.uow import UnitOfWork
from shared.events.contracts import GrievanceReceived, Reason, RerouteRequested, RoutingDecision
from shared.kafka.consumer import PermanentError
from shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class RouterContext:
    settings: Settings
    classifier: Classifier
    catalog: Catalog
    clock: Clock

    @property
    def names(self) -> dict[str, str]:
        return {code: d.name for code, d in self.catalog.departments.items()}


def to_decision(
    result: Classification,
    *,
    threshold: float,
    decided_by: str = "classifier",
    extra: tuple[Reason, ...] = (),
    force_review: bool = False,
    confidence: float | None = None,
) -> RoutingDecision:
    confidence = result.confidence if confidence is None else confidence
    return RoutingDecision(
        track=result.track,
        petition_kind=result.petition_kind,
        area=result.area,
        departments=result.departments,
        urgent=result.urgent,
        urgent_signals=list(result.urgent_signals),
        confidence=round(confidence, 4),
        reasons=[*extra, *(e.to_reason() for e in result.reasons)],
        needs_review=force_review or confidence < threshold,
        decided_by=decided_by,
        category=result.category or None,
        item=result.item,
        model_version=result.model_version or None,
    )


async def route_received(*, uow: UnitOfWork, ctx: RouterContext, received: GrievanceReceived) -> Publication | None:
    """First decision for a grievance; None when it was routed before (a redelivered event)."""
    if await repository.get_grievance(uow.session, received.grievance_id) is not None:
        return None
    # While a pseudonym key rotates, the complainant may be stored under more than one pseudonym;
    # the grievance's own lock orders this with a rotation of it read at the same time.
    await repository.lock(uow.session, [pseudonyms.grievance_lock(received.grievance_id)])
    pending = await repository.take_pending_rotation(uow.session, received.grievance_id)
    phones, id_cards = pseudonyms.matching_pseudonyms(received, pending)
    if pending is not None:
        received = pseudonyms.rotated_received(received, pending.phone_pseudonym, pending.id_card_pseudonym)
    keys = [f"router:complainant:{p}" for p in phones or id_cards]
    keys += [f"router:street:{received.street}"] if received.street else []
    await repository.lock(uow.session, keys)
    result = ctx.classifier.classify(GrievanceText(received.title, received.content, received.street))
    decision = to_decision(result, threshold=ctx.settings.review_threshold)
    repeat = await _find_repeat(uow, ctx, received, result, phones, id_cards)
    cluster_id, cluster_reason = await _find_cluster(uow, ctx, received, result.area.value)
    updates: dict[str, object] = {}
    if repeat is not None:
        # linked, not duplicated: the handler sees the link and joins it to the open case (§19)
        updates.update(repeat_of=repeat.earlier.repeat_of or repeat.earlier.grievance_id)
    if cluster_id is not None:
        updates.update(cluster_id=cluster_id)
    if updates:
        reasons = [*decision.reasons]
        if repeat is not None:
            reasons.insert(0, _repeat_reason(repeat))
        if cluster_reason is not None:
            reasons.insert(0, cluster_reason)
        decision = decision.model_copy(update={**updates, "reasons": reasons})
    if not await repository.add_grievance(uow.session, received, decision):
        return None
    await repository.record_decision(uow.session, received.grievance_id, 1, decision)
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
    uow: UnitOfWork,
    ctx: RouterContext,
    received: GrievanceReceived,
    result: Classification,
    phones: list[str],
    id_cards: list[str],
) -> domain.Match | None:
    window = timedelta(days=ctx.settings.repeat_window_days)
    earlier = await repository.earlier_of_complainant(
        uow.session,
        phones=phones,
        id_cards=id_cards,
        before=received.received_at,
        since=received.received_at - window,
        exclude=received.grievance_id,
    )
    text = f"{received.title}。{received.content}"
    return domain.find_repeat(text, result.area.value, earlier, ctx.settings.repeat_similarity)


def _repeat_reason(repeat: domain.Match) -> Reason:
    first = repeat.earlier.repeat_of or repeat.earlier.grievance_id
    return Reason(
        kind="repeat",
        code="repeat.same_complainant",
        description=f"同一信访人此前反映过同一事项（{repeat.earlier.tracking_no}，相似度 {repeat.score:.2f}），"
        f"作为重复件关联至首件 {first}",
        legal_basis="《信访工作条例》第十九条（已受理或者正在办理的同一事项不再重复受理，告知办理进展）",
        weight=round(repeat.score, 4),
    )


async def _find_cluster(
    uow: UnitOfWork, ctx: RouterContext, received: GrievanceReceived, area: str
) -> tuple[str | None, Reason | None]:
    if not received.street:
        return None, None
    settings = ctx.settings
    neighbours = await repository.neighbours(
        uow.session,
        street=received.street,
        area=area,
        since=received.received_at - timedelta(days=settings.cluster_window_days),
        until=received.received_at,
        exclude=received.grievance_id,
    )
    own = received.complainant.phone_pseudonym or received.complainant.id_card_pseudonym
    others = [n for n in neighbours if not own or n.complainant != own]
    matches = domain.cluster_matches(f"{received.title}。{received.content}", others, settings.cluster_similarity)
    if domain.distinct_complainants(own, matches) < settings.cluster_min_complainants:
        return None, None
    cluster_id = next((m.earlier.cluster_id for m in matches if m.earlier.cluster_id), None) or str(uuid.uuid4())
    await repository.set_cluster(uow.session, [m.earlier.grievance_id for m in matches], cluster_id)
    reason = Reason(
        kind="cluster",
        code="cluster.same_matter_same_place",
        description=f"{received.street}近{settings.cluster_window_days}日内有"
        f"{domain.distinct_complainants(own, matches)}位群众反映同一事项（集体访）",
        legal_basis="《信访工作条例》第二十二条（情况重大的及时报告）",
    )
    return cluster_id, reason


async def reroute(*, uow: UnitOfWork, ctx: RouterContext, request: RerouteRequested) -> Publication:
    """A handler gave the grievance back: decide again, with what the handler has ruled out."""
    row = await repository.get_grievance(uow.session, request.grievance_id, for_update=True)
    if row is None:
        raise PermanentError(f"reroute for unknown grievance {request.grievance_id}")
    received = GrievanceReceived.model_validate(row.received)
    now = ctx.clock.now()
    excluded = frozenset([*row.excluded_departments, *request.excluded_departments])
    constraints = Constraints(
        forced_track=request.to_track,
        excluded_tracks=frozenset({request.from_track})
        if request.reason in ("mediation_failed", "mediation_refused") and request.to_track is None
        else frozenset(),
        excluded_departments=excluded,
    )
    result = ctx.classifier.classify(GrievanceText(received.title, received.content, received.street), constraints)
    names = ctx.names
    returned = "、".join(names.get(c, c) for c in request.excluded_departments) or request.requested_by
    reason = Reason(
        kind="catalog" if request.reason == "returned_by_department" else "rule",
        code=f"reroute.{request.reason}",
        description=f"{returned}退回/转回（{request.reason}）：{request.detail}".rstrip("："),
        legal_basis=_REROUTE_BASIS.get(request.reason),
    )
    # With the track fixed by the handler, only the area and departments remain uncertain.
    confidence = result.area_probability if request.to_track is not None else None
    decision = to_decision(
        result,
        threshold=ctx.settings.review_threshold,
        decided_by="reroute",
        extra=(reason,),
        force_review=request.reason == "returned_by_department",
        confidence=confidence,
    )
    decision = decision.model_copy(update={"repeat_of": row.repeat_of, "cluster_id": row.cluster_id})
    revision = row.revision + 1
    await repository.supersede_pending_reviews(uow.session, request.grievance_id, now)
    await repository.update_grievance(
        uow.session,
        request.grievance_id,
        state="under_review" if decision.needs_review else "routed",
        revision=revision,
        track=decision.track.value,
        area=decision.area.value,
        category=decision.category,
        item=decision.item,
        model_version=decision.model_version,
        decision=decision.model_dump(mode="json"),
        excluded_departments=sorted(excluded),
    )
    await repository.record_decision(uow.session, request.grievance_id, revision, decision)
    publication = await publish_decision(
        uow=uow,
        ctx=ctx,
        received=received,
        decision=decision,
        revision=revision,
        already_alerted=row.alerted_at is not None,
        review_reason=request.reason if request.reason == "returned_by_department" else "reroute",
        review_detail=request.detail,
        reroute_reason=request.reason,
    )
    metrics.count_decision(decision)
    return publication


_REROUTE_BASIS = {
    "returned_by_department": "《信访工作条例》第二十三条（不属于本单位职权范围的，5个工作日内提出异议并说明理由）",
    "mediation_failed": "《人民调解法》第二十六条（调解不成的，告知当事人可以依法通过仲裁、行政、司法等途径维护权利）",
    "mediation_refused": "《人民调解法》第十七条（当事人一方明确拒绝调解的，不得调解）",
    "reopened": "《信访工作条例》第三十五条、第三十六条",
}
