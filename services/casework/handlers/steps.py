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
from services.casework.domain.hearing import HearingFinding, finding, heard_for
from services.casework.domain.kinds import DECISION_NAMES_ZH, allows_review
from services.casework.domain.legal import NotAcceptance
from services.casework.domain.review import request_window_ends_on
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import issue_document, next_document_sequence, tell_citizen, tell_departments
from services.casework.hearing_repository import HearingRepository
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork
from shared.events.contracts import RerouteRequested
from shared.events.department import DepartmentAction
from shared.events.vocabulary import PetitionKind, Status

StepHandler = Callable[..., Awaitable[None]]


def _due(case: Case, step: Step) -> datetime | None:
    clock = case.running(step)
    return clock.due_at if clock else None


async def sign_for(
    *, uow: UnitOfWork, ctx: CaseworkContext, case: Case, staff: StaffPrincipal, command: c.SignFor, now: datetime
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
    *, uow: UnitOfWork, ctx: CaseworkContext, case: Case, staff: StaffPrincipal, command: c.ReturnCase, now: datetime
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
    *, uow: UnitOfWork, ctx: CaseworkContext, case: Case, staff: StaffPrincipal, command: c.AcceptCase, now: datetime
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
    *, uow: UnitOfWork, ctx: CaseworkContext, case: Case, staff: StaffPrincipal, command: c.RefuseCase, now: datetime
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
    uow: UnitOfWork,
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
    uow: UnitOfWork,
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


async def submit_co_opinion(
    *,
    uow: UnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.SubmitCoOpinion,
    now: datetime,
) -> None:
    opinion = petition.submit_co_opinion(case, department=staff.department, opinion=command.opinion, now=now)
    # Internal to the handling departments: the citizen reads the consolidated reply, not this.
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.co_opinion_submitted,
        message_zh=f"{ctx.name(opinion.department)}已提交协办意见。",
        now=now,
        departments=[case.lead, opinion.department],
        detail={
            "department": opinion.department,
            "opinion": opinion.opinion,
            "outstanding": petition.outstanding_co_handlers(case),
        },
    )


async def reply(
    *,
    uow: UnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.ReplyToCitizen,
    now: datetime,
) -> None:
    record = petition.reply(
        case,
        department=staff.department,
        decision=command.decision,
        request_summary=command.request_summary,
        facts_and_reasons=command.facts_and_reasons,
        basis=command.basis,
        outstanding_co_reason=command.outstanding_co_reason,
        now=now,
    )
    lead = ctx.name(case.lead)
    heard = await hearing_finding(uow, case, Step.reply)
    sequence = await next_document_sequence(uow, case.grievance_id, content.DocumentKind.reply_opinion)
    draft = content.reply_opinion(
        case,
        issuer=lead,
        reply=record,
        department_names={code: ctx.name(code) for code in case.co},
        review_body=ctx.settings.review_body_name,
        now=now,
        sequence=sequence,
        hearing=heard,
    )
    document = await issue_document(uow, ctx, case, draft, issued_by=case.lead, now=now)
    reviewable = allows_review(case.petition_kind or PetitionKind.claim)
    window = request_window_ends_on(case, ctx.calendar) if reviewable else None
    await tell_citizen(
        uow,
        case,
        status=Status.replied,
        message_zh=messages.replied(lead, record.decision, ctx.settings.review_body_name if window else None, window),
        actor=lead,
        now=now,
        due_at=end_of_day(window) if window else None,
        documents=[document],
        detail={"decision": record.decision.value},
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.replied,
        message_zh=f"{lead}已答复信访人（{DECISION_NAMES_ZH[record.decision]}）。",
        now=now,
        detail={"decision": record.decision.value, "outstanding_co_reason": record.outstanding_co_reason}
        | ({"hearing_held_on": heard.held_on.isoformat()} if heard else {}),
    )


async def hearing_finding(uow: UnitOfWork, case: Case, step: Step) -> HearingFinding | None:
    """The held hearing (if any) whose conclusion this answer must state (§31, §36)."""
    hearing = heard_for(case, await HearingRepository(uow.session).of_case(case.grievance_id), step)
    return finding(hearing) if hearing is not None else None


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
