"""How mediation ends, on in-memory repositories: agreement (调解协议书), failure with its re-route
(§26), withdrawal, the follow-up (回访) and the citizen's rating (重办), the scheduler's clock-driven
work, and recusal (回避). No Kafka, no PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.mediation.domain.vocabulary import Outcome, SessionState, State
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.failure import close_with_failure
from services.mediation.handlers.feedback import take_rating
from services.mediation.handlers.outcomes import close_with_agreement, record_follow_up, withdraw
from services.mediation.handlers.progress import schedule_session
from services.mediation.handlers.staffing import recuse
from services.mediation.handlers.supervision import run_due_work
from shared.events.contracts import GrievanceStatusChanged, RatingSubmitted, RerouteRequested
from shared.events.department import MediationNotice
from shared.events.vocabulary import Rating, Track
from shared.problems import Problem
from tests.unit.mediation.builders import (
    START,
    case_in_mediation,
    clock_of,
    context,
    lead_of,
    open_case,
    ready_uow,
    refusal,
)
from tests.unit.mediation.fakes import FakeMediationUow

STATUS = GrievanceStatusChanged.event_type
REROUTE = RerouteRequested.event_type
DEADLINE = date(2026, 4, 30)


@pytest.fixture
def ctx() -> MediationContext:
    return context()


@pytest.fixture
async def uow(ctx: MediationContext) -> FakeMediationUow:
    return await ready_uow(ctx)


async def agreed_case(uow: FakeMediationUow, ctx: MediationContext) -> str:
    case, staff = await case_in_mediation(uow, ctx)
    async with uow:
        await close_with_agreement(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=case.id,
            terms=["李先生于四月底前修复漏水"],
            performance_deadline=DEADLINE,
        )
    return case.id


# --- agreement -----------------------------------------------------------------------------------


async def test_an_agreement_closes_the_case_with_a_numbered_document(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case, staff = await case_in_mediation(uow, ctx)
    async with uow:
        await schedule_session(
            uow=uow, ctx=ctx, staff=staff, case_id=case.id, scheduled_for=START + timedelta(days=2), location="司法所"
        )

    async with uow:
        ref = await close_with_agreement(
            uow=uow,
            ctx=ctx,
            staff=staff,
            case_id=case.id,
            terms=["  李先生修复漏水  ", " "],
            performance_deadline=DEADLINE,
        )

    agreed = uow.db.cases[case.id]
    assert (agreed.state, agreed.outcome, agreed.performance_deadline) == (State.agreed, Outcome.agreement, DEADLINE)
    assert agreed.outcome_detail["terms"] == ["李先生修复漏水"]
    assert agreed.follow_up_due_at is not None
    document = next(iter(uow.db.documents.values()))
    assert (document.kind, document.number) == ("agreement", agreed.outcome_detail["agreement_number"])
    assert "李先生修复漏水" in document.html
    assert ref.url.endswith(f"/v1/mediation-documents/{document.id}")
    assert uow.db.sessions[0].state is SessionState.cancelled  # the pending session goes with the case
    last = uow.published_of(STATUS)[-1]
    assert (last["status"], last["documents"][0]["url"]) == ("mediation_agreed", ref.url)
    assert uow.published_of(MediationNotice.event_type)[-1]["notice"] == "concluded"
    assert uow.published_of(REROUTE) == []


async def test_an_agreement_without_terms_is_refused_and_changes_nothing(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case, staff = await case_in_mediation(uow, ctx)
    events_before = len(uow.events)

    async with uow:
        with pytest.raises(Problem) as refused:
            await close_with_agreement(
                uow=uow, ctx=ctx, staff=staff, case_id=case.id, terms=["  "], performance_deadline=DEADLINE
            )

    assert refusal(refused.value) == (422, "agreement-incomplete")
    assert uow.db.cases[case.id].state is State.in_mediation
    assert uow.db.documents == {}
    assert len(uow.events) == events_before


# --- failure and withdrawal ----------------------------------------------------------------------


async def test_a_failure_gives_the_notice_and_reroutes_exactly_once(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case, staff = await case_in_mediation(uow, ctx)

    async with uow:
        await close_with_failure(
            uow=uow, ctx=ctx, staff=staff, case_id=case.id, reason="双方分歧过大", to_track=Track.litigation
        )

    failed = uow.db.cases[case.id]
    assert (failed.state, failed.outcome) == (State.failed, Outcome.failure)
    assert failed.outcome_detail["to_track"] == "litigation"
    [reroute] = uow.published_of(REROUTE)
    assert (reroute["reason"], reroute["to_track"], reroute["grievance_id"]) == (
        "mediation_failed",
        "litigation",
        case.grievance_id,
    )
    assert uow.published_of(STATUS)[-1]["status"] == "mediation_failed"
    assert [d.kind for d in uow.db.documents.values()] == ["termination_notice"]
    assert [e.action for e in uow.db.audit][-1] == "close_failure"

    async with uow:
        with pytest.raises(Problem) as again:
            await close_with_failure(uow=uow, ctx=ctx, staff=staff, case_id=case.id, reason="再次提交")
    assert refusal(again.value) == (409, "illegal-transition")
    assert len(uow.published_of(REROUTE)) == 1


async def test_a_withdrawal_closes_without_reroute(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case = await open_case(uow, ctx)
    staff = await lead_of(uow, case.id)

    async with uow:
        await withdraw(uow=uow, ctx=ctx, staff=staff, case_id=case.id, reason="双方已自行和解")

    withdrawn = uow.db.cases[case.id]
    assert (withdrawn.state, withdrawn.outcome, withdrawn.closed_at) == (State.withdrawn, Outcome.withdrawal, START)
    assert uow.published_of(STATUS)[-1]["status"] == "closed"
    assert uow.published_of(REROUTE) == []


# --- follow-up and the citizen's rating ----------------------------------------------------------


async def test_an_unperformed_agreement_goes_on_to_the_legal_route(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case_id = await agreed_case(uow, ctx)
    staff = await lead_of(uow, case_id)

    async with uow:
        await record_follow_up(uow=uow, ctx=ctx, staff=staff, case_id=case_id, performed=False, note="未修复")

    closed = uow.db.cases[case_id]
    assert (closed.state, closed.performed) == (State.closed, False)
    [reroute] = uow.published_of(REROUTE)
    assert (reroute["reason"], reroute["to_track"]) == ("other", "litigation")


async def test_dissatisfaction_after_a_performed_agreement_reopens_mediation(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case_id = await agreed_case(uow, ctx)
    staff = await lead_of(uow, case_id)
    async with uow:
        await record_follow_up(uow=uow, ctx=ctx, staff=staff, case_id=case_id, performed=True, note="已履行")
    case = uow.db.cases[case_id]
    rating = RatingSubmitted(
        grievance_id=case.grievance_id,
        tracking_no=case.tracking_no,
        rating=Rating.dissatisfied,
        comment="漏水又出现了",
        reopen_requested=True,
        submitted_at=START,
    )

    async with uow:
        effect = await take_rating(uow=uow, ctx=ctx, rating=rating)
        await uow.commit()

    reopened = uow.db.cases[case_id]
    assert effect == "reopened"
    assert (reopened.state, reopened.outcome, reopened.reopen_count) == (State.in_mediation, None, 1)
    assert reopened.outcome_detail["previous"]["agreement_number"]
    assert uow.published_of(STATUS)[-1]["status"] == "reopened"
    assert uow.published_of(MediationNotice.event_type)[-1]["notice"] == "reopened"
    assert [r.effect for r in uow.db.ratings] == ["reopened"]


async def test_a_rating_of_a_grievance_never_in_mediation_is_ignored(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    rating = RatingSubmitted(
        grievance_id="00000000-0000-0000-0000-000000000000",
        tracking_no="GM-1",
        rating=Rating.satisfied,
        submitted_at=START,
    )
    async with uow:
        assert await take_rating(uow=uow, ctx=ctx, rating=rating) is None
    assert uow.db.ratings == []


# --- the scheduler -------------------------------------------------------------------------------


async def test_the_scheduler_reminds_supervises_and_calls_for_follow_ups(
    uow: FakeMediationUow, ctx: MediationContext
) -> None:
    case, staff = await case_in_mediation(uow, ctx)
    when = START + timedelta(days=2)
    async with uow:
        await schedule_session(uow=uow, ctx=ctx, staff=staff, case_id=case.id, scheduled_for=when, location="司法所")

    clock_of(ctx).set(when - timedelta(hours=1))
    done = await run_due_work(uow_factory=lambda: uow, ctx=ctx)
    assert done == {"supervised": 0, "reminded": 1, "follow_ups": 0}
    assert uow.db.sessions[0].reminded_at == when - timedelta(hours=1)
    assert uow.published_of(STATUS)[-1]["detail"]["reminder"] is True
    assert (await run_due_work(uow_factory=lambda: uow, ctx=ctx))["reminded"] == 0  # once only

    clock_of(ctx).set(case.due_at + timedelta(days=2))
    done = await run_due_work(uow_factory=lambda: uow, ctx=ctx)
    supervised = uow.db.cases[case.id]
    assert done["supervised"] == 1
    assert supervised.supervision_level == 1
    assert supervised.due_at > case.due_at
    assert uow.published_of(STATUS)[-1]["status"] == "supervised"
    assert "petitions-bureau" in uow.topics_of(MediationNotice.event_type)[-1]


# --- recusal -------------------------------------------------------------------------------------


async def test_a_recusing_mediator_leaves_the_case_for_good(uow: FakeMediationUow, ctx: MediationContext) -> None:
    case, staff = await case_in_mediation(uow, ctx)
    leaving = next(a.mediator_id for a in uow.db.current(case.id))

    async with uow:
        await recuse(uow=uow, ctx=ctx, staff=staff, case_id=case.id, reason="与申请人系亲属")

    assert (case.id, leaving) in uow.db.recusals
    assert uow.db.current(case.id) == []
    # The street office has no other neighbour-dispute mediator with an account: the bureau is told.
    notice = uow.published_of(MediationNotice.event_type)[-1]
    assert notice["notice"] == "needs_assignment"
    assert any(topic.endswith("petitions-bureau.cases.v1") for topic in uow.topics_of(MediationNotice.event_type))
    assert [e.action for e in uow.db.audit][-1] == "recusal"

    async with uow:
        with pytest.raises(Problem) as gone:
            await recuse(uow=uow, ctx=ctx, staff=staff, case_id=case.id, reason="再次申请")
    assert refusal(gone.value) == (404, "mediation-not-found")
