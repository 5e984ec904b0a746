"""Reviewer use cases: list and show pending reviews, record a decision (re-route + new labelled
example), all in one transaction with the outgoing events."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, select, update

from services.router import db, metrics, repository
from services.router.classifier.taxonomy import load_taxonomy
from services.router.handlers import RouterContext
from services.router.publishing import publish_decision
from services.router.schemas import ReviewDecisionCreate, ReviewDecisionRead, ReviewDetail, ReviewPage, ReviewSummary
from shared.auth import StaffPrincipal
from shared.db.audit import record_audit
from shared.db.uow import UnitOfWork
from shared.events.contracts import Departments, GrievanceReceived, Reason, RoutingDecision
from shared.events.vocabulary import PetitionKind, Street, Track
from shared.problems import Problem


def _summary_columns() -> list[Any]:
    r, g = db.review_item, db.grievance
    return [
        r,
        g.c.tracking_no,
        g.c.title,
        g.c.content,
        g.c.street,
        g.c.community,
        g.c.received,
        g.c.excluded_departments,
    ]


def _summary(row: Any) -> dict[str, Any]:
    proposed = RoutingDecision.model_validate(row.proposed)
    return {
        "review_id": row.id,
        "grievance_id": row.grievance_id,
        "tracking_no": row.tracking_no,
        "title": row.title,
        "street": row.street,
        "reason": row.reason,
        "status": row.status,
        "proposed_track": proposed.track,
        "proposed_area": proposed.area,
        "proposed_category": proposed.category,
        "confidence": row.confidence,
        "urgent": row.urgent,
        "created_at": row.created_at,
    }


async def list_reviews(
    *,
    uow: UnitOfWork,
    status: str,
    track: Track | None,
    area: str | None,
    street: Street | None,
    urgent: bool | None,
    limit: int,
    offset: int,
    category: str | None = None,
) -> ReviewPage:
    r, g = db.review_item, db.grievance
    conditions = [r.c.status == status]
    if track is not None:
        conditions.append(r.c.proposed["track"].astext == track.value)
    if area is not None:
        conditions.append(r.c.proposed["area"].astext == area)
    if category is not None:
        conditions.append(r.c.proposed["category"].astext == category)
    if street is not None:
        conditions.append(g.c.street == street.value)
    if urgent is not None:
        conditions.append(r.c.urgent == urgent)
    joined = r.join(g, g.c.id == r.c.grievance_id)
    total = await uow.session.scalar(select(func.count()).select_from(joined).where(*conditions))
    # urgent first, then oldest first: the queue is worked in order of risk and waiting time
    rows = (
        await uow.session.execute(
            select(*_summary_columns())
            .select_from(joined)
            .where(*conditions)
            .order_by(r.c.urgent.desc(), r.c.created_at, r.c.id)
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return ReviewPage(
        items=[ReviewSummary(**_summary(row)) for row in rows], total=int(total or 0), limit=limit, offset=offset
    )


async def get_review(*, uow: UnitOfWork, review_id: str, for_update: bool = False) -> Any:
    r, g = db.review_item, db.grievance
    query = select(*_summary_columns()).select_from(r.join(g, g.c.id == r.c.grievance_id)).where(r.c.id == review_id)
    if for_update:
        query = query.with_for_update(of=r)
    row = (await uow.session.execute(query)).first()
    if row is None:
        raise Problem(404, slug="review-not-found", detail="未找到该审核事项。")
    return row


def detail(row: Any) -> ReviewDetail:
    received = GrievanceReceived.model_validate(row.received)
    return ReviewDetail(
        **_summary(row),
        content=row.content,
        community=row.community,
        address=received.address,
        respondent=received.respondent,
        reason_detail=row.reason_detail,
        excluded_departments=list(row.excluded_departments),
        proposed=RoutingDecision.model_validate(row.proposed),
        decision=RoutingDecision.model_validate(row.decision) if row.decision else None,
        comment=row.comment,
        decided_at=row.decided_at,
    )


async def decide(
    *, uow: UnitOfWork, ctx: RouterContext, review_id: str, command: ReviewDecisionCreate, staff: StaffPrincipal
) -> ReviewDecisionRead:
    row = await get_review(uow=uow, review_id=review_id, for_update=True)
    if row.status != "pending":
        raise Problem(409, slug="review-already-decided", detail=f"该审核事项已处理（{row.status}），不能重复决定。")
    grievance = await repository.get_grievance(uow.session, row.grievance_id, for_update=True)
    assert grievance is not None
    received = GrievanceReceived.model_validate(grievance.received)
    proposed = RoutingDecision.model_validate(row.proposed)
    kind = _checked_kind(command)
    category, item = checked_category(command, proposed)
    departments = _departments(ctx, command, kind, received, frozenset(grievance.excluded_departments), category, item)
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
        item=item,
        # the model whose proposal the reviewer decided on: what the correction teaches
        model_version=proposed.model_version,
    )
    now = ctx.clock.now()
    revision = grievance.revision + 1
    await uow.session.execute(
        update(db.review_item)
        .where(db.review_item.c.id == review_id)
        .values(
            status="decided",
            decided_at=now,
            decided_by=staff.subject,
            decision=decision.model_dump(mode="json"),
            comment=command.comment,
        )
    )
    await repository.update_grievance(
        uow.session,
        row.grievance_id,
        state="routed",
        revision=revision,
        track=decision.track.value,
        area=decision.area.value,
        category=category,
        item=item,
        model_version=decision.model_version,
        decision=decision.model_dump(mode="json"),
    )
    await repository.record_decision(uow.session, row.grievance_id, revision, decision)
    await uow.session.execute(
        insert(db.labelled_example).values(
            grievance_id=row.grievance_id,
            review_id=review_id,
            title=received.title,
            text=received.content,
            track=decision.track.value,
            petition_kind=kind.value if kind else None,
            area=decision.area.value,
            category=category,
            item=item,
            urgent=decision.urgent,
            labelled_by=staff.subject,
        )
    )
    await record_audit(
        uow.session,
        db.audit_log,
        actor=staff,
        action="decide_review",
        subject=row.grievance_id,
        detail={
            "review_id": review_id,
            "track": decision.track.value,
            "area": decision.area.value,
            "category": category,
            "item": item,
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
        already_alerted=grievance.alerted_at is not None,
        review_reason="reviewer",
    )
    metrics.count_decision(decision)
    await uow.commit()
    return ReviewDecisionRead(review_id=review_id, grievance_id=row.grievance_id, revision=revision, decision=decision)


def _checked_kind(command: ReviewDecisionCreate) -> PetitionKind | None:
    if command.track is Track.petition:
        if command.petition_kind is None:
            raise _invalid("/petition_kind", "普通信访需要选择信访类别（建议意见、检举控告或申诉求决）")
        return command.petition_kind
    if command.petition_kind is not None:
        raise _invalid("/petition_kind", "只有普通信访才有信访类别")
    return None


def checked_category(command: ReviewDecisionCreate, proposed: RoutingDecision) -> tuple[str | None, str | None]:
    """The decided category and item, checked against the taxonomy for the decided area.

    Without a category the proposal's is kept when the area is unchanged (the reviewer confirmed
    it); with another area and no category, the decision has none rather than a wrong one."""
    area = command.area.value
    if command.category is None:
        if command.item is not None:
            raise _invalid("/item", "选择三级分类前需要先选择二级分类")
        if command.area is proposed.area:
            return proposed.category, proposed.item
        return None, None
    taxonomy = load_taxonomy()
    if not taxonomy.has_category(area, command.category):
        owners = [a for a, c in taxonomy.categories if c == command.category]
        where = f"属于“{'、'.join(owners)}”，" if owners else "不在分类体系中，"
        raise _invalid("/category", f"二级分类“{command.category}”{where}不是“{area}”下的分类")
    if command.item is not None and not taxonomy.has_item(area, command.category, command.item):
        raise _invalid("/item", f"三级分类“{command.item}”不是“{area} / {command.category}”下的分类")
    return command.category, command.item


def _departments(
    ctx: RouterContext,
    command: ReviewDecisionCreate,
    kind: PetitionKind | None,
    received: GrievanceReceived,
    excluded: frozenset[str],
    category: str | None = None,
    item: str | None = None,
) -> Departments:
    chooser = ctx.classifier.chooser
    text = f"{received.title}。{received.content}"
    mentioned = chooser.mentioned(text)
    if command.departments is None:
        street = Street(received.street) if received.street in {s.value for s in Street} else None
        return chooser.choose(
            track=command.track,
            area=command.area,
            petition_kind=kind,
            street=street,
            legal_body_scores={},
            department_hints={},
            excluded=excluded,
            mentioned=mentioned,
            category=category,
            item=item,
        ).departments
    chosen = [command.departments.lead, *command.departments.co]
    unknown = [code for code in chosen if code not in ctx.catalog.departments]
    if unknown:
        raise _invalid("/departments", f"未知的单位代码：{'、'.join(unknown)}")
    if kind is PetitionKind.report:
        named = [code for code in chosen if code in mentioned]
        if named:
            # §30: the reporter's materials must never reach the reported unit
            raise _invalid("/departments", f"检举控告不得交由被反映单位办理：{'、'.join(named)}")
    co = [c for c in dict.fromkeys(command.departments.co) if c != command.departments.lead]
    return Departments(lead=command.departments.lead, co=co)


def _invalid(pointer: str, message: str) -> Problem:
    return Problem(
        422,
        slug="validation",
        detail="提交的审核决定有误。",
        errors=[
            {
                "pointer": f"#{pointer}",
                "field": pointer.strip("/"),
                "in": "body",
                "code": "invalid",
                "message": message,
                "message_zh": message,
            }
        ],
    )


async def refresh_pending_gauge(uow: UnitOfWork) -> int:
    count = await repository.pending_reviews(uow.session)
    metrics.REVIEWS_PENDING.set(count)
    return count
