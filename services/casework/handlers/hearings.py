"""Hearing use cases (听证): open one, record it, publish a heard 复核 opinion (公示), read them.

Each runs in one transaction: the case (its paused or resumed clock), the hearing, the notices,
the citizen's status event, the departments' events and the audit row commit together — the
caller commits (with the Idempotency-Key's remembered answer, api/idempotent.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.casework.documents.content import DocumentKind
from services.casework.documents.hearing_notice import hearing_notice
from services.casework.domain import hearing as rules
from services.casework.domain.access import Reader
from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case
from services.casework.domain.hearing import Hearing, HearingBody, Participant, ParticipantRole
from services.casework.domain.messages import day_zh
from services.casework.domain.states import NotPermitted, RuleViolation
from services.casework.handlers.actions import find_case
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.legal_steps import OUTCOME_NAMES_ZH
from services.casework.handlers.publishing import (
    audit,
    issue_document,
    next_document_sequence,
    tell_citizen,
    tell_departments,
)
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.schemas.hearings import (
    HearingCreate,
    HearingRead,
    HearingRecordCreate,
    PanelRead,
    ParticipantRead,
    PublicNoticeList,
    PublicNoticeRead,
)
from shared.auth import StaffPrincipal
from shared.catalog.lawyers import load_lawyers
from shared.events.department import DepartmentAction
from shared.events.vocabulary import Status


class HearingNotFound(Exception):
    """No such hearing on this case (or the case is not this reader's)."""


@dataclass(frozen=True, slots=True)
class _Actor:
    office: str  # department code or the 复核 office, for the records
    name: str  # the office name citizens read


def _actor(ctx: CaseworkContext, case: Case, staff: StaffPrincipal, reader: Reader, body: HearingBody) -> _Actor:
    """A handler's hearing belongs to the lead's officers, a 复核 hearing to the bureau's supervisors."""
    if body is HearingBody.handler:
        if reader is not Reader.lead:
            raise NotPermitted("只有主办单位可以举行或记录本事项的听证。")
        return _Actor(case.lead, ctx.name(case.lead))
    if reader is not Reader.bureau:
        raise NotPermitted("复核听证由复核机关举行。")
    return _Actor(ctx.settings.review_office_code, ctx.settings.re_review_body_name)


def hearing_read(hearing: Hearing) -> HearingRead:
    record = hearing.record
    return HearingRead(
        id=hearing.id,
        grievance_id=hearing.grievance_id,
        body=hearing.body,
        state=hearing.state,
        step=hearing.step.value,
        panel=PanelRead(**vars(hearing.panel)),
        participants=[ParticipantRead(role=p.role, name=p.name, department=p.department) for p in hearing.participants],
        scheduled_at=hearing.scheduled_at,
        place=hearing.place,
        opened_at=hearing.opened_at,
        opened_by=hearing.opened_by,
        due_on_at_opening=hearing.due_on_at_opening,
        held_at=record.held_at if record else None,
        record=record.record if record else None,
        conclusion=record.conclusion if record else None,
        completed_at=record.completed_at if record else None,
        paused_working_days=hearing.paused_working_days,
        resumed_due_on=hearing.resumed_due_on,
        published_at=hearing.notice.published_at if hearing.notice else None,
        public_notice=hearing.notice.text if hearing.notice else None,
    )


async def open_hearing(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str, request: HearingCreate
) -> HearingRead:
    now = ctx.clock.now()
    case, reader = await find_case(uow, ctx, staff, grievance_id, for_update=True, action="open_hearing")
    actor = _actor(ctx, case, staff, reader, request.body)
    participants = [Participant(p.role, p.name, p.department) for p in request.participants]
    for p in participants:
        if p.department is not None and p.department not in ctx.catalog.departments:
            raise RuleViolation(f"未知的单位代码：{p.department}。")
    parties = [p.name for p in participants if p.role is not ParticipantRole.department]
    parties += [case.snapshot.respondent] if case.snapshot.respondent else []
    panel = rules.build_panel(request.chair, request.members, request.lawyer_id, load_lawyers(), parties)
    hearing = rules.open_hearing(
        case,
        hearing_id=str(uuid.uuid4()),
        body=request.body,
        opened_by=actor.office,
        department=staff.department if request.body is HearingBody.handler else None,
        panel=panel,
        participants=participants,
        scheduled_at=request.scheduled_at,
        place=request.place,
        open_hearings=await uow.hearings.count_open(case.grievance_id),
        now=now,
    )
    await uow.cases.save(case, calendar=ctx.calendar)
    await uow.hearings.add(hearing)
    names = {code: ctx.name(code) for code in ctx.catalog.departments}
    addressees: list[str | None] = [None]  # the petitioner, by the masked name the case holds
    addressees += [p.name for p in hearing.participants if p.role is ParticipantRole.party]
    documents = []
    for sequence, addressee in enumerate(addressees, start=1):
        draft = hearing_notice(
            case,
            hearing,
            issuer=actor.name,
            addressee=addressee,
            department_names=names,
            now=now,
            sequence=sequence + await _earlier_notices(uow, case.grievance_id),
        )
        documents.append(await issue_document(uow, ctx, case, draft, issued_by=actor.office, now=now))
    when = f"{day_zh(local_date(hearing.scheduled_at))}在{hearing.place}"
    detail = {"hearing_id": hearing.id, "body": hearing.body.value, "step": hearing.step.value}
    await tell_citizen(
        uow,
        case,
        status=Status.hearing_scheduled,
        message_zh=f"{actor.name}决定就您的诉求举行听证，时间地点：{when}。听证期间不计入办理期限。",
        actor=actor.name,
        now=now,
        documents=documents[:1],
        detail=detail,
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.hearing_scheduled,
        message_zh=f"{actor.name}将于{when}举行听证，{hearing.step.value}时限暂停计算。",
        now=now,
        departments=_concerned(case, hearing),
        detail=detail,
    )
    await audit(
        uow, staff, "open_hearing", case.grievance_id, detail | {"scheduled_at": hearing.scheduled_at.isoformat()}
    )
    return hearing_read(hearing)


async def _earlier_notices(uow: CaseworkUnitOfWork, grievance_id: str) -> int:
    return await next_document_sequence(uow, grievance_id, DocumentKind.hearing_notice) - 1


def _concerned(case: Case, hearing: Hearing) -> list[str]:
    """The lead, and every department taking part in the hearing that has a topic of its own."""
    return list(dict.fromkeys([case.lead, *(p.department for p in hearing.participants if p.department)]))


async def _hearing_for_update(
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    hearing_id: str,
    action: str,
) -> tuple[Case, Reader, Hearing]:
    case, reader = await find_case(uow, ctx, staff, grievance_id, for_update=True, action=action)
    hearing = await uow.hearings.get(grievance_id, hearing_id)
    if hearing is None:
        raise HearingNotFound(hearing_id)
    return case, reader, hearing


async def record_hearing(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    grievance_id: str,
    hearing_id: str,
    request: HearingRecordCreate,
) -> HearingRead:
    now = ctx.clock.now()
    case, reader, hearing = await _hearing_for_update(uow, ctx, staff, grievance_id, hearing_id, "record_hearing")
    actor = _actor(ctx, case, staff, reader, hearing.body)
    rules.record_hearing(
        case,
        hearing,
        held_at=request.held_at,
        record=request.record,
        conclusion=request.conclusion,
        now=now,
        calendar=ctx.calendar,
    )
    await uow.cases.save(case, calendar=ctx.calendar)
    await uow.hearings.save(hearing)
    clock = case.running(hearing.step)
    detail = {
        "hearing_id": hearing.id,
        "body": hearing.body.value,
        "paused_working_days": hearing.paused_working_days,
        "due_on": hearing.resumed_due_on.isoformat() if hearing.resumed_due_on else None,
    }
    due = f"，顺延后的期限为{day_zh(hearing.resumed_due_on)}" if hearing.resumed_due_on else ""
    await tell_citizen(
        uow,
        case,
        status=Status.hearing_held,
        message_zh=f"{actor.name}已举行听证并完成听证笔录{due}。",
        actor=actor.name,
        now=now,
        due_at=clock.due_at if clock else None,
        detail=detail,
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.hearing_held,
        message_zh=f"听证笔录已完成，听证结论：{hearing.record.conclusion if hearing.record else ''}{due}。",
        now=now,
        departments=_concerned(case, hearing),
        detail=detail,
    )
    await audit(uow, staff, "record_hearing", case.grievance_id, detail)
    return hearing_read(hearing)


async def publish_opinion(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str, hearing_id: str
) -> HearingRead:
    now = ctx.clock.now()
    case, reader, hearing = await _hearing_for_update(uow, ctx, staff, grievance_id, hearing_id, "publish_opinion")
    actor = _actor(ctx, case, staff, reader, HearingBody.re_review)
    review = case.last_review
    outcome = OUTCOME_NAMES_ZH[review.outcome.value] if review and review.outcome else ""
    notice = rules.publish_opinion(case, hearing, issuer=actor.name, outcome_zh=outcome, now=now)
    await uow.hearings.save(hearing)
    detail = {"hearing_id": hearing.id, "published_at": notice.published_at.isoformat()}
    await tell_citizen(
        uow,
        case,
        status=Status.published,
        message_zh=f"{actor.name}已将经过听证的复核意见依法向社会公示，公示内容已隐去个人信息。",
        actor=actor.name,
        now=now,
        detail=detail,
    )
    await tell_departments(
        uow,
        ctx,
        case,
        action=DepartmentAction.opinion_published,
        message_zh="经过听证的复核意见已向社会公示。",
        now=now,
        departments=[case.lead],
        detail=detail,
    )
    await audit(uow, staff, "publish_opinion", case.grievance_id, detail)
    return hearing_read(hearing)


async def list_hearings(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, grievance_id: str
) -> list[HearingRead]:
    await find_case(uow, ctx, staff, grievance_id, action="read_hearings")
    return [hearing_read(h) for h in await uow.hearings.of_case(grievance_id)]


async def public_notices(*, uow: CaseworkUnitOfWork, limit: int, offset: int) -> PublicNoticeList:
    total, hearings = await uow.hearings.published(limit=limit, offset=offset)
    items = [
        PublicNoticeRead(hearing_id=h.id, text=h.notice.text, published_at=h.notice.published_at)
        for h in hearings
        if h.notice is not None
    ]
    return PublicNoticeList(items=items, total=total, limit=limit, offset=offset)
