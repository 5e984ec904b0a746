"""Intake's staff audit log (shared.db.audit): who registered, read or looked up what."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.intake import db
from shared.auth import StaffPrincipal
from shared.db.audit import SystemActor, audit_values, record_audit

Actor = StaffPrincipal | SystemActor


class AuditLogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        actor: Actor,
        action: str,
        grievance_id: str | None,
        detail: Mapping[str, Any],
        *,
        at: datetime | None = None,
    ) -> None:
        """One row in the caller's transaction; ``at`` defaults to the database's clock."""
        await record_audit(
            self._session, db.audit_log, actor=actor, action=action, subject=grievance_id, detail=detail, at=at
        )

    async def record_each(
        self, actor: Actor, action: str, details: Mapping[str, Mapping[str, Any]], *, at: datetime
    ) -> None:
        """One row per grievance id of ``details`` (grievance id -> detail), in one statement."""
        if not details:
            return
        rows = [
            audit_values(db.audit_log, actor=actor, action=action, subject=grievance_id, detail=detail, at=at)
            for grievance_id, detail in details.items()
        ]
        await self._session.execute(insert(db.audit_log), rows)
