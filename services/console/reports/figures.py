"""The figures the annual report reads, as the services' statistics APIs answer them.

Only the fields the report uses are declared; anything else in an answer is ignored, so a
service may add figures without breaking the report.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RepeatCount(Answer):
    grievances: int = 0
    rate: float | None = None


class GroupCases(Answer):
    clusters: int = 0
    grievances: int = 0


class Routing(Answer):
    """router ``GET /v1/statistics/routing``: grievances received in the window."""

    received: int
    by_track: dict[str, int] = Field(default_factory=dict)
    by_petition_kind: dict[str, int] = Field(default_factory=dict)
    by_area: dict[str, int] = Field(default_factory=dict)
    by_category: dict[str, int] = Field(default_factory=dict)
    by_street: dict[str, int] = Field(default_factory=dict)
    by_channel: dict[str, int] = Field(default_factory=dict)
    urgent: int = 0
    repeats: RepeatCount = Field(default_factory=RepeatCount)
    group_cases: GroupCases = Field(default_factory=GroupCases)


class Office(Answer):
    code: str
    name: str


class DepartmentOnTime(Answer):
    department: Office
    completed: int
    on_time: int
    overdue: int


class OnTime(Answer):
    """casework ``GET /v1/statistics/on-time``."""

    departments: list[DepartmentOnTime] = Field(default_factory=list)


class LeadDepartment(Answer):
    department: Office
    cases: int
    reports: int = 0


class BodyTransfers(Answer):
    department: Office
    transfers: int


class Supervisions(Answer):
    cases: int = 0
    clocks: int = 0


class Handling(Answer):
    """casework ``GET /v1/statistics/handling``."""

    cases: int
    by_lead_department: list[LeadDepartment] = Field(default_factory=list)
    assignments: int = 0
    transfers: int = 0
    transfers_by_body: list[BodyTransfers] = Field(default_factory=list)
    supervisions: Supervisions = Field(default_factory=Supervisions)


class MediationCounts(Answer):
    total: int = 0
    agreed: int = 0
    failed: int = 0
    refused: int = 0
    success_rate: float | None = None


class AssistanceRow(Answer):
    kind: str
    outcome: str
    count: int


class Assistance(Answer):
    """Assistance referrals (《信访工作条例》第三十七条): casework's, and mediation's within its statistics."""

    total: int = 0
    rows: list[AssistanceRow] = Field(default_factory=list)

    def count(self, *, kind: str | None = None, outcome: str | None = None) -> int:
        return sum(
            r.count for r in self.rows if (kind is None or r.kind == kind) and (outcome is None or r.outcome == outcome)
        )


class Mediation(Answer):
    """mediation ``GET /v1/mediations/statistics``."""

    overall: MediationCounts
    median_duration_days: float | None = None
    # Referrals to assistance made by mediators in the window; None from a mediation without them.
    assistance: Assistance | None = None


class RatingCounts(Answer):
    total: int = 0
    satisfaction_rate: float | None = None
    reopen_rate: float | None = None


class SatisfactionRepeat(Answer):
    routed: int = 0
    repeats: int = 0
    repeat_rate: float | None = None


class Satisfaction(Answer):
    """feedback ``GET /v1/statistics/satisfaction``."""

    overall: RatingCounts
    repeat: SatisfactionRepeat = Field(default_factory=SatisfactionRepeat)


class RecommendationRow(Answer):
    kind: str
    issued: int = 0
    answered: int = 0
    overdue: int = 0
    adopted: int = 0
    partly_adopted: int = 0
    not_adopted: int = 0


class Recommendations(Answer):
    """casework's recommendation statistics (《信访工作条例》第四十条), when the API exists."""

    rows: list[RecommendationRow] = Field(default_factory=list)

    def total(self, figure: str) -> int:
        return sum(int(getattr(row, figure)) for row in self.rows)

    def by_kind(self) -> dict[str, RecommendationRow]:
        """Rows of one kind (one per department in the answer) added up."""
        kinds: dict[str, RecommendationRow] = {}
        for row in self.rows:
            total = kinds.setdefault(row.kind, RecommendationRow(kind=row.kind))
            for name in ("issued", "answered", "overdue", "adopted", "partly_adopted", "not_adopted"):
                setattr(total, name, getattr(total, name) + getattr(row, name))
        return kinds


class EvaluationDepartment(Answer):
    department: Office
    evaluated: int
    average_total: float


class Evaluations(Answer):
    """casework ``GET /v1/statistics/evaluations``: key-case evaluation (评查) scores."""

    evaluated: int = 0
    average_total: float | None = None
    average_by_item: dict[str, float] = Field(default_factory=dict)
    departments: list[EvaluationDepartment] = Field(default_factory=list)


class AnnualFigures(BaseModel):
    """Everything one year's report shows; None where the owning service has no such statistics."""

    year: int
    routing: Routing
    months: list[int] = Field(description="grievances received in each month, January first")
    handling: Handling
    on_time: OnTime
    mediation: Mediation
    satisfaction: Satisfaction
    recommendations: Recommendations | None = None
    assistance: Assistance | None = None
    evaluations: Evaluations | None = None
