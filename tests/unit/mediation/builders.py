"""Building blocks of the handler tests: a context on a stopped clock, the router's hand-off, the
staff who act, and a case brought to a given point through the use cases themselves."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from services.mediation.domain.vocabulary import Party
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.opening import open_mediation
from services.mediation.handlers.progress import accept, record_consent
from services.mediation.handlers.staffing import sync_roster
from services.mediation.repositories.cases import CaseRecord
from services.mediation.settings import Settings
from shared.auth import StaffPrincipal
from shared.clock import ManualClock
from shared.events.contracts import ComplainantView, Departments, GrievanceReceived, RoutingDecision, TrackHandoff
from shared.events.vocabulary import Area, Channel, Role, Track
from shared.pii import token_hash
from shared.problems import Problem
from tests.unit.mediation.fakes import FakeMediationUow

START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shenzhen
TRACKING_TOKEN = "citizen-secret-token"
SUPERVISOR = StaffPrincipal(subject="supervisor-1", role=Role.supervisor, department="petitions-bureau")


def context() -> MediationContext:
    return MediationContext.build(Settings(), clock=ManualClock(START))


def clock_of(ctx: MediationContext) -> ManualClock:
    assert isinstance(ctx.clock, ManualClock)
    return ctx.clock


async def ready_uow(ctx: MediationContext) -> FakeMediationUow:
    """A fake unit of work with the packaged roster loaded, as every process does at start."""
    uow = FakeMediationUow()
    async with uow:
        await sync_roster(uow=uow, ctx=ctx)
    return uow


def handoff(
    *,
    track: Track = Track.mediation,
    revision: int = 1,
    grievance_id: str | None = None,
    content: str = "楼上邻居家卫生间漏水，我家天花板受损，多次沟通无果。",
) -> TrackHandoff:
    grievance = GrievanceReceived(
        grievance_id=grievance_id or str(uuid.uuid4()),
        tracking_no="GM-20260302-000001",
        tracking_token_hash=token_hash(TRACKING_TOKEN),
        channel=Channel.portal,
        received_at=START,
        title="楼上漏水纠纷",
        content=content,
        street="公明街道",
        community="上村",
        respondent="楼上住户李先生",
        complainant=ComplainantView(name_masked="张**", phone_masked="138****1234", phone_pseudonym="p" * 64),
    )
    decision = RoutingDecision(
        track=track,
        area=Area.urban_rural_construction,
        departments=Departments(lead="housing"),
        urgent=False,
        confidence=0.93,
    )
    return TrackHandoff(grievance=grievance, decision=decision, revision=revision, handed_off_at=START)


async def open_case(uow: FakeMediationUow, ctx: MediationContext, event: TrackHandoff | None = None) -> CaseRecord:
    """The consumer's way: the use case, then the runner's commit."""
    async with uow:
        case_id = await open_mediation(uow=uow, ctx=ctx, handoff=event or handoff())
        await uow.commit()
    assert case_id is not None
    return uow.db.cases[case_id]


async def lead_of(uow: FakeMediationUow, case_id: str) -> StaffPrincipal:
    """The token of the case's lead mediator (its roster account, in its office)."""
    lead = next(a for a in uow.db.current(case_id) if a.role.value == "lead")
    mediator = uow.db.mediators[lead.mediator_id]
    assert mediator.subject is not None
    return StaffPrincipal(subject=mediator.subject, role=Role.mediator, department=mediator.office)


async def case_in_mediation(uow: FakeMediationUow, ctx: MediationContext) -> tuple[CaseRecord, StaffPrincipal]:
    """A case accepted and consented to by both parties (state in_mediation)."""
    case = await open_case(uow, ctx)
    staff = await lead_of(uow, case.id)
    async with uow:
        await accept(uow=uow, ctx=ctx, staff=staff, case_id=case.id)
    for party in (Party.applicant, Party.respondent):
        async with uow:
            await record_consent(uow=uow, ctx=ctx, staff=staff, case_id=case.id, party=party, consented=True, note="")
    return uow.db.cases[case.id], staff


def refusal(problem: Problem) -> tuple[int, str]:
    """A problem's status and slug (the last part of its type URI)."""
    return problem.status, problem.type.rsplit(":", 1)[-1]
