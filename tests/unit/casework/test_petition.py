"""The petition track through the domain functions: clocks, windows, who may act, joint handling."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.casework.domain import petition
from services.casework.domain.assignment import reassign
from services.casework.domain.case import Case
from services.casework.domain.deadlines import Step
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.legal import LegalRoute, NotAcceptance, NotAcceptGround
from services.casework.domain.states import CaseState, IllegalTransition, NotPermitted, RuleViolation, WindowClosed
from shared.events.vocabulary import PetitionKind, Track
from tests.unit.casework.helpers import CALENDAR, at, new_case, state_of

ASSIGNED = at(date(2026, 9, 29))  # a Tuesday before the National Day week


def accepted_case(**kwargs: object) -> Case:
    case = new_case(ASSIGNED, **kwargs)  # type: ignore[arg-type]
    petition.sign_for(case, department=case.lead, now=ASSIGNED)
    petition.accept(case, department=case.lead, now=ASSIGNED, calendar=CALENDAR)
    return case


def reply_now(case: Case, when: object, **changes: object) -> None:
    values: dict[str, object] = {
        "department": case.lead,
        "decision": ReplyDecision.support,
        "request_summary": "疏通排水沟",
        "facts_and_reasons": "经现场核查，排水沟堵塞属实。",
        "basis": "《城镇排水与污水处理条例》第三十二条",
        "outstanding_co_reason": None,
        "now": when,
    }
    values.update(changes)
    petition.reply(case, **values)  # type: ignore[arg-type]


def test_assignment_starts_the_acceptance_clock_and_the_return_window() -> None:
    case = new_case(ASSIGNED, co=("water", "housing"))
    assert state_of(case) is CaseState.assigned
    assert case.co == ["water"]  # the lead is not its own co-handler
    clock = case.running(Step.accept)
    assert clock is not None and clock.owner == "housing"
    assert clock.due_on == date(2026, 10, 14)  # 29 Sep + 15 = 14 Oct, a Wednesday
    assert case.return_window_ends_on == date(2026, 10, 12)


def test_full_path_to_reply() -> None:
    case = accepted_case()
    assert state_of(case) is CaseState.accepted
    assert case.running(Step.accept) is None
    reply_clock = case.running(Step.reply)
    assert reply_clock is not None
    assert reply_clock.due_on == date(2026, 11, 30)  # 29 Sep + 60 = Sat 28 Nov → Mon 30 Nov
    petition.start(case, department="housing", now=ASSIGNED)
    assert state_of(case) is CaseState.in_progress
    reply_now(case, ASSIGNED + timedelta(days=3))
    assert state_of(case) is CaseState.replied
    assert case.deadlines[-1].met is True
    assert case.last_reply is not None and case.last_reply.decision is ReplyDecision.support


def test_return_within_five_working_days_then_not_after() -> None:
    case = new_case(ASSIGNED)
    last_day = at(date(2026, 10, 12), 23)
    petition.return_case(case, department="housing", reason="属于水务部门职责", now=last_day)
    assert state_of(case) is CaseState.returned
    assert case.return_reason == "属于水务部门职责"
    assert all(not d.running for d in case.deadlines)

    late = new_case(ASSIGNED)
    with pytest.raises(WindowClosed, match="5个工作日"):
        petition.return_case(late, department="housing", reason="属于水务部门职责", now=at(date(2026, 10, 13)))
    assert state_of(late) is CaseState.assigned


def test_return_needs_a_reason_and_the_lead() -> None:
    case = new_case(ASSIGNED, co=("water",))
    with pytest.raises(RuleViolation):
        petition.return_case(case, department="housing", reason="  ", now=ASSIGNED)
    with pytest.raises(NotPermitted):
        petition.return_case(case, department="water", reason="不是我们的", now=ASSIGNED)
    assert state_of(case) is CaseState.assigned


def test_only_the_lead_signs_for_accepts_and_replies() -> None:
    case = new_case(ASSIGNED, co=("water",))
    for department in ("water", "education", None):
        with pytest.raises(NotPermitted):
            petition.sign_for(case, department=department, now=ASSIGNED)
    assert state_of(case) is CaseState.assigned


def test_not_accepted_must_name_the_legal_route() -> None:
    case = new_case(ASSIGNED)
    petition.sign_for(case, department="housing", now=ASSIGNED)
    with pytest.raises(RuleViolation, match="法定途径"):
        petition.not_accept(
            case,
            department="housing",
            now=ASSIGNED,
            notice=NotAcceptance(NotAcceptGround.statutory_route, "已进入民事诉讼程序"),
        )
    with pytest.raises(RuleViolation, match="有权处理的机关"):
        petition.not_accept(
            case,
            department="housing",
            now=ASSIGNED,
            notice=NotAcceptance(NotAcceptGround.other_authority, "属于市级事权"),
        )
    notice = NotAcceptance(NotAcceptGround.statutory_route, "双方合同纠纷", route=LegalRoute.civil_litigation)
    petition.not_accept(case, department="housing", now=ASSIGNED, notice=notice)
    assert state_of(case) is CaseState.not_accepted
    assert "人民法院提起民事诉讼" in notice.route_text_zh()
    assert case.deadlines[0].met is True  # the written notice answers the 15-day duty


def test_extension_at_most_30_days_once_and_before_the_deadline() -> None:
    case = accepted_case()
    petition.start(case, department="housing", now=ASSIGNED)
    with pytest.raises(RuleViolation, match="30"):
        petition.extend(case, department="housing", days=31, reason="需多部门会商", now=ASSIGNED, calendar=CALENDAR)
    with pytest.raises(RuleViolation):
        petition.extend(case, department="housing", days=10, reason=" ", now=ASSIGNED, calendar=CALENDAR)
    with pytest.raises(WindowClosed):
        petition.extend(
            case, department="housing", days=10, reason="需多部门会商", now=at(date(2026, 12, 1)), calendar=CALENDAR
        )
    assert state_of(case) is CaseState.in_progress
    petition.extend(case, department="housing", days=30, reason="需多部门会商", now=ASSIGNED, calendar=CALENDAR)
    assert state_of(case) is CaseState.extended
    clock = case.running(Step.reply)
    assert clock is not None
    # the 60-day period ended Mon 30 Nov (28 Nov was a Saturday); 30 more days: Wed 30 Dec
    assert clock.due_on == date(2026, 12, 30)
    assert case.extension is not None and case.extension.previous_due_on == date(2026, 11, 30)
    with pytest.raises(IllegalTransition):
        petition.extend(case, department="housing", days=5, reason="再次延期", now=ASSIGNED, calendar=CALENDAR)


def test_lead_cannot_reply_while_a_co_opinion_is_outstanding_unless_it_says_why() -> None:
    case = accepted_case(co=("water", "urban-management"))
    petition.start(case, department="housing", now=ASSIGNED)
    petition.submit_co_opinion(case, department="water", opinion="排水管网已列入改造计划。", now=ASSIGNED)
    with pytest.raises(RuleViolation, match="urban-management"):
        reply_now(case, ASSIGNED)
    assert state_of(case) is CaseState.in_progress
    reply_now(case, ASSIGNED, outstanding_co_reason="城管局逾期未反馈，已另行督促")
    assert state_of(case) is CaseState.replied
    reply = case.last_reply
    assert reply is not None
    assert [o.department for o in reply.co_opinions] == ["water"]
    assert reply.outstanding_co_reason == "城管局逾期未反馈，已另行督促"


def test_co_opinion_only_from_a_co_handler_and_a_second_one_replaces_the_first() -> None:
    case = accepted_case(co=("water",))
    with pytest.raises(NotPermitted):
        petition.submit_co_opinion(case, department="housing", opinion="主办意见", now=ASSIGNED)
    with pytest.raises(NotPermitted):
        petition.submit_co_opinion(case, department="education", opinion="无关单位", now=ASSIGNED)
    petition.submit_co_opinion(case, department="water", opinion="初步意见", now=ASSIGNED)
    petition.submit_co_opinion(case, department="water", opinion="修订后的意见", now=ASSIGNED)
    assert [(o.department, o.opinion) for o in case.co_opinions] == [("water", "修订后的意见")]
    assert petition.outstanding_co_handlers(case) == []


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (PetitionKind.claim, ReplyDecision.reject, ReplyDecision.adopted),
        (PetitionKind.suggestion, ReplyDecision.partly_adopted, ReplyDecision.support),
        (PetitionKind.report, ReplyDecision.not_substantiated, ReplyDecision.explain),
    ],
)
def test_reply_decisions_follow_the_petition_kind(kind: PetitionKind, good: ReplyDecision, bad: ReplyDecision) -> None:
    case = accepted_case(kind=kind)
    petition.start(case, department="housing", now=ASSIGNED)
    with pytest.raises(RuleViolation):
        reply_now(case, ASSIGNED, decision=bad)
    reply_now(case, ASSIGNED, decision=good)
    assert state_of(case) is CaseState.replied


def test_reply_needs_request_facts_and_basis() -> None:
    case = accepted_case()
    petition.start(case, department="housing", now=ASSIGNED)
    for field in ("request_summary", "facts_and_reasons", "basis"):
        with pytest.raises(RuleViolation):
            reply_now(case, ASSIGNED, **{field: ""})
    assert state_of(case) is CaseState.in_progress


def test_late_acceptance_is_allowed_but_recorded_as_late() -> None:
    case = new_case(ASSIGNED)
    petition.sign_for(case, department="housing", now=ASSIGNED)
    petition.accept(case, department="housing", now=at(date(2026, 10, 20)), calendar=CALENDAR)
    assert case.deadlines[0].step is Step.accept
    assert case.deadlines[0].met is False


def test_reroute_supersedes_the_assignment_and_restarts_the_clocks() -> None:
    case = accepted_case(co=("water",))
    later = ASSIGNED + timedelta(days=2)
    dropped = reassign(
        case,
        track=Track.petition,
        petition_kind=PetitionKind.claim,
        lead="urban-management",
        co=["water"],
        revision=2,
        urgent=True,
        routed_departments=["urban-management", "water"],
        legal_route=None,
        now=later,
        calendar=CALENDAR,
    )
    assert dropped == ["housing"]
    assert state_of(case) is CaseState.assigned and case.lead == "urban-management" and case.revision == 2
    assert case.history[-1].lead == "housing" and case.history[-1].ended_because == "superseded"
    running = [d for d in case.deadlines if d.running]
    assert [(d.step, d.owner) for d in running] == [(Step.accept, "urban-management")]
    assert all(d.cancelled for d in case.deadlines if d.owner == "housing" and d.done_at is None)
