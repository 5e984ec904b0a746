"""Request and response models for assistance referrals (《信访工作条例》第三十七条) and the
panel's legal adviser (法律顾问) on a mediation case."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.assistance import AssistanceKind, Outcome, Scheme
from shared.text import RequestModel


class AssistanceCreate(RequestModel):
    scheme: Scheme
    referred_to: str = Field(min_length=1, max_length=64, description="department code from the catalogue")
    hardship: str = Field(min_length=1, max_length=2000, description="the hardship, as the mediator found it")


class AssistanceOutcomeCreate(RequestModel):
    outcome: Outcome
    note: str | None = Field(default=None, max_length=2000)


class AssistanceRead(BaseModel):
    id: str
    mediation_id: str
    kind: AssistanceKind
    scheme: Scheme
    scheme_zh: str
    referred_to: str
    referred_to_name: str
    hardship: str
    outcome: Outcome
    outcome_note: str | None
    referred_at: datetime
    outcome_at: datetime | None


class LegalAdviserCreate(RequestModel):
    lawyer_id: str | None = Field(default=None, max_length=64, description="omit: the roster's best fit")
    reason: str = Field(min_length=1, max_length=500)


class LegalAdviserRead(BaseModel):
    id: str
    name: str
    firm: str
    reason: str = Field(description="panel_legal_question (三人小组, legal dispute) or the mediator's request")
    assigned_at: datetime
