"""What a reader gets to see of a case (API responses), after the access rules of domain/access."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.casework.domain.access import Reader, may_read_co_opinions, may_read_grievance
from services.casework.domain.allowed import allowed_actions
from services.casework.domain.case import Case
from services.casework.domain.deadlines import STEP_NAMES_ZH, Deadline
from services.casework.domain.kinds import DECISION_NAMES_ZH, is_confidential
from services.casework.domain.legal import ROUTE_TEXT_ZH
from services.casework.domain.petition import outstanding_co_handlers
from services.casework.domain.states import STATE_NAMES_ZH
from services.casework.handlers.context import CaseworkContext
from services.casework.schemas.cases import (
    CaseRead,
    CaseSummary,
    CoOpinionRead,
    DeadlineRead,
    DocumentRead,
    LegalRead,
    Office,
    ReplyRead,
    ReviewRead,
)
from shared.events.contracts import FiledGrievance
from shared.events.department import GrievanceForDepartment
from shared.events.vocabulary import Role


def grievance_view(case: Case) -> GrievanceForDepartment:
    s = case.snapshot
    return GrievanceForDepartment(
        **FiledGrievance.fields_of(s),
        complainant_name_masked=s.complainant_name_masked,
        complainant_phone_masked=s.complainant_phone_masked,
    )


def office(ctx: CaseworkContext, code: str) -> Office:
    return Office(code=code, name=ctx.name(code))


def deadline_read(ctx: CaseworkContext, deadline: Deadline, today: date) -> DeadlineRead:
    return DeadlineRead(
        step=deadline.step.value,
        step_zh=STEP_NAMES_ZH[deadline.step],
        owner=office(ctx, deadline.owner),
        started_at=deadline.started_at,
        due_on=deadline.due_on,
        due_at=deadline.due_at,
        done_at=deadline.done_at,
        met=deadline.met,
        running=deadline.running,
        overdue=deadline.overdue_on(today),
        near_due=deadline.near_due_on(today, ctx.calendar, ctx.settings.near_due_working_days),
    )


def case_summary(ctx: CaseworkContext, case: Case, reader: Reader, today: date) -> CaseSummary:
    upcoming = case.next_deadline
    return CaseSummary(
        grievance_id=case.grievance_id,
        tracking_no=case.tracking_no,
        title=case.snapshot.title if may_read_grievance(case, reader) else None,
        track=case.track,
        petition_kind=case.petition_kind,
        state=case.state.value,
        state_zh=STATE_NAMES_ZH[case.state],
        urgent=case.urgent,
        my_role=reader.value,
        lead=office(ctx, case.lead),
        co=[office(ctx, code) for code in case.co],
        revision=case.revision,
        assigned_at=case.assigned_at,
        next_due=deadline_read(ctx, upcoming, today) if upcoming else None,
        overdue=any(d.overdue_on(today) for d in case.deadlines),
        confidential=is_confidential(case.petition_kind),
    )


def case_read(
    ctx: CaseworkContext,
    case: Case,
    reader: Reader,
    today: date,
    documents: list[DocumentRead],
    *,
    staff_role: Role,
    department: str | None,
) -> CaseRead:
    summary = case_summary(ctx, case, reader, today)
    sees_grievance = may_read_grievance(case, reader)
    legal = case.legal
    fields: dict[str, Any] = summary.model_dump()
    return CaseRead(
        **fields,
        return_window_ends_on=case.return_window_ends_on,
        grievance=grievance_view(case) if sees_grievance else None,
        deadlines=[deadline_read(ctx, d, today) for d in case.deadlines if not d.cancelled],
        co_opinions=[
            CoOpinionRead(department=office(ctx, o.department), opinion=o.opinion, submitted_at=o.submitted_at)
            for o in case.co_opinions
        ]
        if may_read_co_opinions(reader)
        else [],
        outstanding_co=[office(ctx, code) for code in outstanding_co_handlers(case)],
        extension_days=case.extension.days if case.extension else None,
        extension_reason=case.extension.reason if case.extension else None,
        replies=[
            ReplyRead(
                decision=r.decision,
                decision_zh=DECISION_NAMES_ZH[r.decision],
                request_summary=r.request_summary,
                facts_and_reasons=r.facts_and_reasons,
                basis=r.basis,
                replied_at=r.replied_at,
                outstanding_co_reason=r.outstanding_co_reason,
            )
            for r in case.replies
        ]
        if sees_grievance
        else [],
        reviews=[
            ReviewRead(
                level=r.level.value,
                reason=r.reason,
                requested_at=r.requested_at,
                decided_at=r.decided_at,
                outcome=r.outcome,
                opinion=r.opinion,
            )
            for r in case.reviews
        ],
        not_accepted_ground=case.not_acceptance.ground if case.not_acceptance else None,
        legal=LegalRead(
            body=office(ctx, legal.body),
            route=legal.route,
            route_zh=ROUTE_TEXT_ZH[legal.route],
            transferred_at=legal.transferred_at,
            received_at=legal.received_at,
            reference_no=legal.reference_no,
            concluded_at=legal.concluded_at,
            outcome=legal.outcome,
        )
        if legal
        else None,
        final=case.final,
        closed_at=case.closed_at,
        documents=documents,
        allowed_actions=allowed_actions(case, staff_role=staff_role, department=department, today=today),
    )
