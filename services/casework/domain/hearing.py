"""Hearings (听证): who may open one, the panel and participants, the record, the paused clock and
the public notice (公示) of a heard 复核 opinion. Pure rules, no I/O.

《信访工作条例》(2022) §31(六): a handler may hold a hearing on a major, complex or difficult claim;
§36: the 复核 body may hold one, a heard 复核 opinion may be made public, and "听证所需时间不计算在
前款规定的期限内". The statute says so for 复核; the bureau applies the same pause to a handler's
hearing (an assumption stated in docs/casework.md). The pause runs from opening to the record's
completion and moves the due date by the working days it took.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.casework.domain.calendar import WorkingCalendar, local_date
from services.casework.domain.case import Case, ReviewLevel, require_text
from services.casework.domain.clock_pause import pause, resume
from services.casework.domain.deadlines import Step
from services.casework.domain.states import CaseState, NotPermitted, RuleViolation
from shared.catalog.lawyers import LawyerRole, LawyerRoster
from shared.events.vocabulary import PetitionKind, Track
from shared.pii import mask_name
from shared.pii_text import mask_free_text

# States in which the handler is working on the answer (the 60-day clock of §34 runs).
HANDLING_STATES = frozenset({CaseState.accepted, CaseState.in_progress, CaseState.extended, CaseState.reopened})
MIN_PANEL_MEMBERS = 2  # bureau practice: a chair and at least two hearing officers (听证员)


class HearingBody(StrEnum):
    handler = "handler"  # the lead department, §31(六)
    re_review = "re_review"  # the 复核 body, §36


class HearingState(StrEnum):
    scheduled = "scheduled"  # opened, notices sent, the clock paused
    held = "held"  # the record (听证笔录) is complete, the clock runs again


class ParticipantRole(StrEnum):
    petitioner = "petitioner"  # 信访人
    party = "party"  # other party (利害关系人)
    department = "department"  # a department answering for its handling


@dataclass
class Participant:
    role: ParticipantRole
    name: str
    department: str | None = None


@dataclass
class Panel:
    chair: str  # 主持人
    members: list[str]  # 听证员
    lawyer_id: str | None = None  # from the lawyer roster (法律顾问)
    lawyer_name: str | None = None


@dataclass
class HearingRecord:
    held_at: datetime
    record: str  # 听证笔录
    conclusion: str  # 听证结论, feeding the 意见书 or the 复核意见
    completed_at: datetime


@dataclass
class PublicNotice:
    text: str
    published_at: datetime


@dataclass
class Hearing:
    id: str
    grievance_id: str
    body: HearingBody
    step: Step  # the clock the hearing pauses
    panel: Panel
    participants: list[Participant]
    scheduled_at: datetime
    place: str
    opened_at: datetime
    opened_by: str  # department code (handler) or the 复核 office
    state: HearingState = HearingState.scheduled
    due_on_at_opening: date | None = None
    record: HearingRecord | None = None
    paused_working_days: int | None = None
    resumed_due_on: date | None = None
    notice: PublicNotice | None = None


# -- opening, recording, publishing -----------------------------------------------------------


def hearing_step(case: Case, body: HearingBody) -> Step:
    """The clock a hearing of ``body`` pauses; raises when the case is not at that stage."""
    if case.track is not Track.petition:
        raise RuleViolation("涉法涉诉事项依法定途径处理，不举行信访听证。")
    if body is HearingBody.handler:
        if (case.petition_kind or PetitionKind.claim) is not PetitionKind.claim:
            raise RuleViolation("听证适用于申诉求决类中重大、复杂、疑难的信访事项（《信访工作条例》第三十一条）。")
        if case.state not in HANDLING_STATES or case.running(Step.reply) is None:
            raise RuleViolation("只有在办理期间（已受理、尚未答复）才能举行听证。")
        return Step.reply
    review = case.last_review
    if (
        case.state is not CaseState.review_requested
        or review is None
        or review.level is not ReviewLevel.re_review
        or case.running(Step.re_review) is None
    ):
        raise RuleViolation(
            "复核听证只能在复核期间（已申请复核、尚未出具复核意见）举行（《信访工作条例》第三十六条）。"
        )
    return Step.re_review


def build_panel(
    chair: str, members: list[str], lawyer_id: str | None, roster: LawyerRoster, parties: list[str]
) -> Panel:
    """The panel; a lawyer must be on the roster for hearings and have no declared tie to a party."""
    chair = require_text(chair, "听证主持人")
    members = [m.strip() for m in members if m.strip()]
    if len(members) < MIN_PANEL_MEMBERS:
        raise RuleViolation(f"听证员不少于{MIN_PANEL_MEMBERS}人。")
    if chair in members or len(set(members)) != len(members):
        raise RuleViolation("听证主持人和听证员不能重复。")
    lawyer_name = None
    if lawyer_id is not None:
        lawyer = roster.get(lawyer_id)
        if lawyer is None or LawyerRole.hearing not in lawyer.roles:
            raise RuleViolation("所选律师不在听证法律顾问名册中。")
        if not lawyer.may_serve(LawyerRole.hearing, parties=tuple(parties)):
            raise RuleViolation("所选律师与当事人存在利害关系，应当回避。")
        lawyer_name = lawyer.name
    return Panel(chair=chair, members=members, lawyer_id=lawyer_id, lawyer_name=lawyer_name)


def open_hearing(
    case: Case,
    *,
    hearing_id: str,
    body: HearingBody,
    opened_by: str,
    department: str | None,
    panel: Panel,
    participants: list[Participant],
    scheduled_at: datetime,
    place: str,
    open_hearings: int,
    now: datetime,
) -> Hearing:
    """举行听证: checks who may open it and when, and pauses the clock of the step it serves."""
    step = hearing_step(case, body)
    if body is HearingBody.handler and department != case.lead:
        raise NotPermitted("只有主办单位可以举行听证。")
    if open_hearings:
        raise RuleViolation("该事项已有一场尚未结束的听证。")
    if local_date(scheduled_at) < local_date(now):
        raise RuleViolation("听证时间不能早于今天。")
    if not any(p.role is ParticipantRole.petitioner for p in participants):
        raise RuleViolation("听证参加人应当包括信访人。")
    clock = case.running(step)
    assert clock is not None, "hearing_step checked the clock"
    hearing = Hearing(
        id=hearing_id,
        grievance_id=case.grievance_id,
        body=body,
        step=step,
        panel=panel,
        participants=[Participant(p.role, require_text(p.name, "参加人姓名"), p.department) for p in participants],
        scheduled_at=scheduled_at,
        place=require_text(place, "听证地点"),
        opened_at=now,
        opened_by=opened_by,
        due_on_at_opening=clock.due_on,
    )
    pause(clock, now)
    return hearing


def record_hearing(
    case: Case,
    hearing: Hearing,
    *,
    held_at: datetime,
    record: str,
    conclusion: str,
    now: datetime,
    calendar: WorkingCalendar,
) -> HearingRecord:
    """听证笔录: the hearing is over; the paused clock runs again with its due date moved."""
    if hearing.state is not HearingState.scheduled:
        raise RuleViolation("该听证的笔录已经完成。")
    if not hearing.opened_at <= held_at <= now:
        raise RuleViolation("举行听证的时间应当在听证启动之后、笔录完成之前。")
    result = HearingRecord(
        held_at=held_at,
        record=require_text(record, "听证笔录"),
        conclusion=require_text(conclusion, "听证结论"),
        completed_at=now,
    )
    clock = case.running(hearing.step)
    if clock is not None and clock.paused:
        hearing.paused_working_days = resume(clock, now=now, calendar=calendar)
        hearing.resumed_due_on = clock.due_on
    hearing.record = result
    hearing.state = HearingState.held
    return result


def publish_opinion(case: Case, hearing: Hearing, *, issuer: str, outcome_zh: str, now: datetime) -> PublicNotice:
    """公示 (§36): a 复核 opinion reached after this hearing, with personal data masked."""
    review = case.last_review
    if hearing.body is not HearingBody.re_review or hearing.record is None:
        raise RuleViolation("只有经过听证的复核意见可以向社会公示（《信访工作条例》第三十六条）。")
    if (
        review is None
        or review.level is not ReviewLevel.re_review
        or review.decided_at is None
        or review.opinion is None
        or review.decided_at < hearing.record.completed_at
    ):
        raise RuleViolation("复核意见尚未在听证后作出，不能公示。")
    if hearing.notice is not None:
        raise RuleViolation("该复核意见已经公示。")
    names = [p.name for p in hearing.participants if p.role is not ParticipantRole.department]
    text = public_notice_text(
        names=names,
        tracking_no=case.tracking_no,
        matter=case.snapshot.title,
        held_on=local_date(hearing.record.held_at),
        conclusion=hearing.record.conclusion,
        outcome_zh=outcome_zh,
        opinion=review.opinion,
        issuer=issuer,
        decided_on=local_date(review.decided_at),
    )
    hearing.notice = PublicNotice(text=text, published_at=now)
    return hearing.notice


def mask_personal(text: str, names: list[str]) -> str:
    """Known names → 张*; ID-card, mobile, bank-card numbers and e-mail addresses masked."""
    # Longest first, so that 欧阳明 is masked whole before a shorter name inside it.
    for name in sorted({n.strip() for n in names if len(n.strip()) > 1}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return mask_free_text(text).text


def public_notice_text(
    *,
    names: list[str],
    tracking_no: str,
    matter: str,
    held_on: date,
    conclusion: str,
    outcome_zh: str,
    opinion: str,
    issuer: str,
    decided_on: date,
) -> str:
    parts = [
        f"信访事项（编号：{tracking_no}）：{matter}",
        f"听证日期：{held_on.year}年{held_on.month:02d}月{held_on.day:02d}日",
        f"听证结论：{conclusion}",
        f"复核意见（{decided_on.year}年{decided_on.month:02d}月{decided_on.day:02d}日）：{outcome_zh}。{opinion}",
        f"复核机关：{issuer}",
        "依据《信访工作条例》第三十六条，经过听证的复核意见依法向社会公示。",
    ]
    return mask_personal("\n".join(parts), names)
