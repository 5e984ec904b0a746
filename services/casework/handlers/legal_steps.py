"""Steps of the 政法 bodies (litigation track) and of the reviewing body (复查/复核 opinions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.casework.domain import litigation, messages
from services.casework.domain.calendar import end_of_day
from services.casework.domain.case import Case, ReviewLevel
from services.casework.domain.deadlines import Step
from services.casework.domain.review import decide_review as decide
from services.casework.domain.review import request_window_ends_on
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.publishing import tell_citizen, tell_departments
from services.casework.handlers.reply import hearing_finding
from services.casework.handlers.steps import StepHandler
from services.casework.repositories import CaseworkUnitOfWork
from shared.auth import StaffPrincipal
from shared.events.department import DepartmentAction
from shared.events.vocabulary import Status

OUTCOME_NAMES_ZH = {"upheld": "维持原处理意见", "changed": "变更原处理意见", "revoked": "撤销原处理意见"}


async def confirm_receipt(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.ConfirmLegalReceipt,
    now: datetime,
) -> None:
    litigation.receive(
        case, department=staff.department, reference_no=command.reference_no, now=now, calendar=ctx.calendar
    )
    body = ctx.name(case.lead)
    update_clock = case.running(Step.legal_update)
    await tell_citizen(
        uow,
        case,
        status=Status.in_progress,
        message_zh=messages.legal_received(body),
        actor=body,
        now=now,
        due_at=update_clock.due_at if update_clock else None,
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.legal_received,
        message_zh=f"{body}已确认接收。",
        now=now,
        detail={"reference_no": command.reference_no},
    )


async def report_progress(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.ReportLegalProgress,
    now: datetime,
) -> None:
    update = litigation.record_progress(
        case, department=staff.department, note=command.note, now=now, calendar=ctx.calendar
    )
    body = ctx.name(case.lead)
    text = messages.legal_progress(body, update.note)
    await tell_citizen(uow, case, status=Status.in_progress, message_zh=text, actor=body, now=now)
    await tell_departments(uow, ctx, case, action=DepartmentAction.legal_progress, message_zh=text, now=now)


async def conclude(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.ConcludeLegal,
    now: datetime,
) -> None:
    litigation.conclude(case, department=staff.department, outcome=command.outcome, now=now)
    body = ctx.name(case.lead)
    text = messages.legal_concluded(body, command.outcome.strip())
    await tell_citizen(uow, case, status=Status.closed, message_zh=text, actor=body, now=now)
    await tell_departments(uow, ctx, case, action=DepartmentAction.legal_concluded, message_zh=text, now=now)


async def decide_review(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    case: Case,
    staff: StaffPrincipal,
    command: c.DecideReview,
    now: datetime,
) -> None:
    record = decide(case, outcome=command.outcome, opinion=command.opinion, now=now)
    is_review = record.level is ReviewLevel.review
    heard = None if is_review else await hearing_finding(uow, case, Step.re_review)
    level_zh = "复查" if is_review else "复核"
    body = ctx.settings.review_body_name if is_review else ctx.settings.re_review_body_name
    window = request_window_ends_on(case, ctx.calendar) if is_review else None
    opinion = f"{OUTCOME_NAMES_ZH[command.outcome.value]}。{record.opinion}"
    text = messages.review_decided(
        level_zh, body, opinion, ctx.settings.re_review_body_name if window else None, window, hearing=heard
    )
    detail: dict[str, Any] = {"level": record.level.value, "outcome": command.outcome.value, "final": case.final}
    if heard is not None:
        # The 复核 opinion rests on the hearing (§36): the record of the decision says so.
        detail |= {"hearing": {"held_on": heard.held_on.isoformat(), "place": heard.place, "panel": heard.panel_zh}}
    await tell_citizen(
        uow,
        case,
        status=Status.review_decided,
        message_zh=text,
        actor=body,
        now=now,
        due_at=end_of_day(window) if window else None,
        detail=detail,
    )
    if case.final:
        await tell_citizen(
            uow, case, status=Status.closed, message_zh=messages.closed(), actor=body, now=now, detail=detail
        )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.review_decided,
        message_zh=f"{body}已提出{level_zh}意见：{OUTCOME_NAMES_ZH[command.outcome.value]}。",
        now=now,
        departments=[case.lead],
        detail=detail | {"opinion": record.opinion},
    )


OTHER_STEPS: dict[type[Any], StepHandler] = {
    c.ConfirmLegalReceipt: confirm_receipt,
    c.ReportLegalProgress: report_progress,
    c.ConcludeLegal: conclude,
    c.DecideReview: decide_review,
}
