"""The citizen's rating (回访 满意度) of a mediation, relayed by feedback on grievance.feedback.

不满意 with a request to redo (重办): a case waiting for its performance check is called at once;
a case closed on a performed agreement is mediated again; a case that already left mediation
(failed, refused, withdrawn, unperformed) is only recorded — its grievance is on another track.
"""

from __future__ import annotations

from services.mediation.domain import messages
from services.mediation.domain.deadlines import mediation_due
from services.mediation.domain.states import Action, can_reopen, next_state
from services.mediation.domain.vocabulary import State
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.publishing import notify_offices, publish_status
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.outcomes import RatingRecord
from shared.events.contracts import RatingSubmitted
from shared.events.vocabulary import Rating, Status


async def take_rating(*, uow: MediationUnitOfWork, ctx: MediationContext, rating: RatingSubmitted) -> str | None:
    """What the rating did (``recorded``, ``follow_up_brought_forward``, ``reopened``); None if the
    grievance never was in mediation (the feedback topic carries every track's ratings)."""
    case = await uow.cases.latest_for_grievance(rating.grievance_id, lock=True)
    if case is None:
        return None
    now = ctx.clock.now()
    effect = "recorded"
    if rating.rating is Rating.dissatisfied and rating.reopen_requested:
        if case.state is State.agreed:
            effect = "follow_up_brought_forward"
            await uow.cases.change(case.id, now, follow_up_due_at=now, follow_up_notified_at=None)
            await publish_status(
                uow, case, status=Status.in_progress, message=messages.follow_up_brought_forward(), now=now
            )
        elif can_reopen(case.state, case.outcome, case.performed):
            effect = "reopened"
            due = mediation_due(now, ctx.limits, case.mediation_type)
            await uow.cases.change(
                case.id,
                now,
                state=next_state(case.state, Action.reopen),
                due_at=due,
                outcome=None,
                concluded_at=None,
                closed_at=None,
                performed=None,
                performance_deadline=None,
                follow_up_due_at=None,
                follow_up_notified_at=None,
                supervision_level=0,
                reopen_count=case.reopen_count + 1,
                outcome_detail={"previous": case.outcome_detail},
            )
            await publish_status(uow, case, status=Status.reopened, message=messages.reopened(due), now=now, due_at=due)
            members = [m.mediator.id for m in await uow.teams.members(case.id)]
            await notify_offices(
                uow,
                case,
                notice="reopened",
                summary=f"当事人不满意，重新调解：{rating.comment}",
                now=now,
                mediators=members,
                due_at=due,
            )
    await uow.ratings.add(
        RatingRecord(
            mediation_id=case.id,
            rating=rating.rating.value,
            comment=rating.comment,
            reopen_requested=rating.reopen_requested,
            effect=effect,
            submitted_at=rating.submitted_at,
        )
    )
    return effect
