"""Recommendations (《信访工作条例》第四十条): issue to an agency, record its written answer, supervise
(督办) an overdue answer, count them. The agency hears of each on its own topic."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from services.casework.domain import recommendation as rules
from services.casework.domain.calendar import local_date
from services.casework.domain.recommendation import Adoption, RecommendationKind, RecommendationState
from services.casework.domain.states import RuleViolation
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.oversight import (
    RecordNotFound,
    known_department,
    link,
    may_see,
    office_of,
    sees_all,
)
from services.casework.handlers.publishing import audit
from services.casework.handlers.refusals import record_refusal
from services.casework.repositories import CaseworkUnitOfWork, CaseworkUowFactory
from services.casework.repositories.recommendations import Recommendation, RecommendationQuery
from services.casework.schemas.oversight import (
    RecommendationAnswer,
    RecommendationCounts,
    RecommendationCreate,
    RecommendationList,
    RecommendationRead,
    RecommendationStatistics,
)
from shared.auth import StaffPrincipal
from shared.events.department import RecommendationNotice
from shared.events.topics import department_topic
from shared.logging import get_logger

log = get_logger(__name__)


async def _refused(uow: CaseworkUnitOfWork, staff: StaffPrincipal, action: str, recommendation_id: str) -> None:
    """Another department's recommendation: audited like a refused case, then the same 404."""
    await record_refusal(uow, staff, action, None, record={"recommendation_id": recommendation_id})


def _not_found() -> RecordNotFound:
    return RecordNotFound("recommendation-not-found", "未找到该建议。")


def _read(ctx: CaseworkContext, row: Recommendation, today: date) -> RecommendationRead:
    state = RecommendationState(row.state)
    kind = RecommendationKind(row.kind)
    return RecommendationRead(
        id=row.id,
        kind=kind,
        kind_zh=rules.KIND_NAMES_ZH[kind],
        department=office_of(ctx, row.department),
        title=row.title,
        reasons=row.reasons,
        grievance_ids=list(row.grievance_ids),
        due_on=row.due_on,
        state=state,
        overdue=rules.is_overdue(state, row.due_on, today=today),
        supervised=row.supervised_at is not None,
        issued_at=row.issued_at,
        adoption=Adoption(row.adoption) if row.adoption else None,
        answer=row.answer,
        answered_at=row.answered_at,
        answered_late=rules.answered_late(row.due_on, row.answered_on) if row.answered_on else None,
        legal_basis=rules.LEGAL_BASIS,
    )


async def _notify(
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    row: Recommendation,
    *,
    action: Literal["issued", "answered", "supervised"],
    message_zh: str,
    now: datetime,
) -> None:
    state = RecommendationState(row.state)
    await uow.publish(
        RecommendationNotice(
            recommendation_id=row.id,
            department=row.department,
            department_name=ctx.name(row.department),
            action=action,
            kind=row.kind,
            title=row.title,
            reasons=row.reasons,
            grievance_ids=list(row.grievance_ids),
            due_on=row.due_on,
            state=state.value,
            adoption=row.adoption,
            overdue=rules.is_overdue(state, row.due_on, today=local_date(now)),
            message_zh=message_zh,
            legal_basis=rules.LEGAL_BASIS,
            url=link(ctx, f"/v1/recommendations/{row.id}"),
            occurred_at=now,
        ),
        subject=row.id,
        topic=department_topic(row.department),
    )


async def issue(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, body: RecommendationCreate
) -> RecommendationRead:
    """The bureau issues a recommendation; the agency is told on its topic."""
    now = ctx.clock.now()
    today = local_date(now)
    known_department(ctx, body.department, field="department")
    rules.check_due_on(body.due_on, today=today)
    grievance_ids = list(dict.fromkeys(body.grievance_ids))
    if grievance_ids:
        found = await uow.cases.existing_ids(grievance_ids)
        missing = [g for g in grievance_ids if g not in found]
        if missing:
            raise RuleViolation(f"所关联的案件不存在：{', '.join(missing)}。")
    recommendation_id = str(uuid.uuid4())
    row = Recommendation(
        id=recommendation_id,
        kind=body.kind.value,
        department=body.department,
        title=body.title,
        reasons=body.reasons,
        grievance_ids=grievance_ids,
        due_on=body.due_on,
        state=RecommendationState.issued.value,
        issued_by=staff.subject,
        issued_at=now,
    )
    await uow.recommendations.add(row)
    # Read back as stored, so this answer matches every later read (the database's time zone).
    row = await uow.recommendations.get(recommendation_id) or row
    kind_zh = rules.KIND_NAMES_ZH[body.kind]
    text = (
        f"【{kind_zh}】{ctx.settings.bureau_name}依据{rules.LEGAL_BASIS}向你单位提出{kind_zh}：{body.title}。"
        f"请于{body.due_on:%Y年%m月%d日}前书面反馈采纳情况。"
    )
    await _notify(uow, ctx, row, action="issued", message_zh=text, now=now)
    await audit(uow, staff, "IssueRecommendation", None, {"recommendation_id": recommendation_id})
    return _read(ctx, row, today)


