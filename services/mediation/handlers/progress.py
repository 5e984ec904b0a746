"""A case under way: acceptance, the parties' consent (人民调解法 §17), and sessions (调解会)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from services.mediation.domain import messages
from services.mediation.domain.deadlines import reminder_at
from services.mediation.domain.states import Action, IllegalTransition, consent_outcome
from services.mediation.domain.vocabulary import PARTY_ZH, Outcome, Party, SessionState, State
from services.mediation.handlers.access import case_for, conflict, transition
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.failure import conclude_unsuccessfully
from services.mediation.handlers.publishing import audit, publish_status
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from services.mediation.repositories.sessions import MediationSessionRecord
from shared.auth import StaffPrincipal
from shared.events.vocabulary import Status
from shared.problems import Problem


async def accept(*, uow: MediationUnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str) -> None:
    case, _ = await case_for(uow, staff, case_id, lock=True)
    state = transition(case, Action.accept)
    now = ctx.clock.now()
    await uow.cases.change(case.id, now, state=state, accepted_at=now)
    # 受理: the citizen's timeline uses the shared word for an accepted matter.
    await publish_status(
        uow, case, status=Status.accepted, message=messages.accepted(case.office_name), now=now, due_at=case.due_at
    )
    await audit(uow, staff, "accept", case.id, {}, now)
    await uow.commit()


async def record_consent(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    party: Party,
    consented: bool,
    note: str,
) -> None:
    """A party's answer. One refusal ends mediation (人民调解法 §17) — at the start or, withdrawn, later on."""
    case, _ = await case_for(uow, staff, case_id, lock=True)
    answers = await uow.consents.answers(case.id)
    if consented:
        if case.state is not State.accepted:
            raise conflict(IllegalTransition(case.state, Action.consent))
        if answers.get(party) is True:
            raise Problem(409, slug="consent-already-recorded", detail=f"{PARTY_ZH[party]}的意见已记录。")
    else:
        transition(case, Action.refuse)
    now = ctx.clock.now()
    await uow.consents.put(case.id, party, consented=consented, note=note, by=staff.subject, now=now)
    answers[party] = consented
    await audit(uow, staff, "consent", case.id, {"party": party.value, "consented": consented}, now)
    verdict = consent_outcome(answers)
    if verdict == "refused":
        await conclude_unsuccessfully(
            uow=uow,
            ctx=ctx,
            case=case,
            outcome=Outcome.refusal,
            reason=f"{PARTY_ZH[party]}不同意调解" + (f"：{note}" if note else ""),
            refusing_party=party,
            now=now,
        )
    elif verdict == "complete":
        state = transition(case, Action.consent)
        await uow.cases.change(case.id, now, state=state)
        await publish_status(
            uow, case, status=Status.in_progress, message=messages.consented(), now=now, due_at=case.due_at
        )
    await uow.commit()


def _future(ctx: MediationContext, moment: datetime) -> datetime:
    if moment <= ctx.clock.now():
        raise Problem(422, slug="session-in-past", detail="调解会时间必须晚于当前时间。")
    return moment


async def schedule_session(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    scheduled_for: datetime,
    location: str,
) -> int:
    case, _ = await case_for(uow, staff, case_id, lock=True)
    state = transition(case, Action.schedule)
    now = ctx.clock.now()
    _future(ctx, scheduled_for)
    lead = timedelta(hours=ctx.settings.reminder_lead_hours)
    number = await uow.mediation_sessions.add(
        case.id,
        scheduled_for=scheduled_for,
        location=location,
        scheduled_at=now,
        remind_at=reminder_at(scheduled_for, now, lead),
    )
    await uow.cases.change(case.id, now, state=state)
    await publish_status(
        uow,
        case,
        status=Status.mediation_scheduled,
        message=messages.scheduled(scheduled_for, location, rescheduled=False),
        now=now,
        due_at=case.due_at,
        detail={"session": number, "scheduled_for": scheduled_for.isoformat(), "location": location},
    )
    await audit(
        uow, staff, "schedule_session", case.id, {"session": number, "scheduled_for": scheduled_for.isoformat()}, now
    )
    await uow.commit()
    return number


async def _pending(uow: MediationUnitOfWork, case: CaseRecord, number: int) -> MediationSessionRecord:
    pending = await uow.mediation_sessions.pending(case.id)
    if pending is None or pending.number != number:
        raise Problem(404, slug="session-not-found", detail=f"未找到待召开的第{number}次调解会。")
    return pending


async def reschedule_session(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    number: int,
    scheduled_for: datetime,
    location: str | None,
    reason: str,
) -> None:
    case, _ = await case_for(uow, staff, case_id, lock=True)
    transition(case, Action.reschedule)
    pending = await _pending(uow, case, number)
    now = ctx.clock.now()
    _future(ctx, scheduled_for)
    place = location or pending.location
    await uow.mediation_sessions.change(
        pending.id,
        scheduled_for=scheduled_for,
        location=place,
        scheduled_at=now,
        reschedule_count=pending.reschedule_count + 1,
        remind_at=reminder_at(scheduled_for, now, timedelta(hours=ctx.settings.reminder_lead_hours)),
        reminded_at=None,
    )
    await uow.cases.change(case.id, now)
    await publish_status(
        uow,
        case,
        status=Status.mediation_scheduled,
        message=messages.scheduled(scheduled_for, place, rescheduled=True),
        now=now,
        due_at=case.due_at,
        detail={"session": number, "scheduled_for": scheduled_for.isoformat(), "location": place, "rescheduled": True},
    )
    await audit(uow, staff, "reschedule_session", case.id, {"session": number, "reason": reason}, now)
    await uow.commit()


async def record_session(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    case_id: str,
    number: int,
    held_at: datetime | None,
    attendance: Sequence[dict[str, Any]],
    minutes: str,
) -> None:
    """The session took place: who came (attendance) and what was said (minutes, 调解笔录)."""
    case, _ = await case_for(uow, staff, case_id, lock=True)
    state = transition(case, Action.record_session)
    pending = await _pending(uow, case, number)
    now = ctx.clock.now()
    held = held_at or now
    if held > now:
        raise Problem(422, slug="session-in-future", detail="只能记录已经召开的调解会。")
    await uow.mediation_sessions.change(
        pending.id,
        state=SessionState.held,
        held_at=held,
        attendance=list(attendance),
        minutes=minutes,
    )
    await uow.cases.change(case.id, now, state=state)
    await publish_status(
        uow,
        case,
        status=Status.in_progress,
        message=messages.session_held(number),
        now=now,
        due_at=case.due_at,
        detail={"session": number},
    )
    await audit(uow, staff, "record_session", case.id, {"session": number}, now)
    await uow.commit()
