"""The staff audit log of casework (shared.db.audit): who did or read what, on which case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.casework import db
from shared.auth import StaffPrincipal
from shared.db.audit import record_audit


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, staff: StaffPrincipal, action: str, grievance_id: str | None, detail: Mapping[str, Any]
    ) -> None:
        """One row in the action's own transaction: both commit or neither does."""
        await record_audit(self._session, db.audit_log, actor=staff, action=action, subject=grievance_id, detail=detail)

    async def record_apart(
        self, staff: StaffPrincipal, action: str, grievance_id: str | None, detail: Mapping[str, Any]
    ) -> None:
        """One row in a short transaction of its own, committed now: for refusals, whose request's
        transaction rolls back but whose audit row must stay."""
        engine = (await self._session.connection()).engine
        async with engine.begin() as conn:
            await record_audit(conn, db.audit_log, actor=staff, action=action, subject=grievance_id, detail=detail)