async def answer(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    recommendation_id: str,
    body: RecommendationAnswer,
) -> RecommendationRead:
    """The agency's written answer (书面反馈采纳情况): only its own officers give it, once."""
    now = ctx.clock.now()
    row = await uow.recommendations.get(recommendation_id, for_update=True)
    if row is None:
        raise _not_found()
    if staff.department is None or staff.department != row.department:
        await _refused(uow, staff, "AnswerRecommendation", recommendation_id)
        raise _not_found()
    rules.check_answerable(RecommendationState(row.state))
    rules.check_reasons(body.adoption, body.answer)
    row.state = RecommendationState.answered.value
    row.adoption = body.adoption.value
    row.answer = body.answer
    row.answered_by = staff.subject
    row.answered_at = now
    row.answered_on = local_date(now)
    await uow.recommendations.save(row)
    row = await uow.recommendations.get(recommendation_id) or row
    text = f"你单位已书面反馈：{rules.ADOPTION_NAMES_ZH[body.adoption]}。"
    await _notify(uow, ctx, row, action="answered", message_zh=text, now=now)
    await audit(uow, staff, "AnswerRecommendation", None, {"recommendation_id": recommendation_id})
    return _read(ctx, row, local_date(now))


async def read(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, recommendation_id: str
) -> RecommendationRead:
    row = await uow.recommendations.get(recommendation_id)
    if row is None:
        raise _not_found()
    if not may_see(staff, row.department):
        await _refused(uow, staff, "read_recommendation", recommendation_id)
        raise _not_found()
    return _read(ctx, row, local_date(ctx.clock.now()))


@dataclass(frozen=True, slots=True)
class RecommendationFilter:
    state: RecommendationState | None = None
    kind: RecommendationKind | None = None
    department: str | None = None
    overdue: bool | None = None
    limit: int = 50
    offset: int = 0


async def list_recommendations(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, filters: RecommendationFilter
) -> RecommendationList:
    """An officer lists its own department's; a supervisor every one (or one department's)."""
    today = local_date(ctx.clock.now())
    department = filters.department if sees_all(staff) else staff.department
    if not sees_all(staff) and department is None:
        return RecommendationList(items=[], total=0, limit=filters.limit, offset=filters.offset)
    query = RecommendationQuery(
        department=department,
        state=filters.state.value if filters.state else None,
        kind=filters.kind.value if filters.kind else None,
        overdue=filters.overdue,
        limit=filters.limit,
        offset=filters.offset,
    )
    total, rows = await uow.recommendations.search(query, today=today)
    return RecommendationList(
        items=[_read(ctx, row, today) for row in rows],
        total=total,
        limit=filters.limit,
        offset=filters.offset,
    )


async def supervise_overdue(*, uow_factory: CaseworkUowFactory, ctx: CaseworkContext, batch_size: int = 200) -> int:
    """督办 every unanswered recommendation past its due day, once: a notice on the agency's topic.
    Rows are taken ``FOR UPDATE SKIP LOCKED``, so several schedulers supervise each one once."""
    now = ctx.clock.now()
    today = local_date(now)
    async with uow_factory() as uow:
        rows = await uow.recommendations.due_for_supervision(today=today, limit=batch_size)
        for row in rows:
            row.supervised_at = now
            await uow.recommendations.save(row)
            kind_zh = rules.KIND_NAMES_ZH[RecommendationKind(row.kind)]
            text = (
                f"【督办】{kind_zh}“{row.title}”的书面反馈已于{row.due_on:%Y年%m月%d日}到期，"
                f"请立即书面反馈采纳情况（{rules.LEGAL_BASIS}）。"
            )
            await _notify(uow, ctx, row, action="supervised", message_zh=text, now=now)
        await uow.commit()
    if rows:
        log.info("recommendations supervised", count=len(rows))
    return len(rows)


async def statistics(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, since: date | None, until: date | None
) -> RecommendationStatistics:
    """Recommendations issued in [since, until] (local dates), per kind and agency."""
    today = local_date(ctx.clock.now())
    rows = await uow.recommendations.issued_between(since, until)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        c = counts[(row.kind, row.department)]
        c["issued"] += 1
        state = RecommendationState(row.state)
        if state is RecommendationState.answered:
            # An answer records its adoption and its day together (answer()).
            assert row.adoption is not None
            assert row.answered_on is not None
            c["answered"] += 1
            c[row.adoption] += 1
            c["answered_late"] += int(rules.answered_late(row.due_on, row.answered_on))
        c["overdue"] += int(rules.is_overdue(state, row.due_on, today=today))
    result = []
    for (kind, department), c in sorted(counts.items()):
        adopted = c[Adoption.adopted.value] + c[Adoption.partly_adopted.value]
        result.append(
            RecommendationCounts(
                kind=RecommendationKind(kind),
                department=office_of(ctx, department),
                issued=c["issued"],
                answered=c["answered"],
                answered_late=c["answered_late"],
                overdue=c["overdue"],
                adopted=c[Adoption.adopted.value],
                partly_adopted=c[Adoption.partly_adopted.value],
                not_adopted=c[Adoption.not_adopted.value],
                adoption_rate=round(adopted / c["answered"], 4) if c["answered"] else None,
            )
        )
    return RecommendationStatistics(as_of=today, since=since, until=until, rows=result)
