"""The router's staff audit log (shared.db.audit): who decided which review."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.router import db
from services.router.repositories.base import Repository
from shared.auth import StaffPrincipal
from shared.db.audit import SystemActor, record_audit


class AuditRepository(Repository):
    async def record(
        self, *, actor: StaffPrincipal | SystemActor, action: str, subject: str | None, detail: Mapping[str, Any]
    ) -> None:
        """One row in the action's own transaction: the action and its record commit together."""
        await record_audit(self._session, db.audit_log, actor=actor, action=action, subject=subject, detail=detail)
