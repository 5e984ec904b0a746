"""Feedback's HTTP API: the citizen's routes, the live stream, the supervisors' statistics.
Routes translate HTTP to the use cases in handlers/, nothing else."""

from __future__ import annotations

from fastapi import APIRouter

from services.feedback.api import citizen, events, statistics

router = APIRouter()
router.include_router(citizen.router)
router.include_router(statistics.router)
router.include_router(events.router)
