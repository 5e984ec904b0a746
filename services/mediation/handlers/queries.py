"""Reading cases: the lists (mine, all), one case in full, the case after a command, the roster."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.mediation.domain.deadlines import is_overdue
from services.mediation.domain.states import OPEN_STATES, allowed_actions
from services.mediation.domain.vocabulary import (
    DISPUTE_KIND_ZH,
    MEDIATION_TYPE_ZH,
    SESSION_STATE_ZH,
    STATE_ZH,
    State,
)
from services.mediation.handlers.access import case_for, not_found, viewer_for
from services.mediation.handlers.assistance import of_case as referrals_of_case
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.paperwork import document_url
from services.mediation.handlers.publishing import audit
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from services.mediation.schemas.assistance import LegalAdviserRead
from services.mediation.schemas.cases import (
    CaseDetail,
    CaseSummary,
    ConsentRead,
    DocumentRead,
    MediatorRead,
    RosterEntryRead,
    SessionRead,
)
from shared.auth import StaffPrincipal


def _summary(case: CaseRecord, now: datetime) -> dict[str, Any]:
    return {
        "id": case.id,
        "grievance_id": case.grievance_id,
        "tracking_no": case.tracking_no,
        "title": case.title,
        "state": case.state,
        "state_zh": STATE_ZH[case.state],
        "mediation_type": case.mediation_type,
        "type_zh": MEDIATION_TYPE_ZH[case.mediation_type],
        "dispute_kind": case.dispute_kind,
        "dispute_kind_zh": DISPUTE_KIND_ZH[case.dispute_kind],
        "street": case.street,
        "office": case.office,
        "office_name": case.office_name,
        "panel": case.panel,
        "opened_at": case.opened_at,
        "due_at": case.due_at,
        "overdue": case.state in OPEN_STATES and is_overdue(case.due_at, now),
        "supervision_level": case.supervision_level,
    }


async def list_cases(
    *,
    uow: MediationUnitOfWork,
    ctx: MediationContext,
    staff: StaffPrincipal,
    state: State | None = None,
    overdue: bool | None = None,
    mine: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> list[CaseSummary]:
    """A mediator's own cases; a supervisor's view of every case (``mine`` narrows nothing for them)."""
    viewer = await viewer_for(uow, staff)
    assigned_to = None
    if not viewer.sees_all or mine:
        if viewer.mediator is None:
            return []
        assigned_to = viewer.mediator.id
    now = ctx.clock.now()
    found = await uow.cases.list_by_due(
        assigned_to=assigned_to, state=state, overdue=overdue, now=now, limit=limit, offset=offset
    )
    return [CaseSummary(**_summary(case, now)) for case in found]


async def case_detail(
    *, uow: MediationUnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str
) -> CaseDetail:
    case, _ = await case_for(uow, staff, case_id, lock=False)
    detail = await build_detail(uow, ctx, case)
    # Reading a case shows personal data (names, facts): staff reads are audited (DESIGN §6).
    await audit(uow, staff, "read_case", case.id, {}, ctx.clock.now())
    await uow.commit()
    return detail


async def case_after_command(*, uow: MediationUnitOfWork, ctx: MediationContext, case_id: str) -> CaseDetail:
    """The case as a command left it (read after the command's commit, not audited as a read)."""
    case = await uow.cases.get(case_id)
    if case is None:
        raise not_found()
    return await build_detail(uow, ctx, case)


async def build_detail(uow: MediationUnitOfWork, ctx: MediationContext, case: CaseRecord) -> CaseDetail:
    members = await uow.teams.members(case.id)
    return CaseDetail(
        **_summary(case, ctx.clock.now()),
        facts=case.facts,
        community=case.community,
        respondent=case.respondent,
        desired_outcome=case.desired_outcome,
        applicant_name=case.applicant_name,
        area=case.area,
        triage=case.triage,
        allowed_actions=[a.value for a in allowed_actions(case.state)],
        mediators=[
            MediatorRead(
                id=m.mediator.id,
                name=m.mediator.name,
                kind=m.mediator.kind,
                office=m.mediator.office,
                street=m.mediator.street,
                role=m.role,
                skills=sorted(m.mediator.skills),
            )
            for m in members
        ],
        consents=[
            ConsentRead(party=c.party, consented=c.consented, note=c.note, recorded_at=c.recorded_at)
            for c in await uow.consents.of_case(case.id)
        ],
        sessions=[
            SessionRead(
                number=s.number,
                state=s.state,
                state_zh=SESSION_STATE_ZH[s.state],
                scheduled_for=s.scheduled_for,
                location=s.location,
                reschedule_count=s.reschedule_count,
                reminded_at=s.reminded_at,
                held_at=s.held_at,
                attendance=s.attendance,
                minutes=s.minutes,
            )
            for s in await uow.mediation_sessions.of_case(case.id)
        ],
        documents=[
            DocumentRead(
                id=d.id,
                kind=d.kind,
                number=d.number,
                title=d.title,
                url=document_url(ctx, d.id),
                created_at=d.created_at,
            )
            for d in await uow.documents.of_case(case.id)
        ],
        outcome=case.outcome,
        outcome_detail=case.outcome_detail,
        concluded_at=case.concluded_at,
        performance_deadline=case.performance_deadline,
        follow_up_due_at=case.follow_up_due_at,
        performed=case.performed,
        closed_at=case.closed_at,
        reopen_count=case.reopen_count,
        legal_adviser=LegalAdviserRead.model_validate(case.legal_adviser) if case.legal_adviser else None,
        assistance=await referrals_of_case(uow, ctx, case.id),
    )


async def roster_view(*, uow: MediationUnitOfWork, street: str | None, office: str | None) -> list[RosterEntryRead]:
    loads = await uow.teams.loads()
    return [
        RosterEntryRead(
            id=m.id,
            name=m.name,
            kind=m.kind,
            office=m.office,
            street=m.street,
            skills=sorted(m.skills),
            capacity=m.capacity,
            load=loads.get(m.id, 0),
            has_account=m.subject is not None,
            conflict_respondents=list(m.conflict_respondents),
        )
        for m in await uow.mediators.active()
        if (street is None or m.street == street) and (office is None or m.office == office)
    ]
