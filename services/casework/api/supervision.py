"""督办 by a supervisor (the scheduler's automatic 督办 is in handlers/supervision.py)."""

from __future__ import annotations

from fastapi import APIRouter

from services.casework.api.deps import Ctx, Supervisor, Uow
from services.casework.api.problems import problems
from services.casework.handlers.manual_supervision import supervise_case
from services.casework.schemas.cases import CaseRead, SuperviseRequest
from shared.problems import problem_responses

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.post(
    "/{grievance_id}/supervise",
    response_model=CaseRead,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="督办: press the departments whose clocks on this case are past due (supervisor)",
)
async def supervise(
    grievance_id: str,
    body: SuperviseRequest,
    staff: Supervisor,
    ctx: Ctx,
    uow: Uow,
) -> CaseRead:
    async with uow:
        with problems():
            return await supervise_case(uow=uow, ctx=ctx, staff=staff, grievance_id=grievance_id, note=body.note)
