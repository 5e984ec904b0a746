"""Casework's clocks and what follows a reply, on in-memory repositories (fakes.py): the
scheduler's 预警 and 督办, a supervisor's 督办, the citizen's rating, 复查 and its decision, a hearing
that stops the clock, and the closing of a reply nobody challenged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.casework.domain.case import ReviewOutcome
from services.casework.domain.deadlines import Step
from services.casework.domain.hearing import HearingBody, HearingState, ParticipantRole
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.states import CaseState
from services.casework.handlers import actions, feedback, hearings, manual_supervision
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.handoff import take_handoff
from services.casework.handlers.supervision import supervise_once
from services.casework.schemas.hearings import HearingCreate, HearingRecordCreate, ParticipantIn
from shared.clock import ManualClock
from shared.events.contracts import CitizenReviewRequested, RatingSubmitted
from shared.events.vocabulary import Rating, Status
from tests.unit.casework.fakes import FakeCaseworkUow
from tests.unit.casework.handler_support import (
    START,
    SUPERVISOR,
    department_events,
    handoff,
    make_context,
    officer,
    statuses,
)
from tests.unit.casework.helpers import at


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def ctx(clock: ManualClock) -> CaseworkContext:
    return make_context(clock)


@pytest.fixture
def uow() -> FakeCaseworkUow:
    return FakeCaseworkUow()


async def assigned(uow: FakeCaseworkUow, ctx: CaseworkContext, **routing: object) -> str:
    payload = handoff(**routing)  # type: ignore[arg-type]
    async with uow:
        await take_handoff(uow=uow, ctx=ctx, handoff=payload)
        await uow.commit()
    return payload.grievance.grievance_id


async def steps(uow: FakeCaseworkUow, ctx: CaseworkContext, gid: str, *commands: c.Command) -> None:
    for command in commands:
        async with uow:
            await actions.perform(uow=uow, ctx=ctx, staff=officer("housing"), grievance_id=gid, command=command)


REPLY = c.ReplyToCitizen(
    decision=ReplyDecision.reject,
    request_summary="要求赔偿损失",
    facts_and_reasons="经核查，损失与排水设施无关。",
    basis="《信访工作条例》第三十二条",
)


async def replied(uow: FakeCaseworkUow, ctx: CaseworkContext) -> str:
    gid = await assigned(uow, ctx)
    await steps(uow, ctx, gid, c.SignFor(), c.AcceptCase(), c.StartHandling(), REPLY)
    return gid


async def test_the_scheduler_warns_before_the_due_day_then_supervises_once(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await assigned(uow, ctx)
    accept = uow.cases.cases[gid].running(Step.accept)
    assert accept is not None

    clock.set(at(accept.due_on - timedelta(days=2)))  # within the 3 working days of 预警
    warned = await supervise_once(uow_factory=uow.factory, ctx=ctx)
    assert (warned.warned, warned.supervised) == (1, 0)
    assert department_events(uow, "housing")[-1]["action"] == "due_soon"

    clock.set(at(accept.due_on + timedelta(days=1)))
    supervised = await supervise_once(uow_factory=uow.factory, ctx=ctx)
    assert supervised.supervised == 1
    assert statuses(uow, gid)[-1].status is Status.supervised
    assert department_events(uow, "housing")[-1]["action"] == "supervised"

    again = await supervise_once(uow_factory=uow.factory, ctx=ctx)
    assert (again.warned, again.supervised, again.closed) == (0, 0, 0)


async def test_a_supervisor_presses_only_when_a_clock_is_overdue(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await assigned(uow, ctx)
    with pytest.raises(manual_supervision.NothingOverdue):
        async with uow:
            await manual_supervision.supervise_case(uow=uow, ctx=ctx, staff=SUPERVISOR, grievance_id=gid, note="")
    assert uow.audit.rows == []

    clock.advance(timedelta(days=30))
    async with uow:
        view = await manual_supervision.supervise_case(
            uow=uow, ctx=ctx, staff=SUPERVISOR, grievance_id=gid, note="请本周内答复"
        )
    assert view.overdue
    pressed = department_events(uow, "housing")[-1]
    assert pressed["action"] == "supervised" and "请本周内答复" in pressed["message_zh"]
    assert uow.audit.actions() == ["supervise"]
    assert [s.status for s in statuses(uow, gid)].count(Status.supervised) == 1


async def test_a_satisfied_rating_closes_the_case(uow: FakeCaseworkUow, ctx: CaseworkContext) -> None:
    gid = await replied(uow, ctx)
    rating = RatingSubmitted(
        grievance_id=gid, tracking_no="t", rating=Rating.satisfied, submitted_at=START + timedelta(days=5)
    )
    async with uow:
        await feedback.on_rating(uow=uow, ctx=ctx, rating=rating)
        await uow.commit()
    assert uow.cases.cases[gid].state is CaseState.closed
    assert statuses(uow, gid)[-1].status is Status.closed


async def test_a_dissatisfied_citizen_gets_the_case_handled_again(uow: FakeCaseworkUow, ctx: CaseworkContext) -> None:
    gid = await replied(uow, ctx)
    rating = RatingSubmitted(
        grievance_id=gid,
        tracking_no="t",
        rating=Rating.dissatisfied,
        reopen_requested=True,
        submitted_at=START + timedelta(days=5),
    )
    async with uow:
        await feedback.on_rating(uow=uow, ctx=ctx, rating=rating)
        await uow.commit()
    case = uow.cases.cases[gid]
    assert (case.state, case.reopen_count) == (CaseState.reopened, 1)
    assert statuses(uow, gid)[-1].status is Status.reopened
    assert department_events(uow, "housing")[-1]["action"] == "reopened"


async def test_review_asked_then_decided_by_the_reviewing_body(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await replied(uow, ctx)
    clock.advance(timedelta(days=10))
    request = CitizenReviewRequested(
        grievance_id=gid, tracking_no="t", level="review", reason="事实认定有误", requested_at=clock.now()
    )
    async with uow:
        await feedback.on_review_request(uow=uow, ctx=ctx, request=request)
        await uow.commit()
    case = uow.cases.cases[gid]
    assert case.state is CaseState.review_requested and case.running(Step.review) is not None

    async with uow:
        await actions.perform(
            uow=uow,
            ctx=ctx,
            staff=SUPERVISOR,
            grievance_id=gid,
            command=c.DecideReview(outcome=ReviewOutcome.upheld, opinion="原处理意见认定事实清楚。"),
        )
    assert uow.cases.cases[gid].state is CaseState.review_decided
    assert [s.status for s in statuses(uow, gid)][-2:] == [Status.review_requested, Status.review_decided]


async def test_a_review_request_after_the_window_is_refused_and_the_citizen_told_why(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await replied(uow, ctx)
    clock.advance(timedelta(days=90))
    request = CitizenReviewRequested(
        grievance_id=gid, tracking_no="t", level="review", reason="不服", requested_at=clock.now()
    )
    async with uow:
        await feedback.on_review_request(uow=uow, ctx=ctx, request=request)
        await uow.commit()
    assert uow.cases.cases[gid].state is CaseState.replied
    refused = statuses(uow, gid)[-1]
    assert refused.detail["refused"] == "review"


async def test_an_unchallenged_reply_is_closed_when_the_window_has_passed(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await replied(uow, ctx)
    window = uow.cases.window_ends_on[gid]
    assert window is not None

    clock.set(at(window + timedelta(days=1)))
    run = await supervise_once(uow_factory=uow.factory, ctx=ctx)
    assert run.closed == 1
    assert uow.cases.cases[gid].state is CaseState.closed


async def test_a_hearing_stops_the_reply_clock_until_its_record_is_made(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await assigned(uow, ctx)
    await steps(uow, ctx, gid, c.SignFor(), c.AcceptCase(), c.StartHandling())
    due_before = uow.cases.cases[gid].running(Step.reply)
    assert due_before is not None
    request = HearingCreate(
        body=HearingBody.handler,
        chair="王主持",
        members=["李听证", "赵听证"],
        lawyer_id="lawyer-01",
        participants=[ParticipantIn(role=ParticipantRole.petitioner, name="陈志明")],
        scheduled_at=at(date(2026, 3, 20), 15),
        place="光明区信访局听证室",
    )
    async with uow:
        opened = await hearings.open_hearing(
            uow=uow, ctx=ctx, staff=officer("housing"), grievance_id=gid, request=request
        )
        await uow.commit()
    paused = uow.cases.cases[gid].running(Step.reply)
    assert paused is not None and paused.paused_at is not None
    assert opened.state is HearingState.scheduled and uow.documents.kinds(gid)[-1] == "hearing_notice"
    assert statuses(uow, gid)[-1].status is Status.hearing_scheduled

    clock.set(at(date(2026, 3, 27)))
    record = HearingRecordCreate(held_at=at(date(2026, 3, 20), 15), record="听证笔录……", conclusion="排水沟确需疏通")
    async with uow:
        held = await hearings.record_hearing(
            uow=uow, ctx=ctx, staff=officer("housing"), grievance_id=gid, hearing_id=opened.id, request=record
        )
        await uow.commit()
    resumed = uow.cases.cases[gid].running(Step.reply)
    assert resumed is not None and resumed.paused_at is None and resumed.due_on > due_before.due_on
    assert held.paused_working_days is not None and held.paused_working_days > 0
    assert uow.audit.actions()[-2:] == ["open_hearing", "record_hearing"]


async def test_a_hearing_on_an_unknown_case_is_not_found(uow: FakeCaseworkUow, ctx: CaseworkContext) -> None:
    with pytest.raises(actions.CaseNotFound):
        async with uow:
            await hearings.list_hearings(uow=uow, ctx=ctx, staff=officer("housing"), grievance_id="no-such-case")
    assert uow.audit.apart == []  # nobody's case: nothing to audit as refused
