"""Mediation use cases on in-memory repositories: opening a case from the router's hand-off,
who may act, acceptance, and the parties' consent or refusal (人民调解法 §17). Sessions (调解会) are
in test_handlers_sessions.py; the endings (agreement, failure, withdrawal, follow-up, ratings, the
scheduler, recusal) in test_handlers_outcomes.py. No Kafka, no PostgreSQL."""

from __future__ import annotations

import pytest

from services.mediation.domain.vocabulary import AssignmentRole, Outcome, Party, State
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.opening import open_mediation
from services.mediation.handlers.progress import (
    accept,
    record_consent,
)
from services.mediation.handlers.queries import list_cases
from shared.auth import StaffPrincipal
from shared.events.contracts import GrievanceStatusChanged, RerouteRequested
from shared.events.department import MediationNotice
from shared.events.topics import GRIEVANCE_REROUTE, department_topic
from shared.events.vocabulary import Role, Track
from shared.kafka.consumer import PermanentError
from shared.problems import Problem
from tests.unit.mediation.builders import (
    START,
    case_in_mediation,
    context,
    handoff,
    lead_of,
    open_case,
    ready_uow,
    refusal,
)
from tests.unit.mediation.fakes import FakeMediationUow

STATUS = GrievanceStatusChanged.event_type


@pytest.fixture
def ctx() -> MediationContext:
    return context()


@pytest.fixture
async def uow(ctx: MediationContext) -> FakeMediationUow:
    return await ready_uow(ctx)


def statuses(uow: FakeMediationUow) -> list[str]:
    return [data["status"] for data in uow.published_of(STATUS)]


# --- opening -------------------------------------------------------------------------------------


