"""Handling statistics for the annual report: cases per lead department, 交办, 转送 and 督办.

Counted over the cases casework opened in the period (when it took the hand-off; the period is the
platform's one convention, ``shared.statistics_params``).
Only counts leave this module: never a complainant, a respondent or any text of a case, so the
检举控告 figures per department reveal no identity.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, case, func, select, true

from services.casework import db
from services.casework.domain.calendar import local_date
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.views import office
from services.casework.schemas import Office
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import PetitionKind, Track
from shared.statistics_params import Period


class LeadDepartmentFigures(BaseModel):
    department: Office
    cases: int = Field(description="cases the department leads (主办)")
    reports: int = Field(description="of those, 检举控告 (counts only)")


class BodyFigures(BaseModel):
    department: Office
    transfers: int


class SupervisionFigures(BaseModel):
    cases: int = Field(description="cases with at least one supervised clock (督办)")
    clocks: int = Field(description="clocks supervised because their due day had passed")


class HandlingStatistics(BaseModel):
    as_of: date
    since: datetime | None = Field(description="inclusive, Asia/Shanghai; null: from the beginning")
    until: datetime | None = Field(description="exclusive, Asia/Shanghai; null: up to now")
    cases: int = Field(description="cases opened in the period (petition and litigation tracks)")
    by_lead_department: list[LeadDepartmentFigures] = Field(description="most cases first")
    assignments: int = Field(
        description="交办: petition-track assignments to a lead department, re-assignments included"
    )
    transfers: int = Field(description="转送: litigation-track cases transferred to a 政法 body")
    transfers_by_body: list[BodyFigures]
    supervisions: SupervisionFigures


async def handling_statistics(*, uow: UnitOfWork, ctx: CaseworkContext, period: Period) -> HandlingStatistics:
    """Cases opened at ``since <= created_at < until`` (all when unset)."""
    c = db.grievance_case
    window: list[ColumnElement[bool]] = []
    if period.since is not None:
        window.append(c.c.created_at >= period.since)
    if period.until is not None:
        window.append(c.c.created_at < period.until)
    opened = and_(true(), *window)
    report = c.c.petition_kind == PetitionKind.report.value
    petition = c.c.track == Track.petition.value
    body = c.c.aggregate["legal"]["body"].astext
    # Earlier assignments (returned or superseded) are kept in the aggregate's history.
    earlier = func.coalesce(func.jsonb_array_length(c.c.aggregate["history"]), 0)

    leads = await uow.session.execute(
        select(c.c.lead_department, func.count(), func.count(case((report, 1))))
        .where(opened)
        .group_by(c.c.lead_department)
        .order_by(func.count().desc(), c.c.lead_department)
    )
    by_lead = [
        LeadDepartmentFigures(department=office(ctx, code), cases=cases, reports=reports)
        for code, cases, reports in leads
    ]
    assignments = await uow.session.scalar(
        select(func.coalesce(func.sum(case((petition, 1 + earlier), else_=0)), 0)).where(opened)
    )
    bodies = await uow.session.execute(
        select(body, func.count()).where(opened, body.is_not(None)).group_by(body).order_by(func.count().desc(), body)
    )
    transfers_by_body = [BodyFigures(department=office(ctx, code), transfers=n) for code, n in bodies]
    d = db.deadline
    supervised = await uow.session.execute(
        select(func.count(func.distinct(d.c.grievance_id)), func.count())
        .select_from(d.join(c, d.c.grievance_id == c.c.grievance_id))
        .where(opened, d.c.supervised.is_(True))
    )
    supervised_cases, supervised_clocks = supervised.one()
    return HandlingStatistics(
        as_of=local_date(ctx.clock.now()),
        since=period.since,
        until=period.until,
        cases=sum(f.cases for f in by_lead),
        by_lead_department=by_lead,
        assignments=int(assignments or 0),
        transfers=sum(f.transfers for f in transfers_by_body),
        transfers_by_body=transfers_by_body,
        supervisions=SupervisionFigures(cases=supervised_cases, clocks=supervised_clocks),
    )
