"""The label tables a client (the staff console) needs to name what casework answers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from services.casework.handlers.vocabulary import case_vocabulary
from services.casework.vocabulary_schemas import CaseVocabulary
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.get(
    "/vocabulary",
    response_model=CaseVocabulary,
    responses=problem_responses(401),
    summary="Names of states, actions, reply decisions per kind, not-accept grounds and legal routes",
)
async def vocabulary(_: StaffPrincipal = Depends(require_roles(*Role))) -> CaseVocabulary:
    return case_vocabulary()
