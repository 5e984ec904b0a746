"""Request and response models of the recommendation (§40), assistance (§37) and key-case
evaluation (评查) endpoints."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from services.casework.domain.assistance import AssistanceKind, Outcome, Scheme
from services.casework.domain.evaluation import MAX_ITEM_SCORE, MAX_SAMPLE, ChecklistItem, Grade, SampleRule
from services.casework.domain.recommendation import Adoption, RecommendationKind, RecommendationState
from services.casework.schemas.cases import Office
from shared.text import RequestModel

Code = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9-]+$")


class Request(RequestModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# -- recommendations -----------------------------------------------------------------------------


class RecommendationCreate(Request):
    kind: RecommendationKind = Field(description="改进工作 / 完善政策 / 追究责任")
    department: str = Field(min_length=1, max_length=64, description="the agency's catalog code")
    title: str = Field(min_length=2, max_length=200)
    reasons: str = Field(min_length=2, max_length=8000, description="the facts and reasons for the recommendation")
    grievance_ids: list[str] = Field(default_factory=list, max_length=50, description="cases it arose from")
    due_on: date = Field(description="the day by which the written answer is due")


class RecommendationAnswer(Request):
    adoption: Adoption
    answer: str = Field(min_length=2, max_length=8000, description="the written answer; reasons if not adopted")


class RecommendationRead(BaseModel):
    id: str
    kind: RecommendationKind
    kind_zh: str
    department: Office
    title: str
    reasons: str
    grievance_ids: list[str]
    due_on: date
    state: RecommendationState
    overdue: bool
    supervised: bool
    issued_at: datetime
    adoption: Adoption | None = None
    answer: str | None = None
    answered_at: datetime | None = None
    answered_late: bool | None = None
    legal_basis: str


class RecommendationList(BaseModel):
    items: list[RecommendationRead]
    total: int
    limit: int
    offset: int


class RecommendationCounts(BaseModel):
    kind: RecommendationKind
    department: Office
    issued: int
    answered: int
    answered_late: int
    overdue: int
    adopted: int
    partly_adopted: int
    not_adopted: int
    adoption_rate: float | None = Field(description="(adopted + partly adopted) / answered")


class RecommendationStatistics(BaseModel):
    as_of: date
    since: date | None
    until: date | None
    rows: list[RecommendationCounts]


# -- assistance referrals ------------------------------------------------------------------------


class AssistanceCreate(Request):
    scheme: Scheme = Field(description="社会救助 programmes, or judicial (司法救助)")
    referred_to: str = Field(min_length=1, max_length=64, description="catalog code of the body applied to")
    hardship: str = Field(min_length=2, max_length=4000, description="the petitioner's actual difficulty")


class AssistanceOutcomeRequest(Request):
    outcome: Outcome
    note: str | None = Field(default=None, max_length=2000)


class AssistanceRead(BaseModel):
    id: str
    grievance_id: str
    department: Office
    kind: AssistanceKind
    scheme: Scheme
    scheme_zh: str
    referred_to: Office
    hardship: str
    outcome: Outcome
    outcome_note: str | None = None
    referred_at: datetime
    outcome_at: datetime | None = None


class AssistanceList(BaseModel):
    items: list[AssistanceRead]


# -- key-case evaluation -------------------------------------------------------------------------


class EvaluationCreate(Request):
    rule: SampleRule
    size: int = Field(ge=1, le=MAX_SAMPLE)
    seed: int | None = Field(default=None, ge=0, le=2**53, description="for a reproducible sample; drawn if unset")
    closed_since: date | None = None
    closed_until: date | None = None
    department: str | None = Field(default=None, max_length=64, description="one lead department's cases only")
    evaluator: str = Field(min_length=1, max_length=200, description="who evaluates (name or office)")
    lawyer_id: str | None = Field(default=None, max_length=64, description="a 法律顾问 on the roster (role evaluation)")


class EvaluationScore(Request):
    scores: dict[ChecklistItem, int] = Field(description=f"every checklist item, 0..{MAX_ITEM_SCORE}")
    findings: str = Field(min_length=2, max_length=8000)


class EvaluationItemRead(BaseModel):
    evaluation_id: str
    grievance_id: str
    tracking_no: str
    department: Office
    scores: dict[str, int] | None = None
    total: int | None = None
    grade: Grade | None = None
    findings: str | None = None
    scored_at: datetime | None = None
    sent_at: datetime | None = None


class EvaluationRead(BaseModel):
    id: str
    rule: SampleRule
    seed: int
    size: int
    closed_since: date | None
    closed_until: date | None
    department: str | None
    evaluator: str
    lawyer_id: str | None = None
    lawyer_name: str | None = None
    created_at: datetime
    checklist: dict[str, str]
    items: list[EvaluationItemRead]


class FindingsList(BaseModel):
    items: list[EvaluationItemRead]
    limit: int
    offset: int


class EvaluationDepartmentScore(BaseModel):
    department: Office
    evaluated: int
    average_total: float
    average_by_item: dict[str, float]


class EvaluationStatistics(BaseModel):
    since: date | None
    until: date | None
    evaluated: int
    average_total: float | None
    average_by_item: dict[str, float]
    departments: list[EvaluationDepartmentScore]
