"""The panel's legal adviser (法律顾问) from the district lawyer roster: assigned with a three-person
panel on a legal dispute, or on the mediator's request; recorded on the case and shown in its view
(the office's notices carry no lawyer: their contract lists mediators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.mediation.domain.legal_adviser import choose, needs_adviser
from services.mediation.domain.states import FINAL_STATES
from services.mediation.domain.vocabulary import State
from services.mediation.handlers.access import case_for
from services.mediation.handlers.context import MediationContext
from services.mediation.handlers.publishing import audit
from services.mediation.repositories import MediationUnitOfWork
from services.mediation.repositories.cases import CaseRecord
from services.mediation.schemas.assistance import LegalAdviserCreate
from shared.auth import StaffPrincipal
from shared.catalog.lawyers import Lawyer
from shared.problems import Problem

PANEL_LEGAL_QUESTION = "panel_legal_question"


def _parties(case: CaseRecord) -> tuple[str, ...]:
    return tuple(p for p in (case.respondent, case.applicant_name) if p)


async def _record(
    uow: MediationUnitOfWork, case: CaseRecord, lawyer: Lawyer, *, reason: str, now: datetime
) -> dict[str, Any]:
    adviser = {
        "id": lawyer.id,
        "name": lawyer.name,
        "firm": lawyer.firm,
        "reason": reason,
        "assigned_at": now.isoformat(),
    }
    await uow.cases.change(case.id, now, legal_adviser=adviser)
    return adviser


async def assign_if_needed(
    uow: MediationUnitOfWork, ctx: MediationContext, case: CaseRecord, *, panel: bool, now: datetime
) -> None:
    """A three-person panel on a legal dispute gets an adviser unless it has one; none found: noted."""
    if case.legal_adviser is not None or not needs_adviser(panel=panel, kind=case.dispute_kind):
        return
    choice = choose(ctx.lawyers, street=case.street, kind=case.dispute_kind, parties=_parties(case))
    if choice.lawyer is not None:
        await _record(uow, case, choice.lawyer, reason=PANEL_LEGAL_QUESTION, now=now)


async def request_adviser(
    *, uow: MediationUnitOfWork, ctx: MediationContext, staff: StaffPrincipal, case_id: str, body: LegalAdviserCreate
) -> None:
    """The case's mediator asks for a legal adviser, a named one or the roster's best fit."""
    case, viewer = await case_for(uow, staff, case_id, lock=True)
    if viewer.mediator is None:
        raise Problem(403, slug="not-a-mediator", detail="只有承办本案的调解员可以申请法律顾问。")
    if case.state in FINAL_STATES | {State.closed}:
        raise Problem(409, slug="mediation-finished", detail="该调解案件已结束。", state=case.state.value)
    choice = choose(
        ctx.lawyers, street=case.street, kind=case.dispute_kind, parties=_parties(case), lawyer_id=body.lawyer_id
    )
    if choice.lawyer is None:
        status = 422 if body.lawyer_id is not None else 409
        raise Problem(status, slug="lawyer-not-available", detail=choice.problem or "")
    now = ctx.clock.now()
    adviser = await _record(uow, case, choice.lawyer, reason=body.reason, now=now)
    await audit(uow, staff, "request_legal_adviser", case.id, {"lawyer_id": adviser["id"], "reason": body.reason}, now)
    await uow.commit()
