"""On-time statistics per department (for the bureau): every clock a department owed, kept or not."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, select, true

from services.casework import db
from services.casework.domain.calendar import local_date
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.views import office
from services.casework.schemas import DepartmentStatistics, OnTimeStatistics, StepStatistics
from shared.db.uow import UnitOfWork


def _rate(on_time: int, completed: int) -> float | None:
    return round(on_time / completed, 4) if completed else None


async def on_time_statistics(
    *, uow: UnitOfWork, ctx: CaseworkContext, since: date | None, until: date | None, department: str | None
) -> OnTimeStatistics:
    """Clocks due in [since, until] (all when unset), grouped by owner and step; cancelled clocks
    (a re-routed assignment) count for nobody."""
    d = db.deadline
    today = local_date(ctx.clock.now())
    done = d.c.done_at.is_not(None)
    running = d.c.done_at.is_(None)
    conditions: list[ColumnElement[bool]] = [d.c.cancelled.is_(False)]
    if since is not None:
        conditions.append(d.c.due_on >= since)
    if until is not None:
        conditions.append(d.c.due_on <= until)
    if department is not None:
        conditions.append(d.c.owner == department)

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count(case((condition, 1)))

    rows = await uow.session.execute(
        select(
            d.c.owner,
            d.c.step,
            count(done),
            count(and_(done, d.c.done_on <= d.c.due_on)),
            count(running),
            count(and_(running, d.c.paused_at.is_(None), d.c.due_on < today)),
        )
        .where(and_(true(), *conditions))
        .group_by(d.c.owner, d.c.step)
        .order_by(d.c.owner, d.c.step)
    )
    steps: dict[str, list[StepStatistics]] = defaultdict(list)
    for owner, step, completed, on_time, open_, overdue in rows:
        steps[owner].append(
            StepStatistics(
                step=step,
                completed=completed,
                on_time=on_time,
                late=completed - on_time,
                open=open_,
                overdue=overdue,
                on_time_rate=_rate(on_time, completed),
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
