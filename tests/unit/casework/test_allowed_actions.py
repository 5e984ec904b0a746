"""The actions the case read offers a caller: the state table, the caller's part and role, and the
one-off rules of the steps (退单 window, one 延期 before the period ends, no answer mid-hearing)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.casework.domain import petition
from services.casework.domain.allowed import allowed_actions
from services.casework.domain.case import Case, ReviewLevel
from services.casework.domain.deadlines import Step
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.legal import LegalRoute
from services.casework.domain.review import request_review
from services.casework.domain.states import Action, CaseError
from shared.events.vocabulary import Role, Track
from tests.unit.casework.helpers import CALENDAR, at, new_case

ASSIGNED = at(date(2026, 3, 2))
TODAY = date(2026, 3, 3)
A = Action


def offered(case: Case, department: str | None = "housing", role: Role = Role.department_officer) -> list[Action]:
    return allowed_actions(case, staff_role=role, department=department, today=TODAY)


def handling_case() -> Case:
    case = new_case(ASSIGNED, co=("water",))
    petition.sign_for(case, department="housing", now=ASSIGNED)
    petition.accept(case, department="housing", now=ASSIGNED, calendar=CALENDAR)
    petition.start(case, department="housing", now=ASSIGNED)
    return case


def test_the_lead_gets_the_steps_of_the_state_in_procedure_order() -> None:
    case = new_case(ASSIGNED, co=("water",))
    assert offered(case) == [A.sign_for, A.return_case]
    petition.sign_for(case, department="housing", now=ASSIGNED)
    assert offered(case) == [A.return_case, A.accept, A.not_accept]
    petition.accept(case, department="housing", now=ASSIGNED, calendar=CALENDAR)
    assert offered(case) == [A.start]
    petition.start(case, department="housing", now=ASSIGNED)
    assert offered(case) == [A.extend, A.reply]


def test_a_co_handler_only_gives_its_opinion_and_others_get_nothing() -> None:
    case = handling_case()
    assert offered(case, "water") == [A.submit_co_opinion]
    assert offered(case, "education") == []
    assert offered(case, None) == []


def test_the_callers_role_matters_not_only_its_department() -> None:
    case = handling_case()
    # A supervisor who works for the lead department still cannot take the department's steps.
    assert offered(case, "housing", Role.supervisor) == []
    assert offered(case, "housing", Role.admin) == [A.extend, A.reply]
    assert offered(case, "housing", Role.mediator) == []


def test_return_is_offered_until_its_window_closes() -> None:
    case = new_case(ASSIGNED)
    window = case.return_window_ends_on
    assert window is not None
    on_last_day = allowed_actions(case, staff_role=Role.department_officer, department="housing", today=window)
    after = allowed_actions(
        case, staff_role=Role.department_officer, department="housing", today=window + timedelta(days=1)
    )
    assert A.return_case in on_last_day
    assert after == [A.sign_for]


def test_extension_once_and_only_before_the_period_ends() -> None:
    case = handling_case()
    clock = case.running(Step.reply)
    assert clock is not None
    late = allowed_actions(
        case, staff_role=Role.department_officer, department="housing", today=clock.due_on + timedelta(days=1)
    )
    assert late == [A.reply]
    petition.extend(case, department="housing", days=10, reason="需现场复核", now=ASSIGNED, calendar=CALENDAR)
    assert offered(case) == [A.reply]


def test_no_reply_while_a_hearing_pauses_the_clock() -> None:
    case = handling_case()
    clock = case.running(Step.reply)
    assert clock is not None
    clock.paused_at = ASSIGNED
    assert offered(case) == [A.extend]


def test_the_bureau_decides_a_requested_review() -> None:
    case = handling_case()
    petition.reply(
        case,
        department="housing",
        decision=ReplyDecision.explain,
        request_summary="疏通排水沟",
        facts_and_reasons="已核查",
        basis="相关规定",
        outstanding_co_reason="协办单位逾期未复",
        now=ASSIGNED,
    )
    assert offered(case) == [] and offered(case, None, Role.supervisor) == []
    request_review(case, level=ReviewLevel.review, reason="不服", reviewer="bureau", now=ASSIGNED, calendar=CALENDAR)
    assert offered(case, None, Role.supervisor) == [A.decide_review]
    assert offered(case) == []


def test_litigation_cases_offer_the_legal_body_its_steps() -> None:
    case = new_case(ASSIGNED, track=Track.litigation, lead="court", route=LegalRoute.civil_litigation)
    assert offered(case, "court") == [A.receive_legal]
    assert offered(case, "housing") == []


@pytest.mark.parametrize("action", [A.sign_for, A.return_case, A.accept])
def test_what_is_not_offered_is_refused_by_the_step(action: Action) -> None:
    """The list and the steps agree: on a case in handling none of these is offered or accepted."""
    case = handling_case()
    assert action not in offered(case)
    steps = {
        A.sign_for: lambda: petition.sign_for(case, department="housing", now=ASSIGNED),
        A.return_case: lambda: petition.return_case(case, department="housing", reason="不属本部门职责", now=ASSIGNED),
        A.accept: lambda: petition.accept(case, department="housing", now=ASSIGNED, calendar=CALENDAR),
    }
    with pytest.raises(CaseError):
        steps[action]()
