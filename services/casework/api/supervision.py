"""督办 by a supervisor (the scheduler's automatic 督办 is in handlers/supervision.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import Field

from services.casework.api.deps import context, problems
from services.casework.handlers.context import CaseworkContext
from services.casework.handlers.manual_supervision import supervise_case
from services.casework.schemas import CaseRead, Request
from shared.auth import StaffPrincipal
from shared.auth.dependencies import require_roles
from shared.db.uow import UnitOfWork
from shared.events.vocabulary import Role
from shared.problems import problem_responses
from shared.web import unit_of_work

router = APIRouter(prefix="/v1/cases", tags=["cases"])


class SuperviseRequest(Request):
    note: str = Field(default="", max_length=500, description="督办意见, sent to the late departments")


@router.post(
    "/{grievance_id}/supervise",
    response_model=CaseRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="督办: press the departments whose clocks on this case are past due (supervisor)",
)
async def supervise(
    grievance_id: str,
    body: SuperviseRequest,
    staff: StaffPrincipal = Depends(require_roles(Role.supervisor)),
    ctx: CaseworkContext = Depends(context),
    uow: UnitOfWork = Depends(unit_of_work),
) -> CaseRead:
    async with uow:
        with problems():
            return await supervise_case(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, note=body.note)
