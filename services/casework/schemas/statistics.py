"""Response models of the statistics endpoints: on-time rates, handling figures for the annual
report, and the overdue list (超期). Only counts and case numbers: never a complainant or any text."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from services.casework.domain.deadlines import Step
from services.casework.schemas.cases import Office
from shared.events.vocabulary import Track


class StepStatistics(BaseModel):
    step: str
    completed: int
    on_time: int
    late: int
    open: int
    overdue: int
    on_time_rate: float | None = Field(description="on_time / completed, null when nothing was completed")


class DepartmentStatistics(BaseModel):
    department: Office
    completed: int
    on_time: int
    overdue: int
    on_time_rate: float | None
    steps: list[StepStatistics]


class OnTimeStatistics(BaseModel):
    as_of: date
    since: date | None
    until: date | None
    departments: list[DepartmentStatistics]


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
