"""Casework's use cases on in-memory repositories (fakes.py): a routed grievance becomes a case,
and a department signs for, returns, accepts, extends, consults co-handlers and replies. No Kafka,
no PostgreSQL: the SQL itself is proven in tests/integration/casework/."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.casework.consumers import HANDLERS, bind
from services.casework.domain.deadlines import Step
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.states import CaseState, IllegalTransition, NotPermitted
from services.casework.handlers import actions, handoff
from services.casework.handlers import commands as c
from services.casework.handlers.context import CaseworkContext
from shared.clock import ManualClock
from shared.events.contracts import CitizenReviewRequested, RatingSubmitted, RerouteRequested, TrackHandoff
from shared.events.topics import GRIEVANCE_REROUTE, GRIEVANCE_STATUS, department_topic
from shared.events.vocabulary import Status, Track
from shared.idempotency import KeyedRequest, KeyReused
from tests.unit.casework.fakes import FakeCaseworkUow
from tests.unit.casework.handler_support import (
    START,
    as_event,
    department_events,
    make_context,
    officer,
    statuses,
)
from tests.unit.casework.handler_support import (
    handoff as routed,
)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def ctx(clock: ManualClock) -> CaseworkContext:
    return make_context(clock)


@pytest.fixture
def uow() -> FakeCaseworkUow:
    return FakeCaseworkUow()


async def open_case(uow: FakeCaseworkUow, ctx: CaseworkContext, payload: TrackHandoff) -> str:
    """Deliver the hand-off as the consumer runner does (claim, handle, commit)."""
    event = as_event(payload)
    async with uow:
        assert await uow.claim(event, "casework")
        await bind(ctx)[TrackHandoff.event_type](event, uow)
        await uow.commit()
    return payload.grievance.grievance_id


async def act(uow: FakeCaseworkUow, ctx: CaseworkContext, department: str, gid: str, command: c.Command) -> str:
    """One staff action in its own transaction; the case's state afterwards."""
    async with uow:
        view, replayed = await actions.perform(
            uow=uow, ctx=ctx, staff=officer(department), grievance_id=gid, command=command
        )
    assert not replayed
    return view.state


def test_every_event_casework_consumes_has_a_handler() -> None:
    consumed = {TrackHandoff.event_type, RatingSubmitted.event_type, CitizenReviewRequested.event_type}
    assert set(HANDLERS) == consumed


