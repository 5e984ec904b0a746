"""Intake's HTTP API: the portal, staff, webhook and Open311 routers, assembled in one."""

from __future__ import annotations

from fastapi import APIRouter

from services.intake.api import grievances, open311, staff, webhooks

router = APIRouter()
router.include_router(grievances.router)
router.include_router(staff.router)
router.include_router(webhooks.router)
# The Open311 facade keeps its own error format (the specification's error list).
router.include_router(open311.router)
