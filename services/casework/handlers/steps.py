"""The petition steps a department takes, each with what it tells the citizen and the departments.

``PETITION_STEPS`` maps each command to its use case (an explicit handler table)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from services.casework.documents import content
from services.casework.domain import messages, petition
from services.casework.domain.calendar import end_of_day
from services.casework.domain.case import Case
from services.casework.domain.deadlines import Step
from services.casework.domain.legal import NotAcceptance
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import issue_document, next_document_sequence, tell_citizen, tell_departments
from services.casework.handlers.reply import reply, submit_co_opinion
from services.casework.repositories import CaseworkUnitOfWork
from shared.auth import StaffPrincipal
from shared.events.contracts import RerouteRequested
from shared.events.department import DepartmentAction
from shared.events.vocabulary import Status

StepHandler = Callable[..., Awaitable[None]]


def _due(case: Case, step: Step) -> datetime | None:
    clock = case.running(step)
    return clock.due_at if clock else None


async def sign_for(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.SignFor,
    now: datetime,
) -> None:
    petition.sign_for(case, department=staff.department, now=now)
    lead = ctx.name(case.lead)
    await tell_citizen(
        uow,
        case,
        status=Status.signed_for,
        message_zh=messages.signed_for(lead),
        actor=lead,
        now=now,
        due_at=_due(case, Step.accept),
    )
    await tell_departments(uow, ctx, case, action=DepartmentAction.signed_for, message_zh=f"{lead}已签收。", now=now)


async def return_case(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.ReturnCase,
    now: datetime,
) -> None:
    petition.return_case(case, department=staff.department, reason=command.reason, now=now)
    lead = ctx.name(case.lead)
    await uow.publish(
        RerouteRequested(
            grievance_id=case.grievance_id,
            tracking_no=case.tracking_no,
            reason="returned_by_department",
            from_track=case.track,
            excluded_departments=[case.lead],
            detail=command.reason.strip(),
            requested_by=lead,
            requested_at=now,
        ),
        subject=case.grievance_id,
    )
    await tell_citizen(uow, case, status=Status.returned, message_zh=messages.returned(lead), actor=lead, now=now)
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.returned,
        message_zh=f"{lead}已退单（理由：{command.reason.strip()}），等待信访局重新分派。",
        now=now,
        detail={"reason": command.reason.strip()},
    )


async def accept(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.AcceptCase,
    now: datetime,
) -> None:
    petition.accept(case, department=staff.department, now=now, calendar=ctx.calendar)
    reply_clock = case.running(Step.reply)
    assert reply_clock is not None
    lead = ctx.name(case.lead)
    sequence = await next_document_sequence(uow, case.grievance_id, content.DocumentKind.acceptance_notice)
    draft = content.acceptance_notice(
        case,
        issuer=lead,
        co_names=[ctx.name(x) for x in case.co],
        reply_due=reply_clock.due_at,
        now=now,
        sequence=sequence,
    )
    notice = await issue_document(uow, ctx, case, draft, issued_by=case.lead, now=now)
    await tell_citizen(
        uow,
        case,
        status=Status.accepted,
        message_zh=messages.accepted(lead, reply_clock.due_on),
        actor=lead,
        now=now,
        due_at=reply_clock.due_at,
        documents=[notice],
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.accepted,
        message_zh=f"{lead}已受理，办理时限至{messages.day_zh(reply_clock.due_on)}。",
        now=now,
    )


async def refuse(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.RefuseCase,
    now: datetime,
) -> None:
    notice = NotAcceptance(
        ground=command.ground,
        explanation=command.explanation.strip(),
        route=command.route,
        competent_body=(command.competent_body or "").strip() or None,
    )
    petition.not_accept(case, department=staff.department, notice=notice, now=now)
    lead = ctx.name(case.lead)
    sequence = await next_document_sequence(uow, case.grievance_id, content.DocumentKind.not_accepted_notice)
    draft = content.not_accepted_notice(case, issuer=lead, notice=notice, now=now, sequence=sequence)
    document = await issue_document(uow, ctx, case, draft, issued_by=case.lead, now=now)
    text = messages.not_accepted(lead, notice)
    await tell_citizen(
        uow,
        case,
        status=Status.not_accepted,
        message_zh=text,
        actor=lead,
        now=now,
        documents=[document],
        detail={"ground": notice.ground.value, "legal_route": notice.route.value if notice.route else None},
    )
    await tell_departments(uow, ctx, case, action=DepartmentAction.not_accepted, message_zh=text, now=now)


async def start(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.StartHandling,
    now: datetime,
) -> None:
    petition.start(case, department=staff.department, now=now)
    reply_clock = case.running(Step.reply)
    assert reply_clock is not None
    lead = ctx.name(case.lead)
    await tell_citizen(
        uow,
        case,
        status=Status.in_progress,
        message_zh=messages.in_progress(lead, reply_clock.due_on),
        actor=lead,
        now=now,
        due_at=reply_clock.due_at,
    )
    await tell_departments(uow, ctx, case, action=DepartmentAction.in_progress, message_zh=f"{lead}开始办理。", now=now)


async def extend(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.ExtendHandling,
    now: datetime,
) -> None:
    petition.extend(
        case, department=staff.department, days=command.days, reason=command.reason, now=now, calendar=ctx.calendar
    )
    extension = case.extension
    assert extension is not None
    lead = ctx.name(case.lead)
    sequence = await next_document_sequence(uow, case.grievance_id, content.DocumentKind.extension_notice)
    draft = content.extension_notice(case, issuer=lead, now=now, sequence=sequence)
    document = await issue_document(uow, ctx, case, draft, issued_by=case.lead, now=now)
    await tell_citizen(
        uow,
        case,
        status=Status.extended,
        message_zh=messages.extended(lead, extension.days, extension.reason, extension.new_due_on),
        actor=lead,
        now=now,
        due_at=end_of_day(extension.new_due_on),
        documents=[document],
        detail={"days": extension.days, "reason": extension.reason},
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.extended,
        message_zh=f"办理期限延长{extension.days}日，至{messages.day_zh(extension.new_due_on)}。",
        now=now,
    )


PETITION_STEPS: dict[type[Any], StepHandler] = {
    c.SignFor: sign_for,
    c.ReturnCase: return_case,
    c.AcceptCase: accept,
    c.RefuseCase: refuse,
    c.StartHandling: start,
    c.ExtendHandling: extend,
    c.SubmitCoOpinion: submit_co_opinion,
    c.ReplyToCitizen: reply,
}
