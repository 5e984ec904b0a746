"""Audit a refused look at another department's case, in a transaction of its own.

The refusal answers 404 and rolls the request's transaction back, so it changes nothing about
the case; the audit row must outlive that rollback, hence the audit repository's ``record_apart``.
"""

from __future__ import annotations

from services.casework.repositories import CaseworkUnitOfWork
from shared.auth import StaffPrincipal

REFUSED = "refused"


async def record_refusal(
    uow: CaseworkUnitOfWork,
    staff: StaffPrincipal,
    action: str,
    grievance_id: str | None,
    *,
    record: dict[str, str] | None = None,
) -> None:
    """One audit row: who tried ``action`` on which case (or ``record``: a recommendation, an
    evaluation finding), refused because it is not theirs."""
    detail = {"outcome": REFUSED, "reason": "not_this_department", **(record or {})}
    await uow.audit.record_apart(staff, action, grievance_id, detail)
