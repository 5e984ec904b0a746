"""Key-case evaluation (重点信访事项评查): a supervisor draws a sample of closed key cases, scores
each against the checklist, and sends the findings to the lead department (its topic and API);
the scores feed the statistics."""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from datetime import date

from services.casework.domain import evaluation as rules
from services.casework.domain.calendar import local_date
from services.casework.domain.case import Case, ReviewLevel
from services.casework.domain.evaluation import Candidate, ChecklistItem, SampleRule
from services.casework.domain.states import RuleViolation
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.oversight import RecordNotFound, link, office_of, sees_all
from services.casework.handlers.publishing import audit
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.repositories.evaluations import Evaluation, EvaluationSheet, ScoredSheet
from services.casework.schemas.oversight import (
    EvaluationCreate,
    EvaluationDepartmentScore,
    EvaluationItemRead,
    EvaluationRead,
    EvaluationScore,
    EvaluationStatistics,
    FindingsList,
)
from shared.auth import StaffPrincipal
from shared.catalog.lawyers import LawyerRole, load_lawyers
from shared.events.department import EvaluationFindingsSent
from shared.events.topics import department_topic

# The pool a sample is drawn from is bounded; a district closes far fewer cases in a year.
MAX_POOL = 20_000


def _not_found() -> RecordNotFound:
    return RecordNotFound("evaluation-not-found", "未找到该评查。")


def _candidate(case: Case, linked: int) -> Candidate:
    late = any(not d.cancelled and d.done_at is not None and local_date(d.done_at) > d.due_on for d in case.deadlines)
    return Candidate(
        grievance_id=case.grievance_id,
        department=case.lead,
        urgent=case.urgent,
        linked_filings=linked,
        repeat=case.repeat_of is not None,
        re_reviewed=any(r.level is ReviewLevel.re_review for r in case.reviews),
        overdue=late,
    )


async def _pool(uow: CaseworkUnitOfWork, body: EvaluationCreate) -> dict[str, tuple[Case, Candidate]]:
    """Closed cases (closed within the window, of one lead department if asked)."""
    cases = [
        c
        for c in await uow.cases.closed(lead=body.department, limit=MAX_POOL)
        if c.closed_at is not None
        and (body.closed_since is None or local_date(c.closed_at) >= body.closed_since)
        and (body.closed_until is None or local_date(c.closed_at) <= body.closed_until)
    ]
    counts = await uow.repeat_links.count_linked_to([c.grievance_id for c in cases])
    return {c.grievance_id: (c, _candidate(c, counts.get(c.grievance_id, 0))) for c in cases}


async def create(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, body: EvaluationCreate
) -> EvaluationRead:
    """Draw the sample (seeded, so it can be drawn again) and open an evaluation sheet per case."""
    if body.closed_since and body.closed_until and body.closed_since > body.closed_until:
        raise RuleViolation("办结日期区间的开始晚于结束。")
    lawyer = None
    if body.lawyer_id is not None:
        lawyer = load_lawyers().get(body.lawyer_id)
        if lawyer is None or LawyerRole.evaluation not in lawyer.roles:
            raise RuleViolation("所选法律顾问不在评查名册中。")
    now = ctx.clock.now()
    seed = body.seed if body.seed is not None else secrets.randbelow(2**53)
    pool = await _pool(uow, body)
    sample = rules.draw_sample([c for _, c in pool.values()], rule=body.rule, size=body.size, seed=seed)
    if not sample:
        raise RuleViolation("没有符合抽查条件的已办结案件。")
    if lawyer is not None:
        parties = tuple(pool[c.grievance_id][0].snapshot.respondent or "" for c in sample)
        if not lawyer.may_serve(LawyerRole.evaluation, parties=parties):
            raise RuleViolation("所选法律顾问与被抽查案件的当事方有利害关系，应当回避。")
    evaluation_id = str(uuid.uuid4())
    evaluation = Evaluation(
        id=evaluation_id,
        rule=body.rule.value,
        seed=seed,
        size=body.size,
        closed_since=body.closed_since,
        closed_until=body.closed_until,
        department=body.department,
        evaluator=body.evaluator,
        lawyer_id=body.lawyer_id,
        created_by=staff.subject,
        created_at=now,
    )
    sheets = [
        EvaluationSheet(
            evaluation_id=evaluation_id,
            grievance_id=c.grievance_id,
            tracking_no=pool[c.grievance_id][0].tracking_no,
            department=c.department,
        )
        for c in sample
    ]
    await uow.evaluations.add(evaluation, sheets)
    await audit(uow, staff, "DrawEvaluationSample", None, {"evaluation_id": evaluation_id, "cases": len(sample)})
    return await read(uow=uow, ctx=ctx, evaluation_id=evaluation_id)


def _item(ctx: CaseworkContext, row: EvaluationSheet) -> EvaluationItemRead:
    return EvaluationItemRead(
        evaluation_id=row.evaluation_id,
        grievance_id=row.grievance_id,
        tracking_no=row.tracking_no,
        department=office_of(ctx, row.department),
        scores=row.scores,
        total=row.total,
        grade=rules.grade(row.total) if row.total is not None else None,
        findings=row.findings,
        scored_at=row.scored_at,
        sent_at=row.sent_at,
    )


