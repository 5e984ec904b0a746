"""Response models of the label tables (GET /v1/cases/vocabulary): what a client needs to name
states and actions and to build the not-accept and reply forms without casework's code."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Term(BaseModel):
    value: str = Field(description="the identifier the API takes and answers")
    name_zh: str


class GroundTerm(Term):
    basis_zh: str = Field(description="the article of 《信访工作条例》 the ground rests on")
    needs_route: bool = Field(description="a not-accept on this ground must name a legal route")
    needs_competent_body: bool = Field(description="a not-accept on this ground must name the competent body")


class CaseVocabulary(BaseModel):
    states: list[Term]
    actions: list[Term] = Field(description="every action of the case, as allowed_actions names them")
    petition_kinds: list[Term]
    decisions: dict[str, list[Term]] = Field(
        description="reply decisions per petition kind (§29–§32); a case without a kind is answered as a claim"
    )
    not_accept_grounds: list[GroundTerm]
    legal_routes: list[Term] = Field(description="the legal routes with the sentence the citizen is told")