async def test_a_hand_off_opens_a_staffed_case_and_tells_citizen_and_office(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    event = handoff()
    case = await open_case(uow, ctx, event)

    assert case.grievance_id == event.grievance.grievance_id
    assert case.state is State.opened
    assert case.due_at > START
    assert case.applicant_name == "张**"
    roles = [a.role for a in uow.db.current(case.id)]
    assert roles.count(AssignmentRole.lead) == 1
    assert statuses(uow) == ["mediation_opened"]
    opened = uow.published_of(STATUS)[0]
    assert opened["tracking_no"] == event.grievance.tracking_no
    assert opened["detail"]["mediation_id"] == case.id
    assert opened["actor"] == case.office_name  # an office, never a mediator's name
    notices = uow.published_of(MediationNotice.event_type)
    assert [n["notice"] for n in notices] == ["opened"]
    assert uow.topics_of(MediationNotice.event_type) == [department_topic(case.office)]


async def test_the_same_hand_off_twice_opens_one_case(uow: FakeMediationUow, ctx: MediationContext) -> None:
    event = handoff()
    await open_case(uow, ctx, event)
    events_before = len(uow.events)

    async with uow:
        again = await open_mediation(uow=uow, ctx=ctx, handoff=event)
        await uow.commit()

    assert again is None
    assert len(uow.db.cases) == 1
    assert len(uow.events) == events_before


async def test_a_new_revision_does_not_open_a_second_case_while_one_runs(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    first = await open_case(uow, ctx)

    async with uow:
        opened = await open_mediation(uow=uow, ctx=ctx, handoff=handoff(grievance_id=first.grievance_id, revision=2))

    assert opened is None
    assert list(uow.db.cases) == [first.id]


async def test_a_hand_off_for_another_track_is_a_permanent_error(uow: FakeMediationUow, ctx: MediationContext) -> None:
    async with uow:
        with pytest.raises(PermanentError):
            await open_mediation(uow=uow, ctx=ctx, handoff=handoff(track=Track.petition))
    assert uow.db.cases == {}


# --- who may act ---------------------------------------------------------------------------------


async def test_a_mediator_not_on_the_case_is_told_it_does_not_exist(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case = await open_case(uow, ctx)
    # On the roster, in the same office, but not on this case.
    stranger = StaffPrincipal(subject="mediator.gongming-03", role=Role.mediator, department=case.office)
    assert not any(a.mediator_id == "gongming-03" for a in uow.db.current(case.id))

    async with uow:
        with pytest.raises(Problem) as refused:
            await accept(uow=uow, ctx=ctx, staff=stranger, case_id=case.id)

    assert refused.value.status == 404
    assert uow.db.cases[case.id].state is State.opened


async def test_a_mediator_lists_only_its_own_cases(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case = await open_case(uow, ctx)
    staff = await lead_of(uow, case.id)
    other = StaffPrincipal(subject="mediator.gongming-03", role=Role.mediator, department=case.office)

    async with uow:
        mine = await list_cases(uow=uow, ctx=ctx, staff=staff, mine=True)
        theirs = await list_cases(uow=uow, ctx=ctx, staff=other, mine=True)

    assert [c.id for c in mine] == [case.id]
    assert theirs == []


# --- acceptance and consent ----------------------------------------------------------------------


async def test_accept_moves_the_case_on_and_is_audited(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case = await open_case(uow, ctx)
    staff = await lead_of(uow, case.id)

    async with uow:
        await accept(uow=uow, ctx=ctx, staff=staff, case_id=case.id)

    accepted = uow.db.cases[case.id]
    assert accepted.state is State.accepted
    assert accepted.accepted_at == START
    assert statuses(uow)[-1] == "accepted"
    assert [(e.action, e.case_id) for e in uow.db.audit] == [("accept", case.id)]


async def test_accepting_twice_is_refused_and_changes_nothing(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case = await open_case(uow, ctx)
    staff = await lead_of(uow, case.id)
    async with uow:
        await accept(uow=uow, ctx=ctx, staff=staff, case_id=case.id)
    events_before = len(uow.events)

    async with uow:
        with pytest.raises(Problem) as refused:
            await accept(uow=uow, ctx=ctx, staff=staff, case_id=case.id)

    assert refusal(refused.value) == (409, "illegal-transition")
    assert len(uow.events) == events_before
    assert len(uow.db.audit) == 1


async def test_consent_before_acceptance_is_refused(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case = await open_case(uow, ctx)
    staff = await lead_of(uow, case.id)

    async with uow:
        with pytest.raises(Problem) as refused:
            await record_consent(
                uow=uow, ctx=ctx, staff=staff, case_id=case.id, party=Party.applicant, consented=True, note=""
            )

    assert refused.value.status == 409
    assert uow.db.consents == {}


async def test_both_parties_consenting_starts_mediation(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case, _ = await case_in_mediation(uow, ctx)

    assert case.state is State.in_mediation
    assert {party: c.consented for (_, party), c in uow.db.consents.items()} == {
        Party.applicant: True,
        Party.respondent: True,
    }
    assert statuses(uow)[-1] == "in_progress"


async def test_a_refusal_ends_mediation_with_a_notice_and_one_reroute(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case = await open_case(uow, ctx)
    staff = await lead_of(uow, case.id)
    async with uow:
        await accept(uow=uow, ctx=ctx, staff=staff, case_id=case.id)

    async with uow:
        await record_consent(
            uow=uow, ctx=ctx, staff=staff, case_id=case.id, party=Party.respondent, consented=False, note="不愿调解"
        )

    refused = uow.db.cases[case.id]
    assert (refused.state, refused.outcome) == (State.refused, Outcome.refusal)
    assert [d.kind for d in uow.db.documents.values()] == ["termination_notice"]
    failed = uow.published_of(STATUS)[-1]
    assert failed["status"] == "mediation_failed"
    assert len(failed["documents"]) == 1
    reroutes = uow.published_of(RerouteRequested.event_type)
    assert len(reroutes) == 1
    assert reroutes[0]["reason"] == "mediation_refused"
    assert reroutes[0]["from_track"] == "mediation"
    assert uow.topics_of(RerouteRequested.event_type) == [GRIEVANCE_REROUTE]
    assert uow.db.reroutes[case.id].event_id == next(
        e.id for _, e in uow.events if e.type == RerouteRequested.event_type
    )
