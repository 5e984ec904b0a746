"""Casework HTTP API: department actions, case reading, documents, statistics."""

from fastapi import APIRouter

from services.casework.api import (
    assistance,
    cases,
    documents,
    evaluation,
    hearings,
    recommendation,
    statistics,
    supervision,
    vocabulary,
)

router = APIRouter()
# Before cases: its /v1/cases/{grievance_id} would otherwise take /v1/cases/vocabulary.
router.include_router(vocabulary.router)
router.include_router(cases.router)
router.include_router(documents.router)
router.include_router(statistics.router)
router.include_router(hearings.router)
router.include_router(recommendation.router)
router.include_router(assistance.router)
router.include_router(evaluation.router)
router.include_router(supervision.router)
