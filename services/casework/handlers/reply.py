"""The answer to the citizen: co-handlers' opinions (协办意见), and the lead's reply with its
信访处理意见书 (stating the conclusion of any hearing held on it, §31)."""

from __future__ import annotations

from datetime import datetime

from services.casework.documents import content
from services.casework.domain import messages, petition
from services.casework.domain.calendar import end_of_day
from services.casework.domain.case import Case
from services.casework.domain.deadlines import Step
from services.casework.domain.hearing_findings import HearingFinding, finding, heard_for
from services.casework.domain.kinds import DECISION_NAMES_ZH, allows_review
from services.casework.domain.review import request_window_ends_on
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import issue_document, next_document_sequence, tell_citizen, tell_departments
from services.casework.repositories import CaseworkUnitOfWork
from shared.auth import StaffPrincipal
from shared.events.department import DepartmentAction
from shared.events.vocabulary import PetitionKind, Status


async def submit_co_opinion(
    *,
    uow: CaseworkUnitOfWork,
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
    uow: CaseworkUnitOfWork,
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


async def hearing_finding(uow: CaseworkUnitOfWork, case: Case, step: Step) -> HearingFinding | None:
    """The held hearing (if any) whose conclusion this answer must state (§31, §36)."""
    hearing = heard_for(case, await uow.hearings.of_case(case.grievance_id), step)
    return finding(hearing) if hearing is not None else None
