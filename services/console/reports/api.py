"""``GET /v1/reports/annual/{year}.pdf|.docx`` for supervisors: built as the caller, whose bearer
token is forwarded to the services' statistics APIs so their permissions hold there too."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from services.console.reports.fonts import cjk_font_path
from services.console.reports.render import MEDIA_TYPES, ReportFormat, file_name, render
from services.console.reports.sources import SourceError, StatisticsSource
from services.console.settings import Settings
from shared.auth import StaffPrincipal
from shared.auth.dependencies import bearer, require_roles
from shared.events.vocabulary import Role
from shared.problems import Problem, problem_responses

router = APIRouter(prefix="/v1/reports", tags=["reports"])
FIRST_YEAR, LAST_YEAR = 2000, 2100
Year = Path(ge=FIRST_YEAR, le=LAST_YEAR, description="the calendar year reported on")


def source_problem(error: SourceError) -> Problem:
    """A refusal by a service is the caller's (401/403); anything else is the service's failure (502)."""
    if error.status in (401, 403):
        return Problem(
            error.status,
            slug="refused-by-service",
            detail=f"{error.service} 服务拒绝了当前令牌，无法生成报告。",
            service=error.service,
        )
    return Problem(
        502, slug="statistics-unavailable", detail=f"{error.service} 服务的统计数据暂不可用。", service=error.service
    )


async def annual_report(request: Request, token: str, year: int, fmt: ReportFormat) -> Response:
    settings: Settings = request.app.state.settings
    http: Callable[[], httpx.AsyncClient] = request.app.state.http
    try:
        figures = await StatisticsSource(http(), settings.service_urls(), token).year(year)
    except SourceError as exc:
        raise source_problem(exc) from exc
    font = cjk_font_path(settings.report_font_path)
    # Charts and layout are CPU work: off the event loop.
    files = await asyncio.to_thread(render, figures, [fmt], font_path=font)
    return Response(
        files[fmt],
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{file_name(year, fmt)}"', "Cache-Control": "no-store"},
    )


RESPONSES = problem_responses(401, 403, 422, 502)


@router.get(
    "/annual/{year}.pdf",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[ReportFormat.pdf]: {}}}, **RESPONSES},
    summary="The annual report (《信访工作条例》第四十一条) as PDF",
)
async def annual_pdf(
    request: Request,
    year: int = Year,
    staff: StaffPrincipal = Depends(require_roles(Role.supervisor)),
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> Response:
    assert credentials is not None  # require_roles has refused a request without one
    return await annual_report(request, credentials.credentials, year, ReportFormat.pdf)


@router.get(
    "/annual/{year}.docx",
    response_class=Response,
    responses={200: {"content": {MEDIA_TYPES[ReportFormat.docx]: {}}}, **RESPONSES},
    summary="The annual report (《信访工作条例》第四十一条) as DOCX",
)
async def annual_docx(
    request: Request,
    year: int = Year,
    staff: StaffPrincipal = Depends(require_roles(Role.supervisor)),
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
) -> Response:
    assert credentials is not None  # require_roles has refused a request without one
    return await annual_report(request, credentials.credentials, year, ReportFormat.docx)
