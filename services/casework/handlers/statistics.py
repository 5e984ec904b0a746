"""Statistics for the bureau's supervisors: every clock a department owed (kept or not), the cases
handled in a period (for the annual report) and the overdue list (超期). Only counts and case
numbers leave here: never a complainant, a respondent or any text of a case."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from services.casework.domain.calendar import local_date
from services.casework.domain.deadlines import STEP_NAMES_ZH, Step
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.views import office
from services.casework.repositories import CaseworkUnitOfWork
from services.casework.repositories.statistics import OverdueQuery
from services.casework.schemas.statistics import (
    BodyFigures,
    DepartmentStatistics,
    HandlingStatistics,
    LeadDepartmentFigures,
    OnTimeStatistics,
    OverdueClock,
    OverdueList,
    StepStatistics,
    SupervisionFigures,
)
from shared.events.vocabulary import Track
from shared.statistics_params import Period


def _rate(on_time: int, completed: int) -> float | None:
    return round(on_time / completed, 4) if completed else None


async def on_time_statistics(
    *, uow: CaseworkUnitOfWork, ctx: CaseworkContext, since: date | None, until: date | None, department: str | None
) -> OnTimeStatistics:
    """Clocks due in [since, until] (all when unset), grouped by owner and step."""
    today = local_date(ctx.clock.now())
    steps: dict[str, list[StepStatistics]] = defaultdict(list)
    for row in await uow.statistics.clocks_by_step(since=since, until=until, owner=department, today=today):
        steps[row.owner].append(
            StepStatistics(
                step=row.step,
                completed=row.completed,
                on_time=row.on_time,
                late=row.completed - row.on_time,
                open=row.open,
                overdue=row.overdue,
                on_time_rate=_rate(row.on_time, row.completed),
            )
        )
    departments = []
    for owner, items in steps.items():
        completed = sum(s.completed for s in items)
        on_time = sum(s.on_time for s in items)
        departments.append(
            DepartmentStatistics(
                department=office(ctx, owner),
                completed=completed,
                on_time=on_time,
                overdue=sum(s.overdue for s in items),
                on_time_rate=_rate(on_time, completed),
                steps=items,
            )
        )
    return OnTimeStatistics(as_of=today, since=since, until=until, departments=departments)


async def handling_statistics(*, uow: CaseworkUnitOfWork, ctx: CaseworkContext, period: Period) -> HandlingStatistics:
    """Cases casework opened (took the hand-off) at ``since <= created_at < until``: per lead
    department, 交办, 转送 and 督办 (the platform's one period convention, shared.statistics_params)."""
    counts = await uow.statistics.handling(since=period.since, until=period.until)
    by_lead = [
        LeadDepartmentFigures(department=office(ctx, code), cases=cases, reports=reports)
        for code, cases, reports in counts.by_lead
    ]
    transfers_by_body = [BodyFigures(department=office(ctx, code), transfers=n) for code, n in counts.transfers_by_body]
    return HandlingStatistics(
        as_of=local_date(ctx.clock.now()),
        since=period.since,
        until=period.until,
        cases=sum(f.cases for f in by_lead),
        by_lead_department=by_lead,
        assignments=counts.assignments,
        transfers=sum(f.transfers for f in transfers_by_body),
        transfers_by_body=transfers_by_body,
        supervisions=SupervisionFigures(cases=counts.supervised_cases, clocks=counts.supervised_clocks),
    )


async def overdue_clocks(
    *,
    uow: CaseworkUnitOfWork,
    ctx: CaseworkContext,
    period: Period,
    department: str | None,
    step: Step | None,
    limit: int,
    offset: int,
) -> OverdueList:
    """Running clocks (not done, cancelled or paused by a hearing) whose due day has passed; the
    period, when given, selects them by their due day. The scheduler supervises (督办) each once
    (handlers/supervision.py); ``supervised`` says whether it has."""
    today = local_date(ctx.clock.now())
    query = OverdueQuery(
        first_day=period.first_day,
        last_day=period.last_day,
        owner=department,
        step=step.value if step else None,
        limit=limit,
        offset=offset,
    )
    total, rows = await uow.statistics.overdue_clocks(query, today=today)
    items = [
        OverdueClock(
            grievance_id=row.grievance_id,
            tracking_no=row.tracking_no,
            track=Track(row.track),
            urgent=row.urgent,
            lead=office(ctx, row.lead_department),
            owner=office(ctx, row.owner),
            step=Step(row.step),
            step_zh=STEP_NAMES_ZH[Step(row.step)],
            due_on=row.due_on,
            days_overdue=(today - row.due_on).days,
            supervised=row.supervised,
        )
        for row in rows
    ]
    return OverdueList(as_of=today, total=total, items=items, limit=limit, offset=offset)
