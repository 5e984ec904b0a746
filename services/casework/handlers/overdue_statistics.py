"""The overdue list (超期) for the supervisor: every running clock past its due day, with the case,
the department that owes the step and how many days it is late. The scheduler supervises (督办)
each such clock once (handlers/supervision.py); ``supervised`` says whether it has."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, func, select

from services.casework import db
from services.casework.domain.calendar import local_date
from services.casework.domain.deadlines import STEP_NAMES_ZH, Step
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.views import office
from services.casework.schemas import Office
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Track
from shared.statistics_params import Period


class OverdueClock(BaseModel):
    grievance_id: str
    tracking_no: str
    track: Track
    urgent: bool
    lead: Office = Field(description="the case's lead department (主办)")
    owner: Office = Field(description="who owes the step: the department, the bureau or the 政法 body")
    step: Step
    step_zh: str
    due_on: date
    days_overdue: int = Field(description="calendar days since the due day (Asia/Shanghai)")
    supervised: bool = Field(description="督办 already sent for this clock")


class OverdueList(BaseModel):
    as_of: date
    total: int
    items: list[OverdueClock] = Field(description="most overdue first")
    limit: int
    offset: int


async def overdue_clocks(
    *,
    uow: UnitOfWork,
    ctx: CaseworkContext,
    period: Period,
    department: str | None,
    step: Step | None,
    limit: int,
    offset: int,
) -> OverdueList:
    """Running clocks (not done, cancelled or paused by a hearing) whose due day has passed; the
    period, when given, selects them by their due day."""
    d, c = db.deadline, db.grievance_case
    today = local_date(ctx.clock.now())
    conditions: list[ColumnElement[bool]] = [
        d.c.done_at.is_(None),
        d.c.cancelled.is_(False),
        d.c.paused_at.is_(None),
        d.c.due_on < today,
    ]
    if period.first_day is not None:
        conditions.append(d.c.due_on >= period.first_day)
    if period.last_day is not None:
        conditions.append(d.c.due_on <= period.last_day)
    if department is not None:
        conditions.append(d.c.owner == department)
    if step is not None:
        conditions.append(d.c.step == step.value)
    where = and_(*conditions)
    joined = d.join(c, c.c.grievance_id == d.c.grievance_id)
    total = await uow.session.scalar(select(func.count()).select_from(joined).where(where))
    columns = (c.c.grievance_id, c.c.tracking_no, c.c.track, c.c.urgent, c.c.lead_department)
    clock = (d.c.owner, d.c.step, d.c.due_on, d.c.supervised)
    rows = await uow.session.execute(
        select(*columns, *clock)
        .select_from(joined)
        .where(where)
        .order_by(d.c.due_on, c.c.grievance_id, d.c.seq)
        .limit(limit)
        .offset(offset)
    )
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
    return OverdueList(as_of=today, total=int(total or 0), items=items, limit=limit, offset=offset)
