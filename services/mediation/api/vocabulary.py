"""The label tables a client (the staff console) needs to name what the mediation API answers."""

from __future__ import annotations

from fastapi import APIRouter

from services.mediation.api.deps import AnyStaff
from services.mediation.handlers.vocabulary import mediation_vocabulary
from services.mediation.schemas.vocabulary import MediationVocabulary
from shared.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["mediation"])


@router.get(
    "/mediations/vocabulary",
    response_model=MediationVocabulary,
    responses=problem_responses(401),
    summary="Names of states, session states, mediation types, dispute kinds, parties and mediator kinds",
)
async def vocabulary(_: AnyStaff) -> MediationVocabulary:
    return mediation_vocabulary()
