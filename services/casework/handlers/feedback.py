"""The citizen's answers relayed by feedback: a rating (满意 closes, 不满意 may ask for 重办) and
requests for 复查/复核. Events about grievances casework does not hold are not ours: ignored."""

from __future__ import annotations

from datetime import datetime

from services.casework.domain import messages
from services.casework.domain.calendar import end_of_day
from services.casework.domain.case import Case, ReviewLevel
from services.casework.domain.deadlines import Step
from services.casework.domain.review import close, reopen, request_review
from services.casework.domain.states import STATUS_OF_STATE, CaseError, CaseState
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import tell_citizen, tell_departments
from services.casework.repositories import CaseworkUnitOfWork
from shared.events.contracts import CitizenReviewRequested, RatingSubmitted
from shared.events.department import DepartmentAction
from shared.events.vocabulary import Rating, Status, Track

RATING_NAMES_ZH = {Rating.satisfied: "满意", Rating.basically_satisfied: "基本满意", Rating.dissatisfied: "不满意"}


async def _refuse(
    uow: CaseworkUnitOfWork, ctx: CaseworkContext, case: Case, error: CaseError, now: datetime, what: str
) -> None:
    """Tell the citizen why the request cannot go ahead; the case itself does not change."""
    await tell_citizen(
        uow,
        case,
        status=STATUS_OF_STATE[case.state],
        message_zh=messages.request_refused(error.message_zh),
        actor=ctx.settings.bureau_name,
        now=now,
        detail={"refused": what, "reason": error.code},
    )


async def on_rating(*, uow: CaseworkUnitOfWork, ctx: CaseworkContext, rating: RatingSubmitted) -> None:
    case = await uow.cases.for_update(rating.grievance_id)
    if case is None or case.track is not Track.petition:
        return
    now = ctx.clock.now()
    case.rating = rating.rating.value
    lead = ctx.name(case.lead)
    if rating.rating is Rating.dissatisfied and rating.reopen_requested:
        try:
            reopen(case, now=now, calendar=ctx.calendar)
        except CaseError as error:
            await uow.cases.save(case, calendar=ctx.calendar)
            await _refuse(uow, ctx, case, error, now, "reopen")
            return
        clock = case.running(Step.reply)
        assert clock is not None
        await uow.cases.save(case, calendar=ctx.calendar)
        await tell_citizen(
            uow,
            case,
            status=Status.reopened,
            message_zh=messages.reopened(lead, clock.due_on),
            actor=ctx.settings.bureau_name,
            now=now,
            due_at=clock.due_at,
            detail={"comment": rating.comment},
        )
        await tell_departments(
            uow,
            ctx,
            case,
            action=DepartmentAction.reopened,
            message_zh=f"信访人对答复不满意并要求重办，请于{messages.day_zh(clock.due_on)}前重新答复。",
            now=now,
            detail={"rating": rating.rating.value, "comment": rating.comment},
        )
        return
    if rating.rating is not Rating.dissatisfied and case.state in (CaseState.replied, CaseState.review_decided):
        close(case, now=now)
        await uow.cases.save(case, calendar=ctx.calendar)
        await tell_citizen(
            uow,
            case,
            status=Status.closed,
            message_zh=messages.closed(),
            actor=lead,
            now=now,
            detail={"rating": rating.rating.value},
        )
        await tell_departments(
            uow,
            ctx,
            case,
            action=DepartmentAction.closed,
            message_zh=f"信访人评价“{RATING_NAMES_ZH[rating.rating]}”，本件办结。",
            now=now,
        )
        return
    await uow.cases.save(case, calendar=ctx.calendar)
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.rated,
        message_zh=f"信访人评价：{RATING_NAMES_ZH[rating.rating]}。",
        now=now,
        departments=[case.lead],
        detail={"rating": rating.rating.value, "comment": rating.comment},
    )


async def on_review_request(*, uow: CaseworkUnitOfWork, ctx: CaseworkContext, request: CitizenReviewRequested) -> None:
    case = await uow.cases.for_update(request.grievance_id)
    if case is None:
        return
    now = ctx.clock.now()
    level = ReviewLevel(request.level)
    try:
        request_review(
            case,
            level=level,
            reason=request.reason,
            reviewer=ctx.settings.review_office_code,
            now=now,
            calendar=ctx.calendar,
        )
    except CaseError as error:
        await _refuse(uow, ctx, case, error, now, level.value)
        return
    await uow.cases.save(case, calendar=ctx.calendar)
    is_review = level is ReviewLevel.review
    level_zh = "复查" if is_review else "复核"
    body = ctx.settings.review_body_name if is_review else ctx.settings.re_review_body_name
    clock = case.running(Step.review if is_review else Step.re_review)
    assert clock is not None
    await tell_citizen(
        uow,
        case,
        status=Status.review_requested,
        message_zh=messages.review_requested(level_zh, body, clock.due_on),
        actor=ctx.settings.bureau_name,
        now=now,
        due_at=end_of_day(clock.due_on),
        detail={"level": level.value},
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.review_requested,
        message_zh=f"信访人对处理意见申请{level_zh}，{body}将于{messages.day_zh(clock.due_on)}前提出意见，请配合提供办理材料。",
        now=now,
        departments=[case.lead],
        detail={"level": level.value, "reason": request.reason},
    )
