"""The staff audit log of the mediation schema (shared.db.audit), subject: the mediation case."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.mediation import db
from shared.auth import StaffPrincipal
from shared.db.audit import record_audit


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, staff: StaffPrincipal, *, action: str, case_id: str | None, detail: Mapping[str, Any], at: datetime
    ) -> None:
        """One row in the action's own transaction: the action and its record commit together."""
        await record_audit(
            self._session, db.audit_log, actor=staff, action=action, subject=case_id, detail=detail, at=at
        )
