"""The label tables a client (the staff console) needs to name what casework answers."""

from __future__ import annotations

from fastapi import APIRouter

from services.casework.api.deps import AnyStaff
from services.casework.handlers.vocabulary import case_vocabulary
from services.casework.schemas.vocabulary import CaseVocabulary
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.get(
    "/vocabulary",
    response_model=CaseVocabulary,
    responses=problem_responses(401),
    summary="Names of states, actions, reply decisions per kind, not-accept grounds and legal routes",
)
async def vocabulary(_: AnyStaff) -> CaseVocabulary:
    return case_vocabulary()
