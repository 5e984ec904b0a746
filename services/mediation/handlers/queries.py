"""Reading cases: my cases, one case, statistics, documents (staff and citizen), the roster."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from services.mediation import db
from services.mediation.assistance_schemas import LegalAdviserRead
from services.mediation.domain.deadlines import is_overdue
from services.mediation.domain.states import allowed_actions
from services.mediation.domain.statistics import CaseFacts, Counts, summarise
from services.mediation.domain.vocabulary import (
    DISPUTE_KIND_ZH,
    MEDIATION_TYPE_ZH,
    SESSION_STATE_ZH,
    STATE_ZH,
    Outcome,
    SessionState,
    State,
)
from services.mediation.handlers import assistance
from services.mediation.handlers.access import Viewer, case_for, may_see, not_found, viewer_for
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.paperwork import document_url
from services.mediation.handlers.publishing import audit
from services.mediation.repositories import records, team
from services.mediation.repositories.cases import CaseRecord
from services.mediation.schemas import (
    CaseDetail,
    CaseSummary,
    ConsentRead,
    CountsRead,
    DocumentRead,
    MediatorRead,
    RosterEntryRead,
    SessionRead,
    StatisticsRead,
)
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork
from shared.pii import tokens_match
from shared.problems import Problem
from shared.statistics_params import Period

C, A = db.mediation, db.assignment


def _summary(case: CaseRecord, now: datetime) -> dict[str, Any]:
    open_case = case.state in {State.opened, State.accepted, State.in_mediation, State.scheduled}
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
        "overdue": open_case and is_overdue(case.due_at, now),
        "supervision_level": case.supervision_level,
    }


async def list_cases(
    *,
    uow: UnitOfWork,
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
    statement = select(C).order_by(C.c.due_at, C.c.id).limit(limit).offset(offset)
    if not viewer.sees_all or mine:
        if viewer.mediator is None:
            return []
        statement = statement.where(
            C.c.id.in_(select(A.c.mediation_id).where(A.c.mediator_id == viewer.mediator.id, A.c.released_at.is_(None)))
        )
    if state is not None:
        statement = statement.where(C.c.state == state.value)
    now = ctx.clock.now()
    if overdue is not None:
        open_states = [s.value for s in (State.opened, State.accepted, State.in_mediation, State.scheduled)]
        condition = C.c.state.in_(open_states) & (C.c.due_at < now)
        statement = statement.where(condition if overdue else ~condition)
    rows = await uow.session.execute(statement)
    return [CaseSummary(**_summary(CaseRecord.from_row(row), now)) for row in rows]


async def case_detail(*, uow: UnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str) -> CaseDetail:
    case, _ = await case_for(uow, staff, case_id, lock=False)
    detail = await build_detail(uow, ctx, case)
    # Reading a case shows personal data (names, facts): staff reads are audited (DESIGN §6).
    await audit(uow, staff, "read_case", case.id, {}, ctx.clock.now())
    await uow.commit()
    return detail


async def build_detail(uow: UnitOfWork, ctx: MediationContext, case: CaseRecord) -> CaseDetail:
    members = await team.team(uow.session, case.id)
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
            ConsentRead(party=r.party, consented=r.consented, note=r.note, recorded_at=r.recorded_at)
            for r in await records.consent_rows(uow.session, case.id)
        ],
        sessions=[
            SessionRead(
                number=r.number,
                state=r.state,
                state_zh=SESSION_STATE_ZH[SessionState(r.state)],
                scheduled_for=r.scheduled_for,
                location=r.location,
                reschedule_count=r.reschedule_count,
                reminded_at=r.reminded_at,
                held_at=r.held_at,
                attendance=r.attendance,
                minutes=r.minutes,
            )
            for r in await records.sessions(uow.session, case.id)
        ],
        documents=[
            DocumentRead(
                id=r.id,
                kind=r.kind,
                number=r.number,
                title=r.title,
                url=document_url(ctx, r.id),
                created_at=r.created_at,
            )
            for r in await records.documents(uow.session, case.id)
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
        assistance=await assistance.of_case(uow, ctx, case.id),
    )


def _counts(counts: Counts) -> CountsRead:
    return CountsRead(
        total=counts.total,
        open=counts.open,
        agreed=counts.agreed,
        failed=counts.failed,
        refused=counts.refused,
        withdrawn=counts.withdrawn,
        success_rate=counts.success_rate,
    )


async def statistics(*, uow: UnitOfWork, staff: StaffPrincipal, period: Period) -> StatisticsRead:
    """Cases opened in the period: every case for supervisors; a mediator sees its own office's
    figures. Referrals to assistance are counted by the day they were made (docs/statistics.md)."""
    viewer: Viewer = await viewer_for(uow, staff)
    statement = select(C.c.mediation_type, C.c.street, C.c.dispute_kind, C.c.outcome, C.c.opened_at, C.c.concluded_at)
    scope = "all"
    if not viewer.sees_all:
        scope = staff.department or "none"
        statement = statement.where(C.c.office == scope)
    if period.since is not None:
        statement = statement.where(C.c.opened_at >= period.since)
    if period.until is not None:
        statement = statement.where(C.c.opened_at < period.until)
    facts = [
        CaseFacts(
            row.mediation_type,
            row.street or "未知",
            row.dispute_kind,
            Outcome(row.outcome) if row.outcome else None,
            row.opened_at,
            row.concluded_at,
        )
        for row in await uow.session.execute(statement)
    ]
    result = summarise(facts)
    office = None if viewer.sees_all else scope
    referrals = await assistance.statistics(uow, office=office, since=period.first_day, until=period.last_day)
    return StatisticsRead(
        scope=scope,
        since=period.since,
        until=period.until,
        overall=_counts(result.overall),
        median_duration_days=result.median_duration_days,
        by_type={k: _counts(v) for k, v in sorted(result.by_type.items())},
        by_street={k: _counts(v) for k, v in sorted(result.by_street.items())},
        by_dispute_kind={k: _counts(v) for k, v in sorted(result.by_kind.items())},
        assistance=referrals,
    )


async def staff_document(*, uow: UnitOfWork, staff: StaffPrincipal, document_id: str) -> str:
    row = await records.document(uow.session, document_id)
    viewer = await viewer_for(uow, staff)
    if row is None or not await may_see(uow, viewer, row.mediation_id):
        raise not_found()
    return str(row.html)


async def citizen_document(*, uow: UnitOfWork, document_id: str, token: str | None) -> str:
    """A citizen's own document, with the tracking token; one answer for every kind of miss."""
    row = await records.document(uow.session, document_id)
    token_hash = None
    if row is not None:
        token_hash = await uow.session.scalar(select(C.c.tracking_token_hash).where(C.c.id == row.mediation_id))
    if row is None or not token or not token_hash or not tokens_match(token, token_hash):
        raise Problem(404, slug="document-not-found", detail="未找到该文书，或查询码不正确。")
    return str(row.html)


async def roster_view(*, uow: UnitOfWork, street: str | None, office: str | None) -> list[RosterEntryRead]:
    loads = await team.loads(uow.session)
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
        for m in await team.roster(uow.session)
        if (street is None or m.street == street) and (office is None or m.office == office)
    ]
