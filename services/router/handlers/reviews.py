"""Reviewer use cases: list and show review items, and record a decision (re-route, a new labelled
example, the audit row and the outgoing events, all in one transaction)."""

from __future__ import annotations

from services.router import metrics
from services.router.domain.errors import ReviewAlreadyDecided, ReviewNotFound
from services.router.domain.records import LabelledExample, ReviewFilter, ReviewItem
from services.router.domain.review_rules import checked_category, checked_kind, chosen_departments
from services.router.handlers.context import RouterContext
from services.router.handlers.publishing import publish_decision
from services.router.repositories import RouterUnitOfWork
from services.router.schemas import (
    ReviewDecisionCreate,
    ReviewDecisionRead,
    ReviewDetail,
    ReviewPage,
    ReviewSummary,
)
from shared.auth import StaffPrincipal
from shared.events.contracts import Departments, Reason, RoutingDecision


async def list_reviews(*, uow: RouterUnitOfWork, wanted: ReviewFilter, limit: int, offset: int) -> ReviewPage:
    items, total = await uow.reviews.page(wanted, limit=limit, offset=offset)
    return ReviewPage(items=[ReviewSummary.of(item) for item in items], total=total, limit=limit, offset=offset)


async def show_review(*, uow: RouterUnitOfWork, review_id: str) -> ReviewDetail:
    return ReviewDetail.of(await _review(uow, review_id))


async def _review(uow: RouterUnitOfWork, review_id: str, *, for_update: bool = False) -> ReviewItem:
    item = await uow.reviews.get(review_id, for_update=for_update)
    if item is None:
        raise ReviewNotFound()
    return item


async def decide(
    *,
    uow: RouterUnitOfWork,
    ctx: RouterContext,
    review_id: str,
    command: ReviewDecisionCreate,
    staff: StaffPrincipal,
) -> ReviewDecisionRead:
    """The reviewer's decision becomes the grievance's next revision and a training example."""
    item = await _review(uow, review_id, for_update=True)
    if not item.is_pending:
        raise ReviewAlreadyDecided(item.status)
    grievance = await uow.grievances.get(item.grievance_id, for_update=True)
    assert grievance is not None, "a review item always has its grievance"
    received, proposed = grievance.received, item.proposed
    kind = checked_kind(command.track, command.petition_kind)
    category, item_name = checked_category(command.area, command.category, command.item, proposed)
    requested = command.departments
    departments = chosen_departments(
        ctx.classifier.chooser,
        ctx.catalog,
        track=command.track,
        area=command.area,
        kind=kind,
        requested=Departments(lead=requested.lead, co=requested.co) if requested else None,
        received=received,
        excluded=frozenset(grievance.excluded_departments),
        category=category,
        item=item_name,
    )
    decision = RoutingDecision(
        track=command.track,
        petition_kind=kind,
        area=command.area,
        departments=departments,
        urgent=proposed.urgent,
        urgent_signals=proposed.urgent_signals,
        repeat_of=grievance.repeat_of,
        cluster_id=grievance.cluster_id,
        confidence=1.0,
        reasons=[
            Reason(kind="reviewer", code="review.decision", description=f"人工审核：{command.comment}"),
            *(r for r in proposed.reasons if r.kind in ("repeat", "cluster")),
        ],
        needs_review=False,
        decided_by="reviewer",
        category=category,
        item=item_name,
        # the model whose proposal the reviewer decided on: what the correction teaches
        model_version=proposed.model_version,
    )
    now = ctx.clock.now()
    revision = grievance.revision + 1
    await uow.reviews.record_decision(review_id, decision, decided_by=staff.subject, comment=command.comment, at=now)
    await uow.grievances.apply_decision(item.grievance_id, decision, revision=revision)
    await uow.decisions.add(item.grievance_id, revision, decision)
    await uow.examples.add(
        LabelledExample(
            grievance_id=item.grievance_id,
            review_id=review_id,
            title=received.title,
            text=received.content,
            track=decision.track,
            petition_kind=kind,
            area=decision.area,
            category=category,
            item=item_name,
            urgent=decision.urgent,
            labelled_by=staff.subject,
        )
    )
    await uow.audit.record(
        actor=staff,
        action="decide_review",
        subject=item.grievance_id,
        detail={
            "review_id": review_id,
            "track": decision.track.value,
            "area": decision.area.value,
            "category": category,
            "item": item_name,
            "lead": departments.lead,
            "co": departments.co,
        },
    )
    await publish_decision(
        uow=uow,
        ctx=ctx,
        received=received,
        decision=decision,
        revision=revision,
        already_alerted=grievance.alerted,
        review_reason="reviewer",
    )
    metrics.count_decision(decision)
    await uow.commit()
    return ReviewDecisionRead(review_id=review_id, grievance_id=item.grievance_id, revision=revision, decision=decision)


async def refresh_pending_gauge(*, uow: RouterUnitOfWork) -> int:
    """The pending-review gauge, read from the database: workers add items, the API decides them."""
    count = await uow.reviews.count_pending()
    metrics.REVIEWS_PENDING.set(count)
    return count
