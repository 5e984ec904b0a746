"""Hearings (听证): who may open one, the paused clock across weekends and holidays, the record,
and the public notice (公示) of a heard 复核 opinion with personal data masked."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from services.casework.domain import petition
from services.casework.domain.case import Case, ReviewLevel, ReviewOutcome
from services.casework.domain.clock_pause import paused_working_days, resume, resumed_due_on
from services.casework.domain.deadlines import Deadline, Step
from services.casework.domain.hearing import (
    HearingBody,
    HearingState,
    Panel,
    build_panel,
    mask_personal,
    open_hearing,
    publish_opinion,
    record_hearing,
)
from services.casework.domain.kinds import ReplyDecision
from services.casework.domain.review import decide_review, request_review
from services.casework.domain.states import NotPermitted, RuleViolation
from shared.catalog.lawyers import LawyerRole, load_lawyers, parse_lawyers
from shared.events.vocabulary import PetitionKind
from tests.unit.casework.hearing_helpers import PARTICIPANTS, hearing_on
from tests.unit.casework.helpers import CALENDAR, at, new_case

START = at(date(2026, 3, 2))  # a Monday


def panel() -> Panel:
    return build_panel("王主持", ["李听证", "赵听证"], "lawyer-01", load_lawyers(), ["陈志明"])


def handling_case(kind: PetitionKind = PetitionKind.claim) -> Case:
    case = new_case(START, kind=kind)
    petition.sign_for(case, department="housing", now=START)
    petition.accept(case, department="housing", now=START, calendar=CALENDAR)
    petition.start(case, department="housing", now=START)
    return case


opened = hearing_on


# -- the pause arithmetic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opened_on", "completed_on", "days"),
    [
        (date(2026, 3, 4), date(2026, 3, 4), 0),  # same day: no whole day taken
        (date(2026, 3, 6), date(2026, 3, 9), 1),  # Fri → Mon: the weekend is not a working day
        (date(2026, 3, 2), date(2026, 3, 13), 9),  # two working weeks less the opening day
        (date(2026, 9, 29), date(2026, 10, 9), 3),  # 30 Sep, 8 Oct, 9 Oct: 国庆节 1–7 Oct skipped
        (date(2026, 9, 18), date(2026, 9, 21), 2),  # Sun 20 Sep is a make-up workday (调休上班)
    ],
)
def test_paused_working_days(opened_on: date, completed_on: date, days: int) -> None:
    assert paused_working_days(CALENDAR, opened_on, completed_on) == days


def test_due_date_moves_by_working_days_over_weekends_holidays_and_make_up_days() -> None:
    assert resumed_due_on(CALENDAR, date(2026, 3, 13), 1) == date(2026, 3, 16)  # Fri + 1 → Mon
    assert resumed_due_on(CALENDAR, date(2026, 3, 13), 0) == date(2026, 3, 13)
    # Wed 30 Sep + 2: the holiday is skipped (8, 9 Oct)
    assert resumed_due_on(CALENDAR, date(2026, 9, 30), 2) == date(2026, 10, 9)
    # Thu 8 Oct + 3: Fri 9, Sat 10 (make-up workday), Mon 12
    assert resumed_due_on(CALENDAR, date(2026, 10, 8), 3) == date(2026, 10, 12)
    # across 劳动节 (1–5 May) and the make-up Saturday 9 May
    assert resumed_due_on(CALENDAR, date(2026, 4, 30), 5) == date(2026, 5, 11)


def test_a_hearing_cannot_end_before_it_opened() -> None:
    with pytest.raises(ValueError, match="before it opened"):
        paused_working_days(CALENDAR, date(2026, 3, 9), date(2026, 3, 6))


def pause_marks(clock: Deadline) -> tuple[datetime | None, bool]:
    """Read afresh: the test set them just before, and mypy would keep that narrowing."""
    return clock.paused_at, clock.warned


def test_resume_moves_both_dates_and_clears_the_old_warnings() -> None:
    clock = Deadline(
        Step.reply, owner="housing", started_at=START, due_on=date(2026, 5, 6), original_due_on=date(2026, 5, 6)
    )
    clock.paused_at = at(date(2026, 4, 30))
    clock.warned = True
    assert resume(clock, now=at(date(2026, 5, 8)), calendar=CALENDAR) == 3  # 6, 7 and 8 May (劳动节 1–5 May skipped)
    assert clock.due_on == clock.original_due_on == date(2026, 5, 9)  # 7, 8, 9 (Sat, make-up)
    assert pause_marks(clock) == (None, False)


# -- the hearing on a case ---------------------------------------------------------------------


def test_handler_hearing_pauses_the_reply_clock_and_the_record_moves_the_due_date() -> None:
    case = handling_case()
    clock = case.running(Step.reply)
    assert clock is not None and clock.due_on == date(2026, 5, 6)  # 2 Mar + 60 = 1 May (holiday) → 6 May
    hearing = opened(case, date(2026, 4, 28))
    assert clock.paused and hearing.due_on_at_opening == date(2026, 5, 6)
    # Paused: past the old due date the clock is neither overdue nor near due, and no reply is taken.
    assert not clock.overdue_on(date(2026, 5, 12))
    assert not clock.near_due_on(date(2026, 5, 6), CALENDAR, 3)
    with pytest.raises(RuleViolation, match="听证尚未结束"):
        petition.reply(
            case,
            department="housing",
            decision=ReplyDecision.support,
            request_summary="请求",
            facts_and_reasons="事实",
            basis="依据",
            outstanding_co_reason=None,
            now=at(date(2026, 5, 12)),
        )
    record_hearing(
        case,
        hearing,
        held_at=at(date(2026, 5, 8), 15),
        record="听证笔录全文",
        conclusion="排水沟由街道负责疏通",
        now=at(date(2026, 5, 12)),
        calendar=CALENDAR,
    )
    # 29, 30 Apr, 6, 7, 8, 9 (Sat, make-up), 11, 12 May = 8 working days; 6 May + 8 → 15 May
    assert hearing.paused_working_days == 8
    assert clock.due_on == hearing.resumed_due_on == date(2026, 5, 15)
    assert (clock.paused, clock.overdue_on(date(2026, 5, 15)), clock.overdue_on(date(2026, 5, 16))) == (
        False,
        False,
        True,
    )
    assert hearing.state is HearingState.held
    with pytest.raises(RuleViolation, match="已经完成"):
        record_hearing(
            case,
            hearing,
            held_at=at(date(2026, 5, 8)),
            record="x",
            conclusion="y",
            now=at(date(2026, 5, 13)),
            calendar=CALENDAR,
        )


def test_only_the_lead_opens_a_handler_hearing() -> None:
    with pytest.raises(NotPermitted):
        opened(handling_case(), date(2026, 3, 10), department="water")


def test_handler_hearings_are_for_claims_being_handled() -> None:
    with pytest.raises(RuleViolation, match="申诉求决"):
        opened(handling_case(PetitionKind.suggestion), date(2026, 3, 10))
    assigned = new_case(START)
    with pytest.raises(RuleViolation, match="办理期间"):
        opened(assigned, date(2026, 3, 3))
    with pytest.raises(RuleViolation, match="复核期间"):
        opened(handling_case(), date(2026, 3, 10), body=HearingBody.re_review, department=None)


def test_one_open_hearing_at_a_time_and_the_petitioner_takes_part() -> None:
    case = handling_case()
    common = {
        "hearing_id": "h-2",
        "body": HearingBody.handler,
        "opened_by": "housing",
        "department": "housing",
        "panel": panel(),
        "scheduled_at": at(date(2026, 3, 12)),
        "place": "听证室",
        "now": at(date(2026, 3, 10)),
    }
    with pytest.raises(RuleViolation, match="尚未结束"):
        open_hearing(case, participants=list(PARTICIPANTS), open_hearings=1, **common)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match="信访人"):
        open_hearing(case, participants=PARTICIPANTS[1:], open_hearings=0, **common)  # type: ignore[arg-type]
    with pytest.raises(RuleViolation, match="早于今天"):
        open_hearing(
            case,
            participants=list(PARTICIPANTS),
            open_hearings=0,
            **(common | {"scheduled_at": at(date(2026, 3, 9))}),  # type: ignore[arg-type]
        )


def test_panel_rules_and_the_lawyer_roster() -> None:
    roster = load_lawyers()
    with pytest.raises(RuleViolation, match="听证员不少于"):
        build_panel("王主持", ["李听证"], None, roster, [])
    with pytest.raises(RuleViolation, match="不能重复"):
        build_panel("王主持", ["王主持", "李听证"], None, roster, [])
    with pytest.raises(RuleViolation, match="名册"):
        build_panel("王主持", ["李听证", "赵听证"], "lawyer-99", roster, [])
    with pytest.raises(RuleViolation, match="名册"):  # lawyer-04 serves mediation panels only
        build_panel("王主持", ["李听证", "赵听证"], "lawyer-04", roster, [])
    assert build_panel("王主持", ["李听证", "赵听证"], "lawyer-05", roster, []).lawyer_name == "欧阳明"


def test_a_lawyer_with_a_declared_tie_to_a_party_steps_aside() -> None:
    roster = parse_lawyers(
        {"lawyers": [{"id": "l-1", "name": "甲律师", "firm": "某所", "roles": ["hearing"], "conflicts": ["明辉物业"]}]}
    )
    with pytest.raises(RuleViolation, match="回避"):
        build_panel("王主持", ["李听证", "赵听证"], "l-1", roster, ["深圳市明辉物业管理有限公司"])
    assert roster.for_role(LawyerRole.mediation) == []


def test_the_roster_refuses_duplicates() -> None:
    entry = {"id": "l-1", "name": "甲", "firm": "所", "roles": ["hearing"]}
    with pytest.raises(ValueError, match="duplicate"):
        parse_lawyers({"lawyers": [entry, entry]})


# -- 复核 hearing and 公示 ----------------------------------------------------------------------


def re_review_case() -> Case:
    case = handling_case()
    petition.reply(
        case,
        department="housing",
        decision=ReplyDecision.reject,
        request_summary="请求补偿",
        facts_and_reasons="经核查不符合条件",
        basis="有关规定",
        outstanding_co_reason=None,
        now=at(date(2026, 3, 10)),
    )
    for level, asked, decided in ((ReviewLevel.review, date(2026, 3, 20), date(2026, 4, 1)),):
        request_review(case, level=level, reason="不服", reviewer="petitions-bureau", now=at(asked), calendar=CALENDAR)
        decide_review(case, outcome=ReviewOutcome.upheld, opinion="维持", now=at(decided))
    request_review(
        case,
        level=ReviewLevel.re_review,
        reason="不服",
        reviewer="petitions-bureau",
        now=at(date(2026, 4, 7)),
        calendar=CALENDAR,
    )
    return case


def test_re_review_hearing_pauses_the_re_review_clock_and_its_opinion_is_published_masked() -> None:
    case = re_review_case()
    clock = case.running(Step.re_review)
    assert clock is not None and clock.due_on == date(2026, 5, 7)  # 7 Apr + 30
    hearing = opened(case, date(2026, 4, 20), body=HearingBody.re_review, department=None)
    with pytest.raises(RuleViolation, match="听证尚未结束"):
        decide_review(case, outcome=ReviewOutcome.upheld, opinion="维持", now=at(date(2026, 4, 21)))
    with pytest.raises(RuleViolation, match="经过听证"):
        publish_opinion(case, hearing, issuer="深圳市人民政府", outcome_zh="维持", now=at(date(2026, 4, 21)))
    record_hearing(
        case,
        hearing,
        held_at=at(date(2026, 4, 22), 15),
        record="陈志明称其电话13612345678无人接听。",
        conclusion="陈志明与欧阳丽华均同意维持原处理意见",
        now=at(date(2026, 4, 23)),
        calendar=CALENDAR,
    )
    assert clock.due_on == date(2026, 5, 11)  # 21, 22, 23 Apr: 7 May + 3 → 8, 9 (Sat, make-up), 11 May
    with pytest.raises(RuleViolation, match="尚未在听证后作出"):
        publish_opinion(case, hearing, issuer="深圳市人民政府", outcome_zh="维持", now=at(date(2026, 4, 24)))
    decide_review(
        case,
        outcome=ReviewOutcome.upheld,
        opinion="经听证查明，陈志明（身份证号11010519491231002X，手机13612345678）所提补偿请求不符合条件，欧阳丽华无异议。",
        now=at(date(2026, 4, 28)),
    )
    assert case.final
    notice = publish_opinion(
        case, hearing, issuer="深圳市人民政府", outcome_zh="维持原处理意见", now=at(date(2026, 4, 29))
    )
    for raw in ("陈志明", "欧阳丽华", "11010519491231002X", "13612345678"):
        assert raw not in notice.text
    assert "陈**" in notice.text and "欧***" in notice.text and "第三十六条" in notice.text
    assert "维持原处理意见" in notice.text and case.tracking_no in notice.text
    with pytest.raises(RuleViolation, match="已经公示"):
        publish_opinion(case, hearing, issuer="深圳市人民政府", outcome_zh="维持", now=at(date(2026, 4, 30)))


def test_a_handler_hearing_is_never_published() -> None:
    case = handling_case()
    hearing = opened(case, date(2026, 3, 10))
    record_hearing(
        case,
        hearing,
        held_at=at(date(2026, 3, 11)),
        record="笔录",
        conclusion="结论",
        now=at(date(2026, 3, 11)),
        calendar=CALENDAR,
    )
    with pytest.raises(RuleViolation, match="复核意见"):
        publish_opinion(case, hearing, issuer="x", outcome_zh="维持", now=at(date(2026, 3, 12)))


def test_mask_personal_masks_longest_names_first_and_numbers() -> None:
    masked = mask_personal("欧阳明与欧阳明华，电话 136 1234 5678", ["欧阳明", "欧阳明华"])
    assert masked.startswith("欧**与欧***")
    assert "1234" not in masked
