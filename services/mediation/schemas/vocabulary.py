"""Response model of the label tables (GET /v1/mediations/vocabulary): the Chinese names of the
identifiers the mediation API takes and answers, so a client needs none of this service's code."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Term(BaseModel):
    value: str = Field(description="the identifier the API takes and answers")
    name_zh: str


class MediationVocabulary(BaseModel):
    states: list[Term]
    session_states: list[Term]
    mediation_types: list[Term]
    dispute_kinds: list[Term]
    parties: list[Term] = Field(description="the parties a consent or an attendance names")
    mediator_kinds: list[Term]
