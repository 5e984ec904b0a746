"""Audit a refused look at another department's case, in a transaction of its own.

The refusal answers 404 and rolls the request's transaction back, so it changes nothing about
the case; the audit row must outlive that rollback, hence a separate short transaction.
"""

from __future__ import annotations

from services.casework import db
from shared.auth import StaffPrincipal
from shared.db.audit import record_audit
from shared.db.uow import UnitOfWork

REFUSED = "refused"


async def record_refusal(
    uow: UnitOfWork,
    staff: StaffPrincipal,
    action: str,
    grievance_id: str | None,
    *,
    record: dict[str, str] | None = None,
) -> None:
    """One audit row: who tried ``action`` on which case (or ``record``: a recommendation, an
    evaluation finding), refused because it is not theirs."""
    engine = (await uow.session.connection()).engine
    async with engine.begin() as conn:
        await record_audit(
            conn,
            db.audit_log,
            actor=staff,
            action=action,
            subject=grievance_id,
            detail={"outcome": REFUSED, "reason": "not_this_department", **(record or {})},
        )
