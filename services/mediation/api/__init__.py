"""Mediator HTTP API: translate HTTP to the use cases in ``handlers``, nothing else."""

from fastapi import APIRouter

from services.mediation.api import actions, assistance, reads

router = APIRouter()
router.include_router(reads.router)
router.include_router(actions.router)
router.include_router(assistance.router)

__all__ = ["router"]
