"""The label tables a client (the staff console) needs to name what the mediation API answers."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from services.mediation.handlers.vocabulary import mediation_vocabulary
from services.mediation.vocabulary_schemas import MediationVocabulary
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.events.vocabulary import Role
from shared.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["mediation"])


@router.get(
    "/mediations/vocabulary",
    response_model=MediationVocabulary,
    responses=problem_responses(401),
    summary="Names of states, session states, mediation types, dispute kinds, parties and mediator kinds",
)
async def vocabulary(_: StaffPrincipal = Depends(require_roles(*Role))) -> MediationVocabulary:
    return mediation_vocabulary()
