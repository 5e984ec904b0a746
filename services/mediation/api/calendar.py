"""The session calendar read: what a mediator's month of 调解会 looks like."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Depends, Query

from services.mediation.api.deps import reader
from services.mediation.calendar_schemas import SessionEntry
from services.mediation.handlers.calendar import sessions_between
from shared.auth import StaffPrincipal
from shared.db.uow import UnitOfWork
from shared.problems import problem_responses
from shared.web import unit_of_work

router = APIRouter(prefix="/v1", tags=["mediation"])


@router.get(
    "/mediations/sessions",
    response_model=list[SessionEntry],
    responses=problem_responses(401, 403, 422),
    summary="Sessions (调解会) of my cases between two local days (a supervisor: every case), at most 92 days",
)
async def sessions(
    since: date = Query(description="first local day (Asia/Shanghai), inclusive"),
    until: date = Query(description="last local day, inclusive"),
    staff: StaffPrincipal = Depends(reader),
    uow: UnitOfWork = Depends(unit_of_work),
) -> list[SessionEntry]:
    async with uow:
        return await sessions_between(uow=uow, staff=staff, since=since, until=until)
