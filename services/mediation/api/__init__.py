"""Mediator HTTP API: translate HTTP to the use cases in ``handlers``, nothing else."""

from fastapi import APIRouter

from services.mediation.api import actions, assistance, calendar, reads, vocabulary

router = APIRouter()
# Before reads: its /mediations/{case_id} would otherwise take /mediations/sessions and
# /mediations/vocabulary (and answer 422, not a UUID).
router.include_router(calendar.router)
router.include_router(vocabulary.router)
router.include_router(reads.router)
router.include_router(actions.router)
router.include_router(assistance.router)

__all__ = ["router"]