async def read(*, uow: CaseworkUnitOfWork, ctx: CaseworkContext, evaluation_id: str) -> EvaluationRead:
    row = await uow.evaluations.get(evaluation_id)
    if row is None:
        raise _not_found()
    items = await uow.evaluations.sheets(evaluation_id)
    lawyer = load_lawyers().get(row.lawyer_id) if row.lawyer_id else None
    return EvaluationRead(
        id=row.id,
        rule=SampleRule(row.rule),
        seed=row.seed,
        size=row.size,
        closed_since=row.closed_since,
        closed_until=row.closed_until,
        department=row.department,
        evaluator=row.evaluator,
        lawyer_id=row.lawyer_id,
        lawyer_name=lawyer.name if lawyer else None,
        created_at=row.created_at,
        checklist={item.value: rules.CHECKLIST_ZH[item] for item in ChecklistItem},
        items=[_item(ctx, item) for item in items],
    )


async def score(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    staff: StaffPrincipal,
    evaluation_id: str,
    grievance_id: str,
    body: EvaluationScore,
) -> EvaluationItemRead:
    """Score one sampled case; it may be re-scored until its findings are sent."""
    row = await uow.evaluations.sheet_for_update(evaluation_id, grievance_id)
    if row is None:
        raise RecordNotFound("evaluation-item-not-found", "该案件不在本次评查样本中。")
    rules.check_scorable(row.sent_at is not None)
    total = rules.total_score(body.scores)
    row.scores = {item.value: value for item, value in body.scores.items()}
    row.total, row.findings, row.scored_at = total, body.findings, ctx.clock.now()
    await uow.evaluations.save_sheet(row)
    await audit(uow, staff, "ScoreEvaluation", grievance_id, {"evaluation_id": evaluation_id, "total": total})
    # Read back as stored, so this answer matches every later read (the database's time zone).
    updated = await uow.evaluations.sheet_for_update(evaluation_id, grievance_id)
    assert updated is not None
    return _item(ctx, updated)


async def send_findings(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, evaluation_id: str
) -> EvaluationRead:
    """Send every scored, unsent sheet to its lead department's topic; unscored ones wait."""
    evaluation = await uow.evaluations.get(evaluation_id, for_update=True)
    if evaluation is None:
        raise _not_found()
    now = ctx.clock.now()
    ready = await uow.evaluations.unsent_scored(evaluation_id)
    if not ready:
        raise RuleViolation("没有已评分且未反馈的案件。")
    for row in ready:
        assert row.total is not None  # unsent_scored: scored sheets only
        grade = rules.grade(row.total)
        await uow.publish(
            EvaluationFindingsSent(
                evaluation_id=evaluation_id,
                grievance_id=row.grievance_id,
                tracking_no=row.tracking_no,
                department=row.department,
                department_name=ctx.name(row.department),
                rule=evaluation.rule,
                scores=row.scores,
                total=row.total,
                grade=grade.value,
                findings=row.findings,
                evaluator=evaluation.evaluator,
                message_zh=f"重点信访事项评查：{row.tracking_no} 得分{row.total}分，请对照评查意见整改。",
                url=link(ctx, "/v1/evaluation-findings"),
                occurred_at=now,
            ),
            subject=row.grievance_id,
            topic=department_topic(row.department),
        )
    for row in ready:
        row.sent_at = now
        await uow.evaluations.save_sheet(row)
    await audit(uow, staff, "SendEvaluationFindings", None, {"evaluation_id": evaluation_id, "sent": len(ready)})
    return await read(uow=uow, ctx=ctx, evaluation_id=evaluation_id)


async def findings_for(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, staff: StaffPrincipal, limit: int, offset: int
) -> FindingsList:
    """Findings sent to the officer's own department (a supervisor: all), newest first."""
    if not sees_all(staff) and staff.department is None:
        return FindingsList(items=[], limit=limit, offset=offset)
    department = None if sees_all(staff) else staff.department
    rows = await uow.evaluations.sent_findings(department=department, limit=limit, offset=offset)
    return FindingsList(items=[_item(ctx, row) for row in rows], limit=limit, offset=offset)


async def statistics(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, since: date | None, until: date | None
) -> EvaluationStatistics:
    """Average scores of sheets scored in [since, until] (local dates), per department and item."""
    sheets = await uow.evaluations.scored_between(since, until)
    by_department: dict[str, list[ScoredSheet]] = defaultdict(list)
    for sheet in sheets:
        by_department[sheet.department].append(sheet)

    def averages(group: list[ScoredSheet]) -> tuple[float, dict[str, float]]:
        total = round(sum(s.total for s in group) / len(group), 2)
        items = {item.value: round(sum(s.scores[item.value] for s in group) / len(group), 2) for item in ChecklistItem}
        return total, items

    departments = []
    for code in sorted(by_department):
        average_total, by_item = averages(by_department[code])
        departments.append(
            EvaluationDepartmentScore(
                department=office_of(ctx, code),
                evaluated=len(by_department[code]),
                average_total=average_total,
                average_by_item=by_item,
            )
        )
    overall, overall_items = averages(sheets) if sheets else (None, {})
    return EvaluationStatistics(
        since=since,
        until=until,
        evaluated=len(sheets),
        average_total=overall,
        average_by_item=overall_items,
        departments=departments,
    )
