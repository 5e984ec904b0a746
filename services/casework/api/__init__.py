"""Casework HTTP API: department actions, case reading, documents, statistics."""

from fastapi import APIRouter

from services.casework.api import cases, documents, statistics

router = APIRouter()
router.include_router(cases.router)
router.include_router(documents.router)
router.include_router(statistics.router)