async def test_a_routed_petition_opens_a_case_for_the_lead_and_co_handlers(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await open_case(uow, ctx, routed(lead="housing", co=("water",)))

    case = uow.cases.cases[gid]
    assert (case.state, case.lead, case.co) == (CaseState.assigned, "housing", ["water"])
    accept_clock = case.running(Step.accept)
    assert accept_clock is not None and accept_clock.owner == "housing"
    [assigned] = statuses(uow, gid)
    assert assigned.status is Status.assigned and assigned.due_at == accept_clock.due_at
    assert "住房和建设局" in assigned.message_zh
    for department in ("housing", "water"):
        [notice] = department_events(uow, department)
        assert notice["action"] == "assigned" and notice["grievance"]["title"] == "小区门口积水严重"
    assert uow.commits == 1


async def test_a_hand_off_delivered_again_or_out_of_date_changes_nothing(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    payload = routed()
    gid = await open_case(uow, ctx, payload)
    before = (uow.cases.cases[gid], len(uow.events))

    async with uow:  # the same revision again, as a redelivery past the inbox would bring it
        await handoff.take_handoff(uow=uow, ctx=ctx, handoff=payload)
        await uow.commit()
    assert (uow.cases.cases[gid], len(uow.events)) == before


async def test_a_re_route_moves_the_case_and_withdraws_it_from_the_first_department(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    first = routed(lead="housing")
    gid = await open_case(uow, ctx, first)
    await open_case(uow, ctx, routed(lead="water", grievance_id=gid, revision=2))

    case = uow.cases.cases[gid]
    assert (case.lead, case.revision, case.state) == ("water", 2, CaseState.assigned)
    assert [e["action"] for e in department_events(uow, "housing")] == ["assigned", "withdrawn"]
    assert [e["action"] for e in department_events(uow, "water")] == ["assigned"]


async def test_a_litigation_grievance_is_transferred_to_the_legal_body_with_a_notice(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await open_case(uow, ctx, routed(lead="housing", co=("court",), track=Track.litigation))

    case = uow.cases.cases[gid]
    assert (case.track, case.lead, case.state) == (Track.litigation, "court", CaseState.transferred_legal)
    [transferred] = statuses(uow, gid)
    assert transferred.status is Status.transferred_legal and len(transferred.documents) == 1
    assert uow.documents.kinds(gid) == ["legal_transfer_notice"]
    assert department_events(uow, "housing") == []  # the 政法 body alone handles it


async def test_a_repeat_of_an_open_case_is_linked_to_it_not_handled_twice(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    original = await open_case(uow, ctx, routed())
    repeat = await open_case(uow, ctx, routed(repeat_of=original))

    assert repeat not in uow.cases.cases
    assert uow.repeat_links.links[repeat]["open_grievance_id"] == original
    [told] = statuses(uow, repeat)
    assert told.status is Status.not_accepted and told.detail["outcome"] == "linked"
    assert [e["action"] for e in department_events(uow, "housing")] == ["assigned", "repeat_linked"]


async def test_a_department_signs_for_accepts_handles_and_replies(
    uow: FakeCaseworkUow, ctx: CaseworkContext, clock: ManualClock
) -> None:
    gid = await open_case(uow, ctx, routed())

    assert await act(uow, ctx, "housing", gid, c.SignFor()) == "signed_for"
    assert await act(uow, ctx, "housing", gid, c.AcceptCase()) == "accepted"
    reply_clock = uow.cases.cases[gid].running(Step.reply)
    assert reply_clock is not None and reply_clock.due_on > (START + timedelta(days=59)).date()
    clock.advance(timedelta(days=3))
    assert await act(uow, ctx, "housing", gid, c.StartHandling()) == "in_progress"
    reply = c.ReplyToCitizen(
        decision=ReplyDecision.support,
        request_summary="疏通排水沟",
        facts_and_reasons="经现场核查，排水沟确有堵塞，已安排疏通。",
        basis="《城镇排水与污水处理条例》",
    )
    assert await act(uow, ctx, "housing", gid, reply) == "replied"

    assert [s.status for s in statuses(uow, gid)] == [
        Status.assigned,
        Status.signed_for,
        Status.accepted,
        Status.in_progress,
        Status.replied,
    ]
    assert uow.documents.kinds(gid) == ["acceptance_notice", "reply_opinion"]
    assert uow.audit.actions() == ["SignFor", "AcceptCase", "StartHandling", "ReplyToCitizen"]
    assert uow.cases.window_ends_on[gid] is not None  # the citizen may now ask for 复查


async def test_a_return_sends_the_grievance_back_to_the_router(uow: FakeCaseworkUow, ctx: CaseworkContext) -> None:
    gid = await open_case(uow, ctx, routed(lead="housing"))

    assert await act(uow, ctx, "housing", gid, c.ReturnCase(reason="排水设施由水务局管理")) == "returned"

    [event] = [e for t, e in uow.events if t == GRIEVANCE_REROUTE]
    reroute = RerouteRequested.model_validate(event.data)
    assert reroute.excluded_departments == ["housing"] and reroute.reason == "returned_by_department"
    assert statuses(uow, gid)[-1].status is Status.returned


async def test_an_extension_moves_the_reply_clock_and_issues_a_notice(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await open_case(uow, ctx, routed())
    for command in (c.SignFor(), c.AcceptCase(), c.StartHandling()):
        await act(uow, ctx, "housing", gid, command)
    before = uow.cases.cases[gid].running(Step.reply)
    assert before is not None

    assert await act(uow, ctx, "housing", gid, c.ExtendHandling(days=20, reason="需要多部门联合核查")) == "extended"

    after = uow.cases.cases[gid].running(Step.reply)
    assert after is not None and after.due_on > before.due_on
    assert statuses(uow, gid)[-1].status is Status.extended
    assert uow.documents.kinds(gid)[-1] == "extension_notice"


async def test_a_co_handlers_opinion_goes_to_the_handling_departments_only(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await open_case(uow, ctx, routed(lead="housing", co=("water",)))
    for command in (c.SignFor(), c.AcceptCase(), c.StartHandling()):
        await act(uow, ctx, "housing", gid, command)
    citizen_told = len(statuses(uow, gid))

    await act(uow, ctx, "water", gid, c.SubmitCoOpinion(opinion="排水管网属我局养护，已派员疏通。"))

    assert len(statuses(uow, gid)) == citizen_told
    opinion = department_events(uow, "water")[-1]
    assert opinion["action"] == "co_opinion_submitted" and opinion["detail"]["outstanding"] == []
    assert department_events(uow, "housing")[-1]["action"] == "co_opinion_submitted"


async def test_a_step_the_state_forbids_is_refused_and_changes_nothing(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await open_case(uow, ctx, routed(lead="housing", co=("water",)))
    before = (uow.cases.cases[gid], len(uow.events), list(uow.audit.rows))

    with pytest.raises(IllegalTransition):
        await act(uow, ctx, "housing", gid, c.AcceptCase())  # not signed for yet
    with pytest.raises(NotPermitted):
        await act(uow, ctx, "water", gid, c.SignFor())  # the lead signs for, not a co-handler

    assert (uow.cases.cases[gid], len(uow.events), uow.audit.rows) == before


async def test_another_departments_case_is_not_found_and_the_look_is_audited(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await open_case(uow, ctx, routed(lead="housing"))
    events = len(uow.events)

    with pytest.raises(actions.CaseNotFound):
        await act(uow, ctx, "education", gid, c.SignFor())

    assert uow.cases.cases[gid].state is CaseState.assigned and len(uow.events) == events
    [refusal] = uow.audit.apart  # written apart: it outlives the refused request's rollback
    assert (refusal["actor"], refusal["action"], refusal["detail"]["outcome"]) == (
        "officer-education",
        "SignFor",
        "refused",
    )


async def test_a_retried_request_replays_the_first_answer_and_a_reused_key_is_refused(
    uow: FakeCaseworkUow, ctx: CaseworkContext
) -> None:
    gid = await open_case(uow, ctx, routed())
    key = KeyedRequest("retry-1", "POST", f"/v1/cases/{gid}/sign-for")

    async with uow:
        first, replayed = await actions.perform(
            uow=uow, ctx=ctx, staff=officer("housing"), grievance_id=gid, command=c.SignFor(), idempotency_key=key
        )
    assert not replayed
    events = len(uow.events)
    async with uow:
        again, replayed = await actions.perform(
            uow=uow, ctx=ctx, staff=officer("housing"), grievance_id=gid, command=c.SignFor(), idempotency_key=key
        )
    assert replayed and again == first and len(uow.events) == events

    with pytest.raises(KeyReused):
        async with uow:
            await actions.perform(
                uow=uow,
                ctx=ctx,
                staff=officer("housing"),
                grievance_id=gid,
                command=c.ReturnCase(reason="不属于本单位职责"),
                idempotency_key=key,
            )
    assert uow.cases.cases[gid].state is CaseState.signed_for
    assert sum(1 for topic, _ in uow.events if topic == GRIEVANCE_STATUS) == 2
    assert department_topic("housing") in {topic for topic, _ in uow.events}
