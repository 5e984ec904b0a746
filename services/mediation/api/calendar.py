"""The session calendar read: what a mediator's month of 调解会 looks like."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from services.mediation.api.deps import Reader, Uow
from services.mediation.handlers.calendar import sessions_between
from services.mediation.schemas.calendar import SessionEntry
from shared.problems import problem_responses

router = APIRouter(prefix="/v1", tags=["mediation"])


@router.get(
    "/mediations/sessions",
    response_model=list[SessionEntry],
    responses=problem_responses(401, 403, 422),
    summary="Sessions (调解会) of my cases between two local days (a supervisor: every case), at most 92 days",
)
async def sessions(
    since: Annotated[date, Query(description="first local day (Asia/Shanghai), inclusive")],
    until: Annotated[date, Query(description="last local day, inclusive")],
    staff: Reader,
    uow: Uow,
) -> list[SessionEntry]:
    async with uow:
        return await sessions_between(uow=uow, staff=staff, since=since, until=until)
