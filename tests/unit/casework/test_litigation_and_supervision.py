"""The litigation track's clocks, and supervision: each warning and each 督办 exactly once."""

from __future__ import annotations

from datetime import date

import pytest

from services.casework.domain import litigation, petition
from services.casework.domain.deadlines import Step
from services.casework.domain.legal import LegalRoute
from services.casework.domain.states import CaseState, IllegalTransition, NotPermitted
from services.casework.domain.supervision import SupervisionLevel, due_notices
from shared.events.vocabulary import Track
from tests.unit.casework.helpers import CALENDAR, at, new_case, state_of

TRANSFERRED = at(date(2026, 3, 2))


def test_transfer_receipt_progress_and_conclusion() -> None:
    case = new_case(
        TRANSFERRED, track=Track.litigation, lead="court", co=("housing",), route=LegalRoute.civil_litigation
    )
    assert state_of(case) is CaseState.transferred_legal
    assert case.co == []  # a legal procedure has one owner
    assert case.legal is not None and case.legal.body == "court"
    receipt = case.running(Step.legal_receipt)
    assert receipt is not None and receipt.due_on == date(2026, 3, 17)
    with pytest.raises(IllegalTransition):
        petition.sign_for(case, department="court", now=TRANSFERRED)
    with pytest.raises(NotPermitted):
        litigation.receive(case, department="procuratorate", reference_no=None, now=TRANSFERRED, calendar=CALENDAR)
    litigation.receive(
        case, department="court", reference_no="(2026)粤0311民初123号", now=at(date(2026, 3, 5)), calendar=CALENDAR
    )
    assert state_of(case) is CaseState.legal_received
    idle = case.running(Step.legal_update)
    assert idle is not None and idle.due_on == date(2026, 4, 7)  # 5 Mar + 30 = Sat 4 Apr, Qingming to 6 Apr → 7 Apr
    litigation.record_progress(
        case, department="court", note="已立案，排期开庭", now=at(date(2026, 3, 20)), calendar=CALENDAR
    )
    running = case.running(Step.legal_update)
    assert running is not None and running.started_at == at(date(2026, 3, 20))
    litigation.conclude(case, department="court", outcome="一审判决已生效", now=at(date(2026, 5, 20)))
    assert state_of(case) is CaseState.closed
    assert case.legal.outcome == "一审判决已生效"
    assert all(not d.running for d in case.deadlines)


def test_idle_legal_body_is_supervised_once() -> None:
    case = new_case(TRANSFERRED, track=Track.litigation, lead="court", route=LegalRoute.civil_litigation)
    notices = due_notices(case, today=date(2026, 3, 18), calendar=CALENDAR, near_working_days=3)
    assert [(n.level, n.deadline.step) for n in notices] == [(SupervisionLevel.overdue, Step.legal_receipt)]
    assert due_notices(case, today=date(2026, 3, 19), calendar=CALENDAR, near_working_days=3) == []


def test_near_due_warning_then_overdue_supervision_each_once() -> None:
    case = new_case(TRANSFERRED)  # accept notice due Tue 17 March
    assert due_notices(case, today=date(2026, 3, 11), calendar=CALENDAR, near_working_days=3) == []
    warned = due_notices(case, today=date(2026, 3, 12), calendar=CALENDAR, near_working_days=3)
    assert [n.level for n in warned] == [SupervisionLevel.near_due]
    assert due_notices(case, today=date(2026, 3, 13), calendar=CALENDAR, near_working_days=3) == []
    assert due_notices(case, today=date(2026, 3, 17), calendar=CALENDAR, near_working_days=3) == []
    overdue = due_notices(case, today=date(2026, 3, 18), calendar=CALENDAR, near_working_days=3)
    assert [(n.level, n.deadline.owner) for n in overdue] == [(SupervisionLevel.overdue, "housing")]
    assert due_notices(case, today=date(2026, 3, 30), calendar=CALENDAR, near_working_days=3) == []


def test_finished_clocks_are_not_supervised() -> None:
    case = new_case(TRANSFERRED)
    petition.sign_for(case, department="housing", now=TRANSFERRED)
    petition.accept(case, department="housing", now=TRANSFERRED, calendar=CALENDAR)
    notices = due_notices(case, today=date(2026, 3, 30), calendar=CALENDAR, near_working_days=3)
    assert notices == []  # the reply is due in May; the acceptance clock stopped in time
