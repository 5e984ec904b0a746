"""How a mediation ends well or is let go: agreement (调解协议书), withdrawal, and the follow-up
check (回访) that the agreement was performed. Failure and refusal live in ``failure``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from services.mediation.documents import AGREEMENT_TITLE, render_agreement
from services.mediation.domain import messages
from services.mediation.domain.deadlines import deadline_for_performance, follow_up_due, local_date
from services.mediation.domain.outcomes import (
    AgreementDraft,
    PartyEntry,
    agreement_gaps,
    agreement_number,
    default_parties,
    unperformed_reroute,
)
from services.mediation.domain.states import Action
from services.mediation.domain.vocabulary import Outcome
from services.mediation.handlers.access import case_for, transition
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.failure import request_reroute
from services.mediation.handlers.paperwork import store_document
from services.mediation.handlers.publishing import audit, notify_offices, publish_status
from services.mediation.repositories import MediationUnitOfWork
from shared.auth import StaffPrincipal
from shared.events.contracts import DocumentRef
from shared.events.vocabulary import Status, Track
from shared.problems import Problem


async def close_with_agreement(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    terms: Sequence[str],
    performance_deadline: date,
    facts: str | None = None,
    parties: Sequence[PartyEntry] | None = None,
) -> DocumentRef:
    case, _ = await case_for(uow, staff, case_id, lock=True)
    state = transition(case, Action.agree)
    now = ctx.clock.now()
    members = await uow.teams.members(case.id)
    draft = AgreementDraft(
        number=agreement_number(local_date(now).year, await uow.documents.next_agreement_sequence()),
        tracking_no=case.tracking_no,
        mediation_type=case.mediation_type,
        office_name=case.office_name,
        parties=tuple(parties) if parties else default_parties(case.applicant_name, case.respondent),
        mediators=tuple(m.mediator.name for m in members),
        facts=facts or case.facts,
        terms=tuple(t.strip() for t in terms if t.strip()),
        performance_deadline=performance_deadline,
        signed_on=local_date(now),
    )
    gaps = agreement_gaps(draft)
    if gaps:
        # Rolled back with the sequence number unused: numbers may skip, documents never clash.
        raise Problem(422, slug="agreement-incomplete", detail="调解协议书内容不完整：" + "；".join(gaps), gaps=gaps)
    ref = await store_document(
        uow,
        ctx,
        case,
        kind="agreement",
        title=AGREEMENT_TITLE,
        html=render_agreement(draft),
        now=now,
        number=draft.number,
    )
    await uow.mediation_sessions.cancel_pending(case.id)
    await uow.cases.change(
        case.id,
        now,
        state=state,
        outcome=Outcome.agreement,
        concluded_at=now,
        performance_deadline=performance_deadline,
        follow_up_due_at=follow_up_due(performance_deadline, ctx.settings.follow_up_grace_days),
        follow_up_notified_at=None,
        outcome_detail={"agreement_number": draft.number, "terms": list(draft.terms), "document_url": ref.url},
    )
    await publish_status(
        uow,
        case,
        status=Status.mediation_agreed,
        message=messages.agreed(performance_deadline, case.mediation_type),
        now=now,
        due_at=deadline_for_performance(performance_deadline),
        documents=[ref],
        detail={"agreement_number": draft.number, "performance_deadline": performance_deadline.isoformat()},
    )
    await notify_offices(uow, case, notice="concluded", summary=f"达成调解协议 {draft.number}", now=now)
    await audit(uow, staff, "close_agreement", case.id, {"agreement_number": draft.number}, now)
    await uow.commit()
    return ref


async def withdraw(
    *, uow: MediationUnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str, reason: str
) -> None:
    case, _ = await case_for(uow, staff, case_id, lock=True)
    state = transition(case, Action.withdraw)
    now = ctx.clock.now()
    await uow.mediation_sessions.cancel_pending(case.id)
    await uow.cases.change(
        case.id,
        now,
        state=state,
        outcome=Outcome.withdrawal,
        concluded_at=now,
        closed_at=now,
        outcome_detail={"reason": reason},
    )
    await publish_status(
        uow,
        case,
        status=Status.closed,
        message=messages.withdrawn(),
        now=now,
        detail={"outcome": Outcome.withdrawal.value},
    )
    await notify_offices(uow, case, notice="concluded", summary=f"申请人撤回：{reason}", now=now)
    await audit(uow, staff, "close_withdrawal", case.id, {"reason": reason}, now)
    await uow.commit()


async def record_follow_up(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    performed: bool,
    note: str,
) -> None:
    """回访: was the agreement performed? If not, the grievance goes on to the legal route."""
    case, _ = await case_for(uow, staff, case_id, lock=True)
    state = transition(case, Action.follow_up)
    now = ctx.clock.now()
    detail = {**case.outcome_detail, "follow_up_note": note}
    await uow.cases.change(case.id, now, state=state, performed=performed, closed_at=now, outcome_detail=detail)
    if performed:
        await publish_status(
            uow, case, status=Status.closed, message=messages.closed_performed(), now=now, detail={"performed": True}
        )
    else:
        await publish_status(
            uow,
            case,
            status=Status.closed,
            message=messages.closed_unperformed(case.mediation_type),
            now=now,
            detail={"performed": False, "to_track": Track.litigation.value},
        )
        await request_reroute(uow, case, unperformed_reroute(note), now=now)
    await audit(uow, staff, "follow_up", case.id, {"performed": performed}, now)
    await uow.commit()
