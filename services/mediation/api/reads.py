"""Read endpoints: my cases, one case, statistics, documents, the roster."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse

from services.mediation.api.deps import DOCUMENT_RATE_LIMIT, Ctx, Reader, Supervisor, Uow
from services.mediation.domain.vocabulary import State
from services.mediation.handlers import paperwork, queries
from services.mediation.handlers.statistics import statistics as mediation_statistics
from services.mediation.schemas.cases import CaseDetail, CaseSummary, RosterEntryRead
from services.mediation.schemas.statistics import StatisticsRead
from shared.events.vocabulary import Street
from shared.filters import DepartmentCode
from shared.problems import problem_responses
from shared.statistics_params import StatisticsPeriod
from shared.web import MAX_OFFSET, document_html

router = APIRouter(prefix="/v1", tags=["mediation"])


@router.get(
    "/mediations/mine",
    response_model=list[CaseSummary],
    responses=problem_responses(401, 403),
    summary="My cases: the mediations the calling mediator is assigned to",
)
async def my_cases(
    staff: Reader,
    ctx: Ctx,
    uow: Uow,
    state: State | None = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[CaseSummary]:
    async with uow:
        return await queries.list_cases(
            uow=uow, ctx=ctx, staff=staff, state=state, overdue=overdue, mine=True, limit=limit, offset=offset
        )


@router.get(
    "/mediations",
    response_model=list[CaseSummary],
    responses=problem_responses(401, 403),
    summary="Cases the caller may see (a mediator: its own; a supervisor: all), by due date",
)
async def list_cases(
    staff: Reader,
    ctx: Ctx,
    uow: Uow,
    state: State | None = None,
    overdue: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
) -> list[CaseSummary]:
    async with uow:
        return await queries.list_cases(
            uow=uow, ctx=ctx, staff=staff, state=state, overdue=overdue, limit=limit, offset=offset
        )


@router.get(
    "/mediations/statistics",
    response_model=StatisticsRead,
    responses=problem_responses(401, 403, 422),
    summary="Success rate, median duration and counts by type, street and dispute kind of the cases opened "
    "in the period",
)
async def statistics(
    period: StatisticsPeriod,
    staff: Reader,
    uow: Uow,
) -> StatisticsRead:
    async with uow:
        return await mediation_statistics(uow=uow, staff=staff, period=period)


@router.get(
    "/mediations/{case_id}",
    response_model=CaseDetail,
    responses=problem_responses(401, 403, 404),
    summary="One case with its mediators, consents, sessions and documents (read is audited)",
)
async def get_case(
    case_id: uuid.UUID,
    staff: Reader,
    ctx: Ctx,
    uow: Uow,
) -> CaseDetail:
    async with uow:
        return await queries.case_detail(uow=uow, ctx=ctx, staff=staff, case_id=str(case_id))


@router.get(
    "/staff/mediation-documents/{document_id}",
    response_class=HTMLResponse,
    responses=problem_responses(401, 403, 404),
    summary="A document of a case the caller may see (HTML)",
)
async def staff_document(
    document_id: uuid.UUID,
    staff: Reader,
    uow: Uow,
) -> HTMLResponse:
    async with uow:
        html = await paperwork.staff_document(uow=uow, staff=staff, document_id=str(document_id))
    return document_html(html)


@router.get(
    "/mediation-documents/{document_id}",
    response_class=HTMLResponse,
    responses=problem_responses(404, 429),
    summary="The citizen's own document (调解协议书, 调解终止告知书), with the tracking token",
    dependencies=[DOCUMENT_RATE_LIMIT],
)
async def citizen_document(
    document_id: uuid.UUID,
    uow: Uow,
    x_tracking_token: Annotated[str | None, Header(alias="X-Tracking-Token")] = None,
    token: Annotated[str | None, Query(description="the tracking token, if a header cannot be set")] = None,
) -> HTMLResponse:
    async with uow:
        html = await paperwork.citizen_document(uow=uow, document_id=str(document_id), token=x_tracking_token or token)
    return document_html(html, headers={"Cache-Control": "private, no-store"})


@router.get(
    "/roster",
    response_model=list[RosterEntryRead],
    responses=problem_responses(401, 403),
    summary="The mediator roster with current loads (supervisor)",
)
async def roster(
    _: Supervisor,
    uow: Uow,
    street: Street | None = None,
    office: Annotated[DepartmentCode | None, Query(description="the mediators' office (catalog code)")] = None,
) -> list[RosterEntryRead]:
    async with uow:
        return await queries.roster_view(uow=uow, street=street, office=office)
